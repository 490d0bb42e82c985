using System;
using System.Collections;
using System.Linq;
using System.Reflection;
using Dtlto.Build.Distributor;
using Dtlto.Build.Engine.Remote;
using Dtlto.Build.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tasks;

/// <summary>
/// A remote batch's settings reach the remote executor the same whether it runs in the build's
/// process or in dtlto-distributor: written as the distributor's options and read back by its
/// command line, every setting of the configuration comes back as it went.
/// </summary>
[TestClass]
public sealed class RemoteBatchSettingsTests
{
    private static RemoteConfiguration ThroughTheDistributor(RemoteBatchSettings settings, int cores)
    {
        string[] args = settings.DistributorArguments(cores).Append("jobs.json").ToArray();
        var parsed = DistributorCommandLine.Parse(args);
        Assert.IsNull(DistributorCommandLine.Problem(parsed, args), string.Join(" ", args));
        return DistributorCommandLine.Bind(parsed).Remote!;
    }

    private static void AssertSame(RemoteConfiguration expected, RemoteConfiguration actual)
    {
        foreach (PropertyInfo property in typeof(RemoteConfiguration).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? a = property.GetValue(expected), b = property.GetValue(actual);
            if (a is IEnumerable list && a is not string)
                CollectionAssert.AreEqual(list.Cast<object>().ToList(), ((IEnumerable)b!).Cast<object>().ToList(), property.Name);
            else
                Assert.AreEqual(a, b, property.Name);
        }
    }

    [TestMethod]
    public void EverySettingComesBackFromTheDistributorsCommandLine()
    {
        var settings = new RemoteBatchSettings
        {
            Endpoint = "grpcs://farm.example:8980",
            Instance = "main/linux",
            Platform = new[] { "OSFamily=Linux", "pool=lto" },
            Mode = "CacheOnly",
            Strict = true,
            Jobs = 300,
            CaFile = "/etc/farm/ca.pem",
            ClientCertificate = "/etc/farm/me.pem",
            ClientKey = "/etc/farm/me.key",
            TokenFile = "/etc/farm/token",
            TokenVariable = "FARM_TOKEN",
            UploadToolchain = true,
            StallTimeout = 90.5,
            ConnectTimeout = 3,
            JobTimeout = 120,
            MaxOutputSize = "500M",
            Race = false,
            Upload = false,
            CacheDirectory = "/srv/dtlto-cache",
        };

        AssertSame(settings.ToConfiguration(3), ThroughTheDistributor(settings, 3));
    }

    [TestMethod]
    public void TheDefaultsComeBackAsDefaults()
    {
        var settings = new RemoteBatchSettings { Endpoint = "grpc://127.0.0.1:8980" };

        AssertSame(settings.ToConfiguration(2), ThroughTheDistributor(settings, 2));
    }
}
