using System;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>The Dtlto.Distributor dotnet tool from the test run's feed, installed into a test's folder as a user installs it.</summary>
public static class DistributorTool
{
    /// <summary>Installs the tool into <c>tools/</c> of <paramref name="dir"/>, from the local feed alone; returns the path of its command.</summary>
    public static string Install(TestDirectory dir)
    {
        string tools = dir.File("tools");
        string config = dir.Write("tool-nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{SdkPackage.Feed}" /></packageSources></configuration>
            """);
        CommandResult install = Command.Run(dir.Path, "dotnet", new[] { "tool", "install", "Dtlto.Distributor", "--tool-path", tools, "--version", SdkPackage.Version, "--configfile", config },
            TimeSpan.FromMinutes(3), SdkPackage.Environment);
        Assert.AreEqual(0, install.ExitCode, install.ToString());
        return Path.Combine(tools, "dtlto-distributor");
    }
}
