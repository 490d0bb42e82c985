using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// dtlto-distributor against a farm that lies, hangs or floods (the test server's hostile modes,
/// a listener that never speaks gRPC), in real clang-22/lld-22 links with this machine's cache
/// on. For each: how the link ends and how soon, what it says (in words, no resource keys), the
/// largest process's memory, and that nothing bad was kept: a second link with the same cache and
/// no farm succeeds and its program runs.
/// </summary>
[TestClass]
public sealed class HostileFarmTests
{
    private const double StallSeconds = 5;

    /// <summary>A framework resource key where a sentence should be (Argument_AddingDuplicateWithKey, net_http_..., IO_StreamTooLong).</summary>
    private static readonly Regex ResourceKey = new(@"\b(?:[A-Z][a-z]+[A-Za-z]*|net|IO)_[A-Za-z_]+\b");

    /// <summary>What a link against the farm did; the programs' outputs are null when there is no program.</summary>
    private sealed record Outcome(CommandResult Link, double Seconds, double PeakMb, string? Program, CommandResult Again, string? ProgramAfter);

    private static async Task<Outcome> LinkAgainst(string endpoint, bool strict, params string[] more)
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");
        string report = dir.File("peak-rss");
        var options = new List<string> { "--verbose", "--remote=" + endpoint, "--remote-race=false", $"--remote-stall-timeout={StallSeconds}" };
        if (strict)
            options.Add("--remote-strict");
        options.AddRange(more);
        var clock = Stopwatch.StartNew();
        CommandResult link = await Task.Run(() => build.LinkWith(PeakMemory.Environment(Toolchain.Distributor, report), PeakMemory.Program, "app", objects, options.Select(o => "-Xthinlto-distributor=" + o).Append(cache).ToArray()));
        double seconds = clock.Elapsed.TotalSeconds;
        double peak = File.Exists(report) ? PeakMemory.Read(report) : 0;
        string? program = File.Exists(dir.File("app")) ? build.Run("app").StandardOutput : null;
        CommandResult again = build.LinkWith(Toolchain.Distributor, "again", objects, cache, "-Xthinlto-distributor=--verbose");
        string? after = File.Exists(dir.File("again")) ? build.Run("again").StandardOutput : null;
        return new Outcome(link, seconds, peak, program, again, after);
    }

    private static async Task<Outcome> LinkAgainst(Hostility hostility, bool strict, Action<ServerState>? configure = null, string? hang = null)
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state =>
        {
            state.Hostility = hostility;
            state.HangMethod = hang;
            configure?.Invoke(state);
        });
        // GetActionResult is asked only by a link that does not execute on the farm (Execute looks in the cache itself).
        return await LinkAgainst(server.Endpoint, strict, hang == "GetActionResult" ? new[] { "--remote-mode=cache-only" } : Array.Empty<string>());
    }

    /// <summary>
    /// Appends the case's figures to the file DTLTO_HOSTILE_TABLE names, when it is set
    /// (bench/hostile_farm_table.sh prints them as a table): case, exit code, seconds, peak MB, cache clean.
    /// </summary>
    private static void Record(string label, Outcome outcome)
    {
        if (Environment.GetEnvironmentVariable("DTLTO_HOSTILE_TABLE") is not { Length: > 0 } table)
            return;
        File.AppendAllText(table, string.Join("\t", label, outcome.Link.ExitCode, outcome.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
            outcome.PeakMb.ToString("0", System.Globalization.CultureInfo.InvariantCulture), outcome.Again.ExitCode == 0 && outcome.ProgramAfter == CProgram.Output ? "yes" : "no") + "\n");
    }

    private static void AssertBounded(Outcome outcome, string label)
    {
        Record(label, outcome);
        Assert.IsLessThan(StallSeconds + 20, outcome.Seconds, "the link ends within the stall timeout and a few seconds: " + outcome.Link);
        Assert.IsLessThan(1000, outcome.PeakMb, "no process of the link takes a gigabyte");
        Assert.IsFalse(ResourceKey.IsMatch(outcome.Link.StandardError), "every message is a sentence: " + outcome.Link.StandardError);
        // Nothing bad was kept: the same link with the same cache and no farm succeeds.
        ThinLtoBuild.Expect(outcome.Again, "the link after it, without the farm");
        Assert.AreEqual(CProgram.Output, outcome.ProgramAfter);
    }

    private static void AssertFellBack(Outcome outcome, string said, string label)
    {
        ThinLtoBuild.Expect(outcome.Link, "the non-strict link");
        Assert.AreEqual(CProgram.Output, outcome.Program);
        StringAssert.Contains(outcome.Link.StandardError, "dtlto-distributor: warning: ");
        StringAssert.Contains(outcome.Link.StandardError, said);
        AssertBounded(outcome, label);
    }

    [TestMethod]
    [DataRow(Hostility.RandomOutputs, "failed the object check")]
    [DataRow(Hostility.TamperedBlobs, "came back with other content")]
    [DataRow(Hostility.DuplicatePaths, "twice")]
    [DataRow(Hostility.HugeDeclaredSize, "it claims 50000000000 bytes for the output")]
    [DataRow(Hostility.GarbageOperation, "carries no ExecuteResponse")]
    public async Task AFarmAnswerThatCannotBeUsedIsCompiledHere(Hostility hostility, string said)
    {
        Outcome outcome = await LinkAgainst(hostility, strict: false);

        AssertFellBack(outcome, said, hostility.ToString());
        if (hostility != Hostility.GarbageOperation && hostility != Hostility.ExitCodeWithText)
            StringAssert.Contains(outcome.Link.StandardError, "the farm's result of action ");
    }

    [TestMethod]
    [DataRow(Hostility.EndlessByteStream, "the server sent more than ")]
    [DataRow(Hostility.ZstdBomb, "bytes of blob")]
    public async Task AStreamThatNeverEndsOrExpandsWithoutEndIsCutAtItsDigestsSize(Hostility hostility, string said)
    {
        // A batch limit this small sends every blob through ByteStream.
        Outcome outcome = await LinkAgainst(hostility, strict: false, state => state.MaxBatchTotalSizeBytes = 64 * 1024 + 100);

        AssertFellBack(outcome, said, hostility + " (ByteStream)");
    }

    [TestMethod]
    public async Task AZstdBombInABatchIsRefusedAtTheBlobsSize()
    {
        Outcome outcome = await LinkAgainst(Hostility.ZstdBomb, strict: false);

        AssertFellBack(outcome, "could not be decompressed", "ZstdBomb (batch)");
    }

    [TestMethod]
    public async Task OutputsNobodyAskedForAreIgnoredAndNothingIsWrittenOutsideTheLink()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.Hostility = Hostility.ExtraAndEscapingPaths);
        File.Delete("/tmp/dtlto-absolute-escape.o");

        Outcome outcome = await LinkAgainst(server.Endpoint, strict: false);

        ThinLtoBuild.Expect(outcome.Link, "link");
        Assert.AreEqual(CProgram.Output, outcome.Program);
        StringAssert.Contains(outcome.Link.StandardError, "remote: 5 executed, 0 compiled here");
        Assert.IsFalse(File.Exists("/tmp/dtlto-absolute-escape.o"));
        // Not through symbolic links: a Wine prefix of the run links its drive Z: to the root.
        var everywhere = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        Assert.IsEmpty(Directory.GetFiles(Path.Combine(Path.GetTempPath(), "dtlto-tests"), "escaped.o", everywhere));
        AssertBounded(outcome, "ExtraAndEscapingPaths");
    }

    [TestMethod]
    [DataRow("GetCapabilities")]
    [DataRow("GetActionResult")]
    public async Task ACallAcceptedAndNeverAnsweredEndsAtItsDeadline(string method)
    {
        Outcome outcome = await LinkAgainst(Hostility.None, strict: false, hang: method);

        // The first call says what the silence means: something took the connection and never answered.
        string said = method == "GetCapabilities" ? $"no answer within {StallSeconds} s (GetCapabilities): something accepted the connection" : $"{method} got no answer from the server within {StallSeconds} s";
        AssertFellBack(outcome, said, method + " never answered");
    }

    [TestMethod]
    public async Task AnUploadNeverAnsweredEndsAtItsDeadlineOrTheStallWhicheverComesFirst()
    {
        // An upload runs under the stall clock too: its deadline and the stall end it together.
        Outcome outcome = await LinkAgainst(Hostility.None, strict: false, hang: "FindMissingBlobs");

        string said = outcome.Link.StandardError.Contains("FindMissingBlobs got no answer") ? "FindMissingBlobs got no answer from the server within 5 s"
            : "(platform (none); 0 queued, 0 executing, 0 waiting here, 5 uploading; the server stopped answering the transfers of inputs or outputs)";
        AssertFellBack(outcome, said, "FindMissingBlobs never answered");
    }

    [TestMethod]
    public async Task AListenerThatNeverSpeaksGrpcEndsAtTheFirstCallsDeadline()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        Task accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                    accepted.Add(await listener.AcceptTcpClientAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });

        Outcome outcome = await LinkAgainst($"grpc://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", strict: false);

        listener.Stop();
        await accepting;
        accepted.ForEach(c => c.Dispose());
        AssertFellBack(outcome, $"no answer within {StallSeconds} s (GetCapabilities): something accepted the connection", "a listener that never speaks gRPC");
    }

    [TestMethod]
    [DataRow(Hostility.RandomOutputs, null, true, "failed the object check")]
    [DataRow(Hostility.None, "GetActionResult", true, "GetActionResult got no answer from the server")]
    [DataRow(Hostility.ExitCodeWithText, null, true, "failed: the compiler exited with code 1 on the farm (worker test-worker)")]
    [DataRow(Hostility.ExitCodeWithText, null, false, "failed: the compiler exited with code 1 on the farm (worker test-worker)")]
    public async Task ALinkFailsNamingWhatTheFarmDid(Hostility hostility, string? hang, bool strict, string said)
    {
        // A compile the farm ran and that failed is the job's failure in either mode, as a compile error here would be.
        Outcome outcome = await LinkAgainst(hostility, strict, hang: hang);

        Assert.AreNotEqual(0, outcome.Link.ExitCode);
        StringAssert.Contains(outcome.Link.StandardError, "dtlto-distributor: error: ");
        StringAssert.Contains(outcome.Link.StandardError, said);
        if (hostility == Hostility.ExitCodeWithText)
            StringAssert.Contains(outcome.Link.StandardError, "worker: clang: No such file or directory", "the farm's own words");
        Assert.IsNull(outcome.Program, "no program");
        AssertBounded(outcome, (hang is null ? hostility.ToString() : hang + " never answered") + (strict ? ", strict" : ""));
    }
}
