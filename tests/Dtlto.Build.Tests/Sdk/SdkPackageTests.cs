using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>What the packed Dtlto.Build.Sdk package holds.</summary>
[TestClass]
public sealed class SdkPackageTests
{
    private static ZipArchive OpenPackage() =>
        ZipFile.OpenRead(Directory.GetFiles(SdkPackage.Feed, "Dtlto.Build.Sdk.*.nupkg").Single());

    [TestMethod]
    public void HoldsTheSdkFilesTheTaskAssemblyForBothRuntimesAndTheDistributor()
    {
        using ZipArchive package = OpenPackage();
        string[] entries = package.Entries.Select(e => e.FullName).ToArray();

        foreach (string expected in new[]
        {
            "Sdk/Sdk.props", "Sdk/Sdk.targets", "build/Dtlto.Build.Sdk.props", "build/Dtlto.Build.Sdk.targets",
            "tools/net8.0/Dtlto.Build.Tasks.dll", "tools/net472/Dtlto.Build.Tasks.dll", "tools/net472/System.Text.Json.dll",
            "tools/distributor/dtlto-distributor.dll", "tools/distributor/dtlto-distributor.runtimeconfig.json",
        })
            CollectionAssert.Contains(entries, expected);
        Assert.IsFalse(entries.Any(e => Path.GetFileName(e).StartsWith("Microsoft.Build")), "MSBuild's own assemblies are never shipped:\n" + string.Join("\n", entries));
        StringAssert.Contains(ReadText(package, "Dtlto.Build.Sdk.nuspec"), "<packageType name=\"MSBuildSdk\" />");
    }

    [TestMethod]
    [DataRow("tools/net8.0/Dtlto.Build.Tasks.dll", ".NETCoreApp,Version=v8.0")]
    [DataRow("tools/net472/Dtlto.Build.Tasks.dll", ".NETFramework,Version=v4.7.2")]
    public void EachTaskAssemblyTargetsItsMSBuildRuntime(string entry, string framework)
    {
        using ZipArchive package = OpenPackage();
        using var bytes = new MemoryStream();
        package.GetEntry(entry)!.Open().CopyTo(bytes);
        StringAssert.Contains(Encoding.UTF8.GetString(bytes.ToArray()), framework);
    }

    private static string ReadText(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(package.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
