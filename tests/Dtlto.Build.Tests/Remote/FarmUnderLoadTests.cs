using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// dtlto-distributor against a farm that pushes back, stalls, times actions out, or is slower
/// than this machine: real clang-22/lld-22 links through the in-process test server.
/// </summary>
[TestClass]
public sealed class FarmUnderLoadTests
{
    private const int Modules = 120;

    /// <summary>A program of <see cref="Modules"/> modules, each calling the one before; main prints the sum of the chain.</summary>
    private static (ThinLtoBuild Build, string[] Objects, string Output) CompileChainProgram(TestDirectory dir)
    {
        var sources = new List<string>();
        for (int i = 0; i < Modules; i++)
        {
            string previous = i == 0 ? "return x;" : $"return f{i - 1}(x + {i}) ^ {i * 7};";
            string declaration = i == 0 ? "" : $"int f{i - 1}(int x);\n";
            sources.Add(dir.Write($"m{i}.c", $"{declaration}__attribute__((noinline)) int f{i}(int x) {{ {previous} }}\n"));
        }

        sources.Add(dir.Write("main.c", $"#include <stdio.h>\nint f{Modules - 1}(int x);\nint main(void) {{ printf(\"%d\\n\", f{Modules - 1}(1)); return 0; }}\n"));
        var build = new ThinLtoBuild(dir.Path);
        var objects = new string[sources.Count];
        Parallel.For(0, sources.Count, i => objects[i] = build.Compile(Path.GetFileName(sources[i]))[0]);
        return (build, objects, F(Modules - 1, 1) + "\n");
    }

    /// <summary>What the program's f{i} computes.</summary>
    private static int F(int i, int x) => i == 0 ? x : F(i - 1, x + i) ^ (i * 7);

