using System;
using System.Collections;
using System.Linq;
using System.Reflection;
using System.IO;
using System.Xml.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.Build.Utilities;
using Dtlto.Build.Distributor;
using Dtlto.Build.Engine.Remote;
using Dtlto.Build.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tasks;

/// <summary>
/// A remote batch's settings reach the remote executor the same whether it runs in the build's
/// process or in dtlto-distributor: written as the distributor's options and read back by its
/// command line, every setting of the configuration comes back as it went. The SDK's targets hand
/// them to the task as one item, whose every metadatum is read.
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

    /// <summary>A value other than the default for every setting.</summary>
    private static RemoteBatchSettings EverySettingSet() => new RemoteBatchSettings
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

    [TestMethod]
    public void EverySettingComesBackFromTheDistributorsCommandLine()
    {
        RemoteBatchSettings settings = EverySettingSet();

        AssertSame(settings.ToConfiguration(3), ThroughTheDistributor(settings, 3));
    }

    [TestMethod]
    public void TheDefaultsComeBackAsDefaults()
    {
        var settings = new RemoteBatchSettings { Endpoint = "grpc://127.0.0.1:8980" };

        AssertSame(settings.ToConfiguration(2), ThroughTheDistributor(settings, 2));
    }

    private static TaskItem RemoteItem(params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem("remote");
        foreach ((string name, string value) in metadata)
            item.SetMetadata(name, value);
        return item;
    }

    [TestMethod]
    public void EveryMetadatumOfTheRemoteItemReachesTheSettings()
    {
        RemoteBatchSettings expected = EverySettingSet();
        TaskItem item = RemoteItem(
            ("Endpoint", "grpcs://farm.example:8980"), ("Instance", "main/linux"), ("Platform", " OSFamily=Linux ; pool=lto;"),
            ("Mode", "CacheOnly"), ("Strict", "true"), ("Jobs", "300"), ("CaFile", "/etc/farm/ca.pem"),
            ("ClientCertificate", "/etc/farm/me.pem"), ("ClientKey", "/etc/farm/me.key"), ("TokenFile", "/etc/farm/token"),
            ("TokenVariable", "FARM_TOKEN"), ("UploadToolchain", "True"), ("StallTimeout", "90.5"), ("ConnectTimeout", "3"),
            ("MaxOutputSize", "500M"), ("Race", "false"), ("Upload", "false"), ("OutOfProcess", "true"));

        RemoteBatchSettings read = RemoteBatchSettings.Of(item, 120, "/srv/dtlto-cache")!;

        AssertSame(expected.ToConfiguration(3), read.ToConfiguration(3));
        Assert.IsTrue(read.OutOfProcess);
        Assert.IsFalse(RemoteBatchSettings.Of(RemoteItem(("Endpoint", "grpc://farm:8980")), 0, null)!.OutOfProcess, "a task assembly with the remote executor runs the batch here unless told otherwise");
    }

    [TestMethod]
    public void TheSdksRemoteItemCarriesEverySettingTheTaskReads()
    {
        // JobTimeout and CacheDirectory are the task's own parameters, which local batches use too.
        var settings = typeof(RemoteBatchSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name).Except(new[] { "JobTimeout", "CacheDirectory" }).OrderBy(n => n).ToList();
        XDocument targets = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "Sdk", "build", "Dtlto.Build.LinkPhases.targets"));
        XElement remote = targets.Descendants().Single(e => e.Name.LocalName == "_DtltoRemote" && e.Attribute("Include") is not null);

        CollectionAssert.AreEqual(settings, remote.Attributes().Select(a => a.Name.LocalName).Where(n => n is not "Include" and not "Condition").OrderBy(n => n).ToList());
    }

    [TestMethod]
    public void NoItemOrNoEndpointCompilesHere()
    {
        Assert.IsNull(RemoteBatchSettings.Of(null, 0, null));
        Assert.IsNull(RemoteBatchSettings.Of(RemoteItem(("Endpoint", "  "), ("Jobs", "4")), 0, null));
    }

    [TestMethod]
    public void AValueOfTheWrongKindNamesItsProperty()
    {
        foreach ((string name, string value, string property) in new[]
        {
            ("Jobs", "many", "DtltoRemoteJobs"), ("Jobs", "2.5", "DtltoRemoteJobs"), ("Jobs", "-1", "DtltoRemoteJobs"),
            ("StallTimeout", "soon", "DtltoRemoteStallTimeout"), ("ConnectTimeout", "1e99", "DtltoRemoteConnectTimeout"),
            ("Strict", "yes", "DtltoRemoteStrict"), ("Race", "1", "DtltoRemoteRace"), ("Upload", "no", "DtltoRemoteUpload"),
            ("UploadToolchain", "on", "DtltoRemoteUploadToolchain"),
        })
        {
            var e = Assert.ThrowsExactly<FormatException>(() => RemoteBatchSettings.Of(RemoteItem(("Endpoint", "grpc://farm:1"), (name, value)), 0, null), name + "=" + value);
            StringAssert.StartsWith(e.Message, property + " must be ");
            StringAssert.Contains(e.Message, "'" + value + "'");
        }
    }
}
