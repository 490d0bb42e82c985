using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// A backend compiler that misbehaves, in a real clang-22/lld-22 link through dtlto-distributor.
/// What the user sees: the link fails, and the distributor names the module, why it failed and
/// the command; nothing that looks like a finished program or object is left, and no process.
/// </summary>
[TestClass]
public sealed class BackendFaultTests
{
    private static Dictionary<string, string?> Fault(string fault, string module = "fib.o") => new() { ["FAULT"] = fault, ["FAULT_MODULE"] = module };

    private static void AssertNothingLeft(TestDirectory dir)
    {
        Assert.IsFalse(File.Exists(dir.File("app")), "no program");
        Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.native.o*"), "no backend objects, shards or response files");
        Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.dist-file.json"), "no job list");
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(dir.Path, TimeSpan.FromSeconds(5)));
    }

    [TestMethod]
    [DataRow("sigkill", "the compiler exited with code 137")]
    [DataRow("exit", "the compiler exited with code 3")]
    [DataRow("no-output", "the compiler exited with code 0 but did not write 'fib.4.")]
    [DataRow("truncated", "the compiler exited with code 0 but wrote a truncated 'fib.4.")]
    public void AFailingBackendCompilerFailsTheLinkNamingTheModule(string fault, string reason)
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);

        CommandResult link = build.LinkWith(Fault(fault), Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}");

        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardError, $"dtlto-distributor: error: backend compile of 'fib.o' failed: {reason}");
        StringAssert.Contains(link.StandardError, "dtlto-distributor: command: " + faulty);
        if (fault == "exit")
            StringAssert.Contains(link.StandardError, "faulty-clang: error: injected failure");
        StringAssert.Contains(link.StandardError, "ld.lld: error: DTLTO backend compilation: distributor execution failed");
        AssertNothingLeft(dir);
    }

    [TestMethod]
    public void AHangingBackendCompilerIsKilledByTheJobTimeout()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);
        var clock = Stopwatch.StartNew();

        CommandResult link = build.LinkWith(Fault("hang"), Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}", "-Xthinlto-distributor=--job-timeout=2");

        Assert.IsLessThan(30.0, clock.Elapsed.TotalSeconds, "the link ends soon after the timeout");
        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardError, "dtlto-distributor: error: backend compile of 'fib.o' failed: timed out after 2 s and was killed");
        AssertNothingLeft(dir);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.Mentioning("sleep 600"), "the hung compiler's children are gone too");
    }

    [TestMethod]
    public void WithoutFaultsTheSameCompilerWrapperLinksCorrectly()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);

        CommandResult link = build.LinkWith(Fault("none"), Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}");

        Assert.AreEqual(0, link.ExitCode, link.ToString());
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void AnSdkBuildKillsAHangingBackendCompileAtDtltoBackendJobTimeout()
    {
        using var workspace = new NativeWorkspace();
        string faulty = Scripts.FaultyCompiler(workspace.Path);
        string project = Sdk.SamplePrograms.WriteApp(workspace, "<DtltoBackendJobTimeout>2</DtltoBackendJobTimeout>", $"""
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler={faulty}</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        var environment = new Dictionary<string, string?>(SdkPackage.Environment) { ["FAULT"] = "hang", ["FAULT_MODULE"] = "numbers.o" };
        var clock = Stopwatch.StartNew();

        CommandResult build = Command.Run(workspace.Path, "dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "-v:n" }, TimeSpan.FromMinutes(2), environment);

        Assert.IsLessThan(60.0, clock.Elapsed.TotalSeconds);
        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3101: backend compile of '");
        StringAssert.Contains(build.StandardOutput, "numbers.o' failed: timed out after 2 s and was killed");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(workspace.Path, TimeSpan.FromSeconds(5)));
    }
}