    [TestMethod]
    public async Task ALinkOfOverAHundredJobsThroughAFarmCappedAtFourSucceedsInStrictModeWithEveryJobRemote()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.MaxConcurrentExecutions = 4);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects, string output) = CompileChainProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, RemoteDistributorTests.Remote(server, "--remote-strict"));

        ThinLtoBuild.Expect(link, "link through the capped farm");
        Assert.AreEqual(Modules + 1, server.State.Executed.Count, "every job executed on the farm");
        StringAssert.Contains(link.StandardError, $"remote: {Modules + 1} executed, 0 compiled here");
        Assert.IsGreaterThan(0, server.State.PushedBack, "the farm pushed back");
        Assert.IsLessThanOrEqualTo(4, server.State.PeakExecuting);
        Match pushed = Regex.Match(link.StandardError, @"farm pushed back (\d+) times \(in-flight limit fell to (\d+)\)");
        Assert.IsTrue(pushed.Success, link.StandardError);
        Assert.AreEqual(server.State.PushedBack, int.Parse(pushed.Groups[1].Value), "every push-back is counted");
        Assert.IsLessThanOrEqualTo(4, int.Parse(pushed.Groups[2].Value), "the limit came down to what the farm takes");
        Assert.AreEqual(output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task TheDelayAServerAsksForIsHonoured()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state =>
        {
            state.MaxConcurrentExecutions = 1;
            state.RetryDelayHint = TimeSpan.FromMilliseconds(700);
        });
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        var clock = Stopwatch.StartNew();

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, RemoteDistributorTests.Remote(server, "--remote-strict"));

        ThinLtoBuild.Expect(link, "link");
        Assert.IsGreaterThan(0, server.State.PushedBack);
        // The first push-back asks for 0.7 s; the client's own first retry would wait only about 0.2 s.
        Assert.IsGreaterThan(0.7, clock.Elapsed.TotalSeconds);
        Assert.AreEqual(5, server.State.Executed.Count);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task AnActionNoWorkerTakesEndsTheLinkAtTheStallTimeoutSayingWhatWaits()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.WorkerPlatform = new[] { "OSFamily=Linux" });
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string[] windows = { "--remote-platform=OSFamily=Windows", "--remote-stall-timeout=3" };
        var clock = Stopwatch.StartNew();

        CommandResult strict = build.LinkWith(Toolchain.Distributor, "strict", objects, RemoteDistributorTests.Remote(server, windows.Append("--remote-strict").ToArray()));
        TimeSpan strictTook = clock.Elapsed;
        CommandResult fallback = build.LinkWith(Toolchain.Distributor, "app", objects, RemoteDistributorTests.Remote(server, windows));

        Assert.AreNotEqual(0, strict.ExitCode);
        Assert.IsLessThan(30.0, strictTook.TotalSeconds, "the link stops waiting at the stall timeout");
        StringAssert.Contains(strict.StandardError, "no action came back from the remote execution server at");
        StringAssert.Contains(strict.StandardError, "for 3 s (platform OSFamily=Windows; 5 queued, 0 executing, 0 waiting here; is there a worker for that platform?)");
        StringAssert.Contains(strict.StandardError, "dtlto-distributor: waiting for the farm: 5 queued, 0 executing, 0 waiting here", "a status line while the actions wait");
        Assert.IsFalse(File.Exists(dir.File("strict")));

        ThinLtoBuild.Expect(fallback, "link that falls back");
        StringAssert.Contains(fallback.StandardError, "dtlto-distributor: warning: no action came back");
        StringAssert.Contains(fallback.StandardError, "The remaining backend compiles run on this machine.");
        StringAssert.Contains(fallback.StandardError, "remote: 0 executed, 5 compiled here (5 after farm failures)");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.IsEmpty(server.State.Executed, "no worker ever took them");
    }

    [TestMethod]
    public async Task TheJobTimeoutIsTheActionsTimeoutOnTheFarm()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string hanging = Scripts.Write(dir.File("hanging-clang.sh"), "case \"$*\" in *fib.o*) sleep 600 ;; esac\nexec " + Toolchain.BinDirectory + "/clang \"$@\"\n");
        var clock = Stopwatch.StartNew();

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects,
            RemoteDistributorTests.Remote(server, "--job-timeout=2").Append($"-Wl,--thinlto-remote-compiler={hanging}").ToArray());

        Assert.AreNotEqual(0, link.ExitCode);
        Assert.IsLessThan(30.0, clock.Elapsed.TotalSeconds);
        StringAssert.Contains(link.StandardError, "backend compile of 'fib.o' failed: timed out after 2 s on the farm and was stopped there");
        StringAssert.Contains(link.StandardError, ", 0 compiled here", "a timeout is the job's failure, not the farm's");
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning("sleep 600", TimeSpan.FromSeconds(5)), "the worker killed the action");
    }

    [TestMethod]
    public async Task IdleCoresHereWinTheRaceAgainstASlowFarm()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.ExecuteDelay = TimeSpan.FromSeconds(60));
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        var clock = Stopwatch.StartNew();

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(link, "raced link");
        Assert.IsLessThan(30.0, clock.Elapsed.TotalSeconds, "the link did not wait for the farm");
        StringAssert.Contains(link.StandardError, "remote: 0 executed, 5 compiled here, races won 5 here, 0 on the farm");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.here*").Concat(Directory.GetFiles(dir.Path, "*.farm*")), "no racer's files left");
    }

    [TestMethod]
    public async Task TheFarmWinsTheRaceAgainstSlowCoresHereWhichAreStopped()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.ExecuteDelay = TimeSpan.FromSeconds(1));
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);
        // Every compile here sleeps for 30 s first; the farm runs the same script without the fault.
        var slowHere = new Dictionary<string, string?> { ["FAULT"] = "slow", ["FAULT_MODULE"] = ".o" };
        var clock = Stopwatch.StartNew();

        CommandResult link = build.LinkWith(slowHere, Toolchain.Distributor, "app", objects,
            $"-Wl,--thinlto-remote-compiler={faulty}", "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(link, "raced link");
        Assert.IsLessThan(25.0, clock.Elapsed.TotalSeconds, "the link did not wait for the slow compiles here");
        Match races = Regex.Match(link.StandardError, @"races won 0 here, (\d+) on the farm");
        Assert.IsTrue(races.Success, link.StandardError);
        Assert.IsGreaterThanOrEqualTo(2, int.Parse(races.Groups[1].Value), "both cores here raced");
        StringAssert.Contains(link.StandardError, "remote: 5 executed, 0 compiled here");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(dir.Path, TimeSpan.FromSeconds(5)), "the losing compiles here were stopped");
    }
}
