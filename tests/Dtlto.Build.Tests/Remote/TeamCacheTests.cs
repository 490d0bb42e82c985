using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// What a link leaves in the team's action cache, against a server that behaves as most real
/// ones do (an action whose client cancelled it is stopped and fills nothing): races won here are
/// published, so another checkout is served wholly from the cache; a read-only client
/// (--remote-upload=false) and a server that takes no results leave it as it was, and say so.
/// </summary>
[TestClass]
public sealed class TeamCacheTests
{
    /// <summary>A farm too slow to win any race, that abandons what its clients cancel.</summary>
    private static Task<ReapiTestServer> SlowRealisticServer(Action<ServerState>? more = null) => ReapiTestServer.StartAsync(state =>
    {
        state.ExecuteDelay = TimeSpan.FromSeconds(60);
        state.FinishCancelledActions = false;
        more?.Invoke(state);
    });

    private static ThinLtoBuild CopyOfCheckout(TestDirectory from, TestDirectory to)
    {
        foreach (string file in Directory.GetFiles(from.Path, "*.o"))
            File.Copy(file, to.File(Path.GetFileName(file)));
        return new ThinLtoBuild(to.Path);
    }

    [TestMethod]
    public async Task RacesWonHereFillTheTeamCacheSoAnotherCheckoutIsServedFromIt()
    {
        await using ReapiTestServer server = await SlowRealisticServer();
        using var first = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(first);

        CommandResult cold = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(cold, "cold raced link");
        StringAssert.Contains(cold.StandardError, "races won 5 here, 0 on the farm");
        StringAssert.Contains(cold.StandardError, "5 results compiled here put in the action cache");
        Assert.AreEqual(5, server.State.ResultUpdates);
        Assert.IsEmpty(server.State.Executed, "the farm finished none of the actions it was told to stop");

        using var second = new TestDirectory("-elsewhere");
        ThinLtoBuild copy = CopyOfCheckout(first, second);
        CommandResult served = copy.LinkWith(Toolchain.Distributor, "app", objects, RemoteDistributorTests.Remote(server));

        ThinLtoBuild.Expect(served, "link of another checkout");
        StringAssert.Contains(served.StandardError, $"5 backend jobs, 5 workers (actions in flight at most; {System.Environment.ProcessorCount} compiles at once here), 5 cache hits", "wholly from the action cache: " + served.StandardError);
        StringAssert.Contains(served.StandardError, "remote: 0 executed, 0 compiled here");
        Assert.AreEqual(CProgram.Output, copy.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task AReadOnlyClientNeverWritesTheActionCache()
    {
        await using ReapiTestServer server = await SlowRealisticServer();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult raced = build.LinkWith(Toolchain.Distributor, "app", objects,
            "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--remote-upload=false", "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--no-cache");
        int writesBeforeCacheOnly = server.State.BatchUpdates + server.State.ByteStreamWrites;
        CommandResult cacheOnly = build.LinkWith(Toolchain.Distributor, "cache-only", objects,
            "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--remote-mode=cache-only", "-Xthinlto-distributor=--remote-upload=false", "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--no-cache");

        ThinLtoBuild.Expect(raced, "raced link");
        ThinLtoBuild.Expect(cacheOnly, "cache-only link");
        StringAssert.Contains(raced.StandardError, "5 results compiled here stayed local (uploads are off)");
        StringAssert.Contains(cacheOnly.StandardError, "5 results compiled here stayed local (uploads are off)");
        Assert.AreEqual(0, server.State.ResultUpdates, "no result was written");
        Assert.AreEqual(writesBeforeCacheOnly, server.State.BatchUpdates + server.State.ByteStreamWrites, "a read-only cache-only link sends no blob");
        Assert.IsFalse(cacheOnly.StandardError.Contains("does not accept action results"), cacheOnly.StandardError);
        Assert.AreEqual(CProgram.Output, build.Run("cache-only").StandardOutput);
    }

    [TestMethod]
    public async Task AServerThatTakesNoResultsLeavesThemLocalAndTheSummarySaysSo()
    {
        await using ReapiTestServer server = await SlowRealisticServer(state => state.UpdateEnabled = false);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--remote=" + server.Endpoint, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "5 results compiled here stayed local (the server takes no results from clients)");
        Assert.AreEqual(0, server.State.ResultUpdates);
    }
}
