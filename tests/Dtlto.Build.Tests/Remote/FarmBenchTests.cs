using System;
using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// The farm benchmarks on inputs small enough for the suite: bench/farm_bench.py (the figures of
/// docs/remote-at-scale.md), whose simulated farm's objects must pass the client's object check or
/// the benchmark measures a link that fails; bench/team_cache_bench.py (the relink through a
/// team's cache in docs/performance.md), whose every way must relink the program.
/// </summary>
[TestClass]
public sealed class FarmBenchTests
{
    private static string TestServer
    {
        get
        {
            string distributorFolder = Path.GetDirectoryName(Toolchain.Distributor)!;
            string path = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(distributorFolder))!, "Dtlto.Build.RemoteTestServer", Path.GetFileName(distributorFolder), "dtlto-remote-test-server");
            if (!File.Exists(path))
                Assert.Fail($"dtlto-remote-test-server was not found at {path}");
            return path;
        }
    }

    [TestMethod]
    public void TheSimulatedFarmBenchmarkLinksATinyJobListOnItsWorkers()
    {
        CommandResult run = Command.Run(RepositoryPaths.Root, "python3",
            new[] { "bench/farm_bench.py", "--distributor", Toolchain.Distributor, "--server", TestServer, "--jobs", "40", "--workers", "4", "--latency-ms", "1" },
            TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Matches(run.StandardOutput, new System.Text.RegularExpressions.Regex(@"\n\s+40\s+4\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+\d+\s+[0-9.]+\s+[0-9.]+\s+40\s"), "a row of 40 jobs on 4 workers, all 40 executed: " + run);
    }

    [TestMethod]
    public void TheTeamCacheBenchmarkRelinksATinyProgramInEveryWay()
    {
        using var dir = new TestDirectory();
        CommandResult run = Command.Run(RepositoryPaths.Root, "python3",
            new[] { "bench/team_cache_bench.py", "--program", "generated", "--modules", "4", "--runs", "1", "--distributor", Toolchain.Distributor, "--server", TestServer, "--work", dir.File("work") },
            TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Matches(run.StandardOutput, new System.Text.RegularExpressions.Regex(@"in-process lld, own cache\s+[0-9.]+\s+1\.00x"), run.ToString());
        StringAssert.Matches(run.StandardOutput, new System.Text.RegularExpressions.Regex(@"farm, team cache only\s+[0-9.]+\s+[0-9.]+x\s+[345] of 5 jobs handed over \([012] run on the farm\)"), "the unchanged modules come from the farm's cache: " + run);
        StringAssert.Matches(run.StandardOutput, new System.Text.RegularExpressions.Regex(@"farm \+ lld's cache\s+[0-9.]+\s+[0-9.]+x\s+0 of [12] jobs handed over"), "lld hands over only the changed module: " + run);
    }
}
