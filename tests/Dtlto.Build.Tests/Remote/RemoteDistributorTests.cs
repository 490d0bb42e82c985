using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Support;
using Grpc.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// dtlto-distributor with --remote: real clang-22/lld-22 links whose backend compiles run as
/// Remote Execution API actions on the in-process test server, which runs the real clang.
/// </summary>
[TestClass]
public sealed class RemoteDistributorTests
{
    /// <summary>Distributor options for the server; racing and this machine's cache are off, so that every job's place (farm or here) is known.</summary>
    internal static string[] Remote(ReapiTestServer server, params string[] more) =>
        new[] { "--verbose", "--remote=" + server.Endpoint, "--remote-race=false", "--no-cache" }.Concat(more).Select(o => "-Xthinlto-distributor=" + o).ToArray();

    private static (int Jobs, int Hits) Summary(CommandResult link)
    {
        Match match = Regex.Match(link.StandardError, @"(\d+) backend jobs, \d+ workers(?: \([^)]*\))?, (\d+) cache hits");
        Assert.IsTrue(match.Success, "the link prints its summary: " + link);
        return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    [TestMethod]
    public async Task ALinkRunsOnTheFarmAndTheSameLinkFromAnotherFolderIsServedFromTheCache()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var first = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(first);

        CommandResult cold = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));

        ThinLtoBuild.Expect(cold, "cold link");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.AreEqual((5, 0), Summary(cold));
        Assert.AreEqual(5, server.State.Executed.Count, "every backend compile ran on the farm");
        StringAssert.Contains(cold.StandardError, "remote: 5 executed, 0 compiled here");

        CommandResult again = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));
        ThinLtoBuild.Expect(again, "second link");
        Assert.AreEqual((5, 5), Summary(again), "lld's temporary names changed, the actions did not");

        using var second = new TestDirectory("-elsewhere");
        foreach (string file in Directory.GetFiles(first.Path, "*.o"))
            File.Copy(file, second.File(Path.GetFileName(file)));
        var copy = new ThinLtoBuild(second.Path);
        CommandResult moved = copy.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));

        ThinLtoBuild.Expect(moved, "link from another folder");
        Assert.AreEqual((5, 5), Summary(moved), "another checkout path, the same actions");
        Assert.AreEqual(5, server.State.Executed.Count, "nothing ran on the farm again");
        Assert.AreEqual(CProgram.Output, copy.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task EachActionIsOneExecuteAndACachedResultWhoseObjectTheCasLetGoRunsAgain()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server)), "cold link");
        Assert.AreEqual(5, System.Collections.Generic.CollectionExtensions.GetValueOrDefault(server.State.Calls, "Execute"));
        Assert.AreEqual(0, System.Collections.Generic.CollectionExtensions.GetValueOrDefault(server.State.Calls, "GetActionResult"), "Execute looks in the farm's cache itself: no second call per action");

        // The action cache keeps its results; the CAS lets their objects go (as a CAS under pressure does).
        foreach (var result in server.State.ActionCache.Values)
        {
            foreach (var file in result.OutputFiles)
                server.State.Cas.TryRemove(ServerState.Key(file.Digest), out _);
        }

        CommandResult again = build.LinkWith(Toolchain.Distributor, "again", objects, Remote(server, "--remote-strict"));

        ThinLtoBuild.Expect(again, "a link whose cached results lost their objects");
        Assert.AreEqual(CProgram.Output, build.Run("again").StandardOutput);
        Assert.AreEqual(10, server.State.Executed.Count, "each action ran again, in a strict link: not a fall-back to this machine");
        StringAssert.Contains(again.StandardError, "remote: 5 executed, 0 compiled here");
    }

    [TestMethod]
    public async Task BlobsTheCasLetGoBeforeAnActionRanAreSentAgain()
    {
        // Every action of the link shares the compiler's identity and most share imports: each
        // blob's upload is remembered once per link, and forgotten when the server says it lost one.
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.ForgetCasBeforeFirstRun = true);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-strict"));

        ThinLtoBuild.Expect(link, "a link whose inputs the CAS let go once");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.AreEqual(5, server.State.Executed.Count, "every action ran on the farm, none here");
        Assert.IsGreaterThan(5, System.Collections.Generic.CollectionExtensions.GetValueOrDefault(server.State.Calls, "Execute"), "an action was sent again after its inputs");
    }

    [TestMethod]
    public async Task TheFarmsAccountOfEachActionIsInTheSummaryAndTheTrace()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--trace=" + dir.File("trace.json")));

        ThinLtoBuild.Expect(link, "link");
        Assert.IsTrue(Regex.IsMatch(link.StandardError, @"p50/p95: queued [\d.]+/[\d.]+ s, executing [\d.]+/[\d.]+ s, upload [\d.]+/[\d.]+ s, download [\d.]+/[\d.]+ s"), link.StandardError);
        using var trace = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(dir.File("trace.json")));
        var slices = trace.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.AreEqual(5, slices.Count(s => s.GetProperty("name").GetString() == "executing on test-worker"), "the worker's execution of each action");
        Assert.AreEqual(5, slices.Count(s => s.GetProperty("name").GetString() == "queued on the farm"));
        Assert.AreEqual(5, slices.Count(s => s.GetProperty("name").GetString() == "upload here"));
        Assert.AreEqual(5, slices.Count(s => s.TryGetProperty("args", out var args) && args.TryGetProperty("ran", out var ran) && ran.GetString()!.StartsWith("the farm", StringComparison.Ordinal)), "each job ran on the farm");
    }

    [TestMethod]
    public async Task ActionsNameNoTemporaryOrCheckoutPathAndCarryTheCompilerAndPlatform()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-platform=OSFamily=Linux", "--remote-platform=container-image=docker://example/llvm:22")), "link");

        var command = server.State.Commands.Single(c => c.Arguments.Contains("main.o"));
        string all = string.Join(" ", command.Arguments) + " " + string.Join(" ", command.OutputPaths);
        Assert.IsFalse(all.Contains(dir.Path), all);
        Assert.IsFalse(Regex.IsMatch(all, @"\.\d+\.[0-9A-F]+\.native|\.\d+\.\d+\.native"), "no lld process id in the action: " + all);
        CollectionAssert.Contains(command.Arguments.ToList(), "-fthinlto-index=.dtlto/main.o.thinlto.bc");
        CollectionAssert.AreEqual(new[] { ".dtlto/main.o.native.o" }, command.OutputPaths.ToList());
        var action = server.State.Executed.First();
        CollectionAssert.AreEqual(new[] { "OSFamily=Linux", "container-image=docker://example/llvm:22" }, action.Platform.Properties.Select(p => p.Name + "=" + p.Value).ToList(), "sorted by name");
        StringAssert.StartsWith(action.Salt.ToStringUtf8(), "compiler:", "the compiler's digest is part of every action");
    }

    [TestMethod]
    public async Task LargeBlobsGoThroughByteStreamWithinTheServersBatchLimit()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.MaxBatchTotalSizeBytes = 64 * 1024 + 2048);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        // A module of about 200 KB of bitcode, over the limit.
        dir.Write("table.c", "__attribute__((used)) const int table[] = {" + string.Join(",", Enumerable.Range(0, 40000)) + "};\nint lookup(int i) { return table[i]; }\n");
        string[] all = objects.Concat(build.Compile("table.c")).ToArray();

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", all, Remote(server));

        ThinLtoBuild.Expect(link, "link");
        Assert.IsGreaterThan(0, server.State.ByteStreamWrites, "the large module was uploaded through ByteStream");
        Assert.IsGreaterThan(0, server.State.ByteStreamReads, "its large object came back through ByteStream");
        Assert.IsGreaterThan(0, server.State.BatchUpdates, "small blobs still go in batches");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task UnavailableAnswersAreRetriedWithoutFallingBack()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => { state.FailNextCalls = 3; state.FailWith = StatusCode.Unavailable; });
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));

        ThinLtoBuild.Expect(link, "link");
        Assert.AreEqual(3, server.State.FailedCalls);
        Assert.AreEqual(5, server.State.Executed.Count, "every job still ran on the farm");
        StringAssert.Contains(link.StandardError, "3 calls retried");
        Assert.IsFalse(link.StandardError.Contains("warning"), link.StandardError);
    }

    [TestMethod]
    public async Task AnExecuteStreamThatEndsEarlyIsFollowedWithWaitExecution()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.EndExecuteStreamsEarly = true);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));

        ThinLtoBuild.Expect(link, "link");
        Assert.AreEqual(5, server.State.WaitExecutionCalls, "each operation was waited for by its name");
        Assert.AreEqual(5, server.State.Executed.Count);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task AnUnreachableFarmFallsBackToLocalCompilesWithAWarningOrFailsWhenStrict()
    {
        int port;
        await using (ReapiTestServer gone = await ReapiTestServer.StartAsync())
            port = new Uri(gone.Endpoint.Replace("grpc://", "http://")).Port;
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string[] remote = { "-Xthinlto-distributor=--remote=grpc://127.0.0.1:" + port, "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--no-cache" };

        CommandResult fallback = build.LinkWith(Toolchain.Distributor, "app", objects, remote);
        CommandResult strict = build.LinkWith(Toolchain.Distributor, "strict", objects, remote.Append("-Xthinlto-distributor=--remote-strict").ToArray());

        AssertFellBackOrFailed(build, dir, fallback, strict, $"cannot use the remote execution server at grpc://127.0.0.1:{port}: connection refused");
        StringAssert.Contains(fallback.StandardError, "the backend compiles run on this machine");
        StringAssert.Contains(fallback.StandardError, "remote: 0 executed, 5 compiled here (5 after farm failures)");
    }

    /// <summary>The fallback link warned and linked a working program; the strict one failed, saying why, and left no program.</summary>
    private static void AssertFellBackOrFailed(ThinLtoBuild build, TestDirectory dir, CommandResult fallback, CommandResult strict, string why)
    {
        ThinLtoBuild.Expect(fallback, "link with fallback");
        StringAssert.Contains(fallback.StandardError, "dtlto-distributor: warning: " + why);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.AreNotEqual(0, strict.ExitCode);
        StringAssert.Contains(strict.StandardError, why);
        Assert.IsFalse(File.Exists(dir.File("strict")));
    }

    [TestMethod]
    public async Task AJobTheFarmFailsCompilesLocallyOrFailsTheLinkWhenStrict()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        // Every Execute fails, for good (an INTERNAL error is not retried).
        server.State.FailWith = StatusCode.Internal;
        server.State.FailOnlyMethod = "/Execute";
        server.State.FailNextCalls = 1000;

        CommandResult fallback = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server));
        CommandResult strict = build.LinkWith(Toolchain.Distributor, "strict", objects, Remote(server, "--remote-strict"));

        AssertFellBackOrFailed(build, dir, fallback, strict, "the remote execution server failed");
        StringAssert.Contains(fallback.StandardError, "Internal: failure injected by the test");
    }

    [TestMethod]
    public async Task CacheOnlyCompilesHereUploadsTheResultsAndServesTheNextLink()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult cold = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-mode=cache-only"));
        CommandResult warm = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-mode=cache-only"));

        ThinLtoBuild.Expect(cold, "cold link");
        ThinLtoBuild.Expect(warm, "warm link");
        Assert.AreEqual(0, server.State.ExecuteCalls, "nothing ran on the farm");
        Assert.AreEqual(5, server.State.ResultUpdates, "each local result was published");
        StringAssert.Contains(cold.StandardError, "remote: 0 executed, 5 compiled here");
        Assert.AreEqual((5, 5), Summary(warm));
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task TheTokenGoesInTheAuthorizationHeaderAndIsNeverPrinted()
    {
        const string token = "s3cret-t0ken-value";
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.RequiredToken = token);
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        dir.Write("token", token + "\n");
        dir.Write("wrong", "not-the-token\n");

        CommandResult withToken = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-token-file=" + dir.File("token")));
        CommandResult wrong = build.LinkWith(Toolchain.Distributor, "strict", objects, Remote(server, "--remote-token-file=" + dir.File("wrong"), "--remote-strict"));
        CommandResult missing = build.LinkWith(Toolchain.Distributor, "none", objects, Remote(server, "--remote-token-env=DTLTO_TEST_NO_SUCH_VARIABLE"));

        ThinLtoBuild.Expect(withToken, "link with the token");
        Assert.AreEqual(5, server.State.Executed.Count);
        Assert.AreNotEqual(0, wrong.ExitCode);
        StringAssert.Contains(wrong.StandardError, "Unauthenticated");
        Assert.AreNotEqual(0, missing.ExitCode);
        StringAssert.Contains(missing.StandardError, "dtlto-distributor: error: the environment variable DTLTO_TEST_NO_SUCH_VARIABLE that should hold the remote token is not set");
        foreach (CommandResult link in new[] { withToken, wrong, missing })
            Assert.IsFalse((link.StandardOutput + link.StandardError).Contains("s3cret"), "the token is never printed");
    }

    [TestMethod]
    public async Task TheCompilerAndItsLlvmLibrariesCanTravelWithTheActions()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server, "--remote-upload-toolchain"));

        ThinLtoBuild.Expect(link, "link");
        Assert.AreEqual(5, server.State.Commands.Count, link.StandardError);
        foreach (var command in server.State.Commands)
            Assert.AreEqual(".dtlto-toolchain/bin/clang", command.Arguments[0], "the worker ran the clang that came with the action");
        FileSystemInfo libLlvm = new FileInfo("/usr/lib/llvm-22/lib/libLLVM.so.22.1").ResolveLinkTarget(returnFinalTarget: true)!;
        Assert.IsTrue(server.State.Cas.Values.Any(blob => blob.LongLength == ((FileInfo)libLlvm).Length), "libLLVM was uploaded");
        Assert.IsGreaterThan(0, server.State.ByteStreamWrites, "through ByteStream, being far over the batch limit");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task AnUnchangedToolchainIsNotHashedAgainOnTheNextLink()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        var cache = new System.Collections.Generic.Dictionary<string, string?> { ["XDG_CACHE_HOME"] = dir.File("user-cache") };
        string[] remote = Remote(server, "--remote-upload-toolchain");

        CommandResult first = build.LinkWith(cache, Toolchain.Distributor, "app", objects, remote);
        CommandResult second = build.LinkWith(cache, Toolchain.Distributor, "app", objects, remote);

        ThinLtoBuild.Expect(first, "first link");
        ThinLtoBuild.Expect(second, "second link");
        Match hashedFirst = Regex.Match(first.StandardError, @"hashed ([\d.]+) MB in ([\d.]+) s, (\d+) files from the digest cache");
        Match hashedSecond = Regex.Match(second.StandardError, @"hashed ([\d.]+) MB in ([\d.]+) s, (\d+) files from the digest cache");
        Assert.IsTrue(hashedFirst.Success && hashedSecond.Success, first.StandardError + second.StandardError);
        Assert.IsGreaterThan(100.0, double.Parse(hashedFirst.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), "the first link hashes the toolchain");
        Assert.IsLessThan(1.0, double.Parse(hashedSecond.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), "the second hashes only lld's new index shards");
        Assert.IsGreaterThanOrEqualTo(3, int.Parse(hashedSecond.Groups[3].Value), "clang, its libraries and the bitcode came from the digest cache");
        Assert.IsTrue(File.Exists(dir.File("user-cache/dtlto/digests-v1.tsv")));
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task BlobsTravelZstdCompressedWhenTheServerTakesItAndAsTheyAreWhenNot()
    {
        await using ReapiTestServer zstd = await ReapiTestServer.StartAsync(state => state.MaxBatchTotalSizeBytes = 64 * 1024 + 2048);
        await using ReapiTestServer plain = await ReapiTestServer.StartAsync(state => { state.Zstd = false; state.MaxBatchTotalSizeBytes = 64 * 1024 + 2048; });
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        // A module of about 200 KB of bitcode: it and its object go through ByteStream.
        dir.Write("table.c", "__attribute__((used)) const int table[] = {" + string.Join(",", Enumerable.Range(0, 40000)) + "};\nint lookup(int i) { return table[i]; }\n");
        string[] all = objects.Concat(build.Compile("table.c")).ToArray();

        CommandResult compressed = build.LinkWith(Toolchain.Distributor, "app", all, Remote(zstd));
        ThinLtoBuild.Expect(compressed, "link with zstd");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        CommandResult asTheyAre = build.LinkWith(Toolchain.Distributor, "app", all, Remote(plain));
        ThinLtoBuild.Expect(asTheyAre, "link without");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);

        Assert.IsGreaterThan(0, zstd.State.CompressedBlobs);
        Assert.IsGreaterThan(0, zstd.State.ByteStreamWrites, "the large module went through ByteStream, compressed");
        Assert.AreEqual(0, plain.State.CompressedBlobs);
        Match sent = Regex.Match(compressed.StandardError, @"sent ([\d.]+) MB, received ([\d.]+) MB \(zstd; ([\d.]+) and ([\d.]+) MB as they are\)");
        Assert.IsTrue(sent.Success, compressed.StandardError);
        Assert.IsLessThan(plain.State.BytesReceived, zstd.State.BytesReceived, $"the server received fewer bytes: {zstd.State.BytesReceived} compressed, {plain.State.BytesReceived} not");
        Assert.IsLessThan(plain.State.BytesSent, zstd.State.BytesSent, $"and sent fewer: {zstd.State.BytesSent} compressed, {plain.State.BytesSent} not");
        Assert.IsFalse(asTheyAre.StandardError.Contains("zstd"), asTheyAre.StandardError);
    }

    [TestMethod]
    public async Task AFailingCompileOnTheFarmIsACompileErrorNotAFallback()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        // An option clang rejects makes every backend compile fail with clang's own error.
        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(server).Concat(new[] { "-Xlinker", "--thinlto-remote-compiler-arg=--no-such-clang-option" }).ToArray());

        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardError, "unknown argument: '--no-such-clang-option'");
        StringAssert.Contains(link.StandardError, ", 0 compiled here", "no fallback: the compile itself failed");
        Assert.IsEmpty(server.State.ActionCache, "failures are not cached");
    }
}
