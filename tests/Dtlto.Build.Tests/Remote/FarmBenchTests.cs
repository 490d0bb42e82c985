using System;
using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// bench/farm_bench.py, the figures of docs/remote-at-scale.md, on a job list small enough for
/// the suite: the simulated farm's objects must pass the client's object check, or the benchmark
/// measures a link that fails.
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
}
