using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// lld killed (as by the OOM killer) while backend compiles run: the compiles are stopped, the
/// distributor exits, and no process outlives the link.
/// </summary>
[TestClass]
public sealed class LinkerKilledTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static void KillLld(string directory)
    {
        int? lld = ProcessTable.FindPid(directory, Path.Combine(Toolchain.BinDirectory, "ld.lld"));
        Assert.IsNotNull(lld, "ld.lld is running: " + string.Join("\n", ProcessTable.Mentioning(directory)));
        Command.Run("/", "kill", "-KILL", lld.Value.ToString());
    }

    [TestMethod]
    public void TheStandaloneDistributorStopsItsCompilesWhenLldDies()
    {
        using var dir = new TestDirectory();
        (_, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);
        var environment = new Dictionary<string, string?> { ["FAULT"] = "slow", ["FAULT_MODULE"] = "fib.o", ["FAULT_STARTED"] = dir.File("started") };
        using var link = new BackgroundProcess(
            dir.Path, Toolchain.ClangXX, ThinLtoBuild.LinkArguments(Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}"), environment);
        Assert.IsTrue(link.WaitForFile(dir.File("started"), TimeSpan.FromMinutes(1)), "the slow compile started: " + link.OutputSoFar);

        KillLld(dir.Path);

        CommandResult? ended = link.WaitForExit(Patience);
        Assert.IsNotNull(ended, "the clang driver ends once lld is gone");
        Assert.AreNotEqual(0, ended.ExitCode);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(dir.Path, Patience), "the distributor and its compiles stop");
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.Mentioning(Scripts.Sleeper(dir.Path)), "the sleeping compile is gone too");
        Assert.IsFalse(File.Exists(dir.File("app")));
    }

    [TestMethod]
    public void AnSdkBuildStopsItsCompilesAndFailsWhenLldDies()
    {
        using var workspace = new NativeWorkspace();
        string faulty = Scripts.FaultyCompiler(workspace.Path);
        string project = SamplePrograms.WriteApp(workspace, extraItems: $"""
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler={faulty}</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        var environment = new Dictionary<string, string?>(SdkPackage.Environment)
        {
            ["FAULT"] = "slow", ["FAULT_MODULE"] = "numbers.o", ["FAULT_STARTED"] = workspace.File("started"),
        };
        using var build = new BackgroundProcess(workspace.Path, "dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "-v:n" }, environment);
        Assert.IsTrue(build.WaitForFile(workspace.File("started"), TimeSpan.FromMinutes(2)), "the slow compile started: " + build.OutputSoFar);

        KillLld(workspace.Path);

        CommandResult? ended = build.WaitForExit(TimeSpan.FromSeconds(20));
        Assert.IsNotNull(ended, "the build ends soon after lld died");
        Assert.AreNotEqual(0, ended.ExitCode);
        StringAssert.Contains(ended.StandardOutput, "error DTLTO3104: lld ended while the backend compiles ran");
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(workspace.Path, Patience, except: "dotnet build"));
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.Mentioning(Scripts.Sleeper(workspace.Path)), "the sleeping compile is gone too");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
        Assert.IsEmpty(Directory.GetFiles(workspace.File("app/bin/Release")).Where(f => !f.EndsWith("/app")).ToArray(), "no temporaries of the dead link");
    }
}
