using System;
using System.IO;
using System.Linq;
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
        string tools = dir.File("tools");
        // Only the local feed, as a machine without the internet would have it.
        string config = dir.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{SdkPackage.Feed}" /></packageSources></configuration>
            """);
        Assert.IsTrue(File.Exists(Path.Combine(SdkPackage.Feed, $"Dtlto.Distributor.{SdkPackage.Version}.nupkg")), "dotnet pack wrote the tool package beside the SDK's, with its version");

        CommandResult install = Command.Run(dir.Path, "dotnet", new[] { "tool", "install", "Dtlto.Distributor", "--tool-path", tools, "--version", SdkPackage.Version, "--configfile", config },
            TimeSpan.FromMinutes(3), SdkPackage.Environment);
        Assert.AreEqual(0, install.ExitCode, install.ToString());
        string distributor = Path.Combine(tools, "dtlto-distributor");
        CommandResult version = Command.Run(dir.Path, distributor, "--version");
        StringAssert.StartsWith(version.StandardOutput, SdkPackage.Version, version.ToString());

        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        CommandResult link = build.LinkWith(distributor, "app", objects, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(link, "link through the installed tool");
        StringAssert.Contains(link.StandardError, "dtlto-distributor: 5 backend jobs");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
