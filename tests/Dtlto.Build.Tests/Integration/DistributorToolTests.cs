using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>The Dtlto.Distributor dotnet tool, packed beside the SDK, installed as a user installs it, and pointed at by lld.</summary>
[TestClass]
public sealed class DistributorToolTests
{
    [TestMethod]
    public void TheToolInstalledFromTheFeedLinksAProgram()
    {
        using var dir = new TestDirectory();
        Assert.IsTrue(File.Exists(Path.Combine(SdkPackage.Feed, $"Dtlto.Distributor.{SdkPackage.Version}.nupkg")), "dotnet pack wrote the tool package beside the SDK's, with its version");

        string distributor = DistributorTool.Install(dir);
        CommandResult version = Command.Run(dir.Path, distributor, "--version");
        StringAssert.StartsWith(version.StandardOutput, SdkPackage.Version, version.ToString());

        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        CommandResult link = build.LinkWith(distributor, "app", objects, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(link, "link through the installed tool");
        StringAssert.Contains(link.StandardError, "dtlto-distributor: 5 backend jobs");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
