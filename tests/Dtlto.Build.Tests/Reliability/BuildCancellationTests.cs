using System;
using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// Ctrl+C (SIGINT) to `dotnet build` in each phase of the DTLTO link. What the user sees: the
/// build stops within seconds; no clang, lld or distributor of it remains, no temporary file,
/// no program; the next build, without a Clean, produces a correct program.
/// </summary>
[TestClass]
public sealed class BuildCancellationTests
{
    private static void CancelDuringPhase(string projectProperties, string linkOptions, Func<NativeWorkspace, Dictionary<string, string?>> faults)
    {
        using var workspace = new NativeWorkspace();
        string marker = workspace.File("started");
        string project = SamplePrograms.WriteApp(workspace, projectProperties.Replace("{dir}", workspace.Path), $"""
              <ItemDefinitionGroup><Link><AdditionalOptions>{linkOptions.Replace("{dir}", workspace.Path)}</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        var environment = new Dictionary<string, string?>(SdkPackage.Environment) { ["FAULT_STARTED"] = marker };
        foreach (KeyValuePair<string, string?> fault in faults(workspace))
            environment[fault.Key] = fault.Value;

        using var build = new BackgroundProcess(workspace.Path, "dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "-v:n" }, environment);
        Assert.IsTrue(build.WaitForFile(marker, TimeSpan.FromMinutes(2)), "the phase was reached: " + build.OutputSoFar);
        Assert.IsNotEmpty(ProcessTable.Mentioning(workspace.Path, except: "dotnet build"), "the link is running");

        build.Signal("INT");

        CommandResult? ended = build.WaitForExit(TimeSpan.FromSeconds(20));
        Assert.IsNotNull(ended, "the build ends within seconds of Ctrl+C");
        Assert.AreNotEqual(0, ended.ExitCode);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(workspace.Path, TimeSpan.FromSeconds(5)), ended.StandardOutput);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.Mentioning(Scripts.Sleeper(workspace.Path)), "the sleeping faults are gone too");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no program that looks built");
        CollectionAssert.AreEqual(Array.Empty<string>(), Directory.GetFiles(workspace.File("app/bin/Release")), "no temporaries");

        // The next build runs without the faults' environment, so the wrappers do nothing odd.
        CommandResult next = workspace.Build(project, "-c", "Release");
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void DuringTheThinLink()
    {
        // The linker is a wrapper that announces itself and waits before lld starts; without
        // FAULT_SLOW_LINK (the next build) it runs lld at once.
        CancelDuringPhase("", "--ld-path={dir}/slow-lld.sh", workspace =>
        {
            Scripts.Write(workspace.File("slow-lld.sh"), $"if [ -n \"$FAULT_SLOW_LINK\" ]; then \"{Scripts.Sleeper(workspace.Path)}\" 30 & sleeper=$!; touch \"$FAULT_STARTED\"; wait $sleeper; fi\nexec {Toolchain.BinDirectory}/ld.lld \"$@\"\n");
            return new() { ["FAULT_SLOW_LINK"] = "1" };
        });
    }

    [TestMethod]
    public void DuringTheBackendCompiles()
    {
        CancelDuringPhase("", "-Wl,--thinlto-remote-compiler={dir}/faulty-clang.sh", workspace =>
        {
            Scripts.FaultyCompiler(workspace.Path);
            return new() { ["FAULT"] = "slow", ["FAULT_MODULE"] = "greet.o" };
        });
    }

    [TestMethod]
    public void DuringTheFinalLink()
    {
        // The distributor's host is a wrapper that, once the build has answered and the
        // distributor has exited, keeps lld waiting: the final link phase, held open.
        CancelDuringPhase("<DtltoDistributorHost>{dir}/slow-host.sh</DtltoDistributorHost>", "", workspace =>
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            Scripts.Write(workspace.File("slow-host.sh"), $"\"{dotnet}\" \"$@\"\nstatus=$?\nif [ -n \"$FAULT_SLOW_FINAL\" ]; then \"{Scripts.Sleeper(workspace.Path)}\" 30 & sleeper=$!; touch \"$FAULT_STARTED\"; wait $sleeper; fi\nexit $status\n");
            return new() { ["FAULT_SLOW_FINAL"] = "1" };
        });
    }
}
