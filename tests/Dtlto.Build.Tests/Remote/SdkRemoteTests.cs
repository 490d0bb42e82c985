using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// The MSBuild SDK with DtltoRemoteEndpoint against the in-process REAPI server, with the remote
/// batch in the build's own process and, as Visual Studio's MSBuild.exe runs it, in
/// dtlto-distributor (DtltoRemoteOutOfProcess=true): links on the farm and from its cache, Ctrl+C,
/// an unreachable farm, a stalled one, racing, and mutual TLS.
/// </summary>
[TestClass]
public sealed class SdkRemoteTests
{
    /// <summary>This machine's backend cache off, so that every job goes to the farm (the two tiers together have a test of their own).</summary>
    private const string NoLocalCache = "-p:DtltoCache=false";

    private static (int Jobs, int Hits) Summary(CommandResult build)
    {
        Match match = Regex.Match(build.StandardOutput, @"Backend compiles: (\d+) backend jobs, \d+ workers(?: \([^)]*\))?, (\d+) cache hits");
        Assert.IsTrue(match.Success, "the link says what ran: " + build);
        return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    [TestMethod]
    [DataRow("Integrated", false)]
    [DataRow("Split", false)]
    [DataRow("Integrated", true)]
    [DataRow("Split", true)]
    public async Task AReleaseBuildLinksOnTheFarmAndAnotherCheckoutIsServedEntirelyFromTheCache(string mode, bool outOfProcess)
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var first = new NativeWorkspace();
        string project = SamplePrograms.WriteAppWithLibrary(first);

        CommandResult cold = first.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-p:DtltoMode=" + mode, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false");

        Assert.AreEqual(0, cold.ExitCode, cold.ToString());
        Assert.AreEqual((4, 0), Summary(cold), "main, greet, numbers and the library member: all executed");
        StringAssert.Contains(cold.StandardOutput, "(remote: 4 executed, 0 compiled here");
        StringAssert.Contains(cold.StandardOutput, $"Running 4 backend compiles through {server.Endpoint}");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(first.Path, first.File("app/bin/Release/app")).StandardOutput);

        using var second = new NativeWorkspace("-second-checkout");
        string copy = SamplePrograms.WriteAppWithLibrary(second);
        CommandResult warm = second.Build(copy, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-p:DtltoMode=" + mode, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false");

        Assert.AreEqual(0, warm.ExitCode, warm.ToString());
        Assert.AreEqual((4, 4), Summary(warm), "every job of the other checkout is a hit");
        Assert.AreEqual(4, server.State.Executed.Count, "nothing ran on the farm for the second checkout");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(second.Path, second.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public async Task TheLocalCacheComesFirstThenTheFarmsActionCacheAndBothKeepWhatTheFarmReturned()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var caches = new TestDirectory();
        string[] Remote(string cache) => new[] { "-c", "Release", "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false", "-p:DtltoCacheDirectory=" + caches.File(cache) };
        int Entries(string cache) => Directory.GetFiles(caches.File(cache + "/backend"), "*", SearchOption.AllDirectories).Length;
        using var first = new NativeWorkspace("-first");
        using var second = new NativeWorkspace("-second");
        using var third = new NativeWorkspace("-third");

        CommandResult executed = first.Build(SamplePrograms.WriteAppWithLibrary(first), Remote("one"));
        CommandResult fromFarmCache = second.Build(SamplePrograms.WriteAppWithLibrary(second), Remote("two"));
        int callsBefore = server.State.Calls.Values.Sum();
        CommandResult fromLocalCache = third.Build(SamplePrograms.WriteAppWithLibrary(third), Remote("two"));

        Assert.AreEqual(0, executed.ExitCode, executed.ToString());
        StringAssert.Contains(executed.StandardOutput, "0 cache hits (0 local, 0 remote, 4 compiled; remote: 4 executed, 0 compiled here");
        StringAssert.Contains(executed.StandardOutput, $"app: DTLTO Integrated, 4 backend jobs, 4 compiled on the farm ({server.Endpoint}), ");
        Assert.AreEqual(4, Entries("one"), "what the farm executed is kept here too");
        Assert.AreEqual(0, fromFarmCache.ExitCode, fromFarmCache.ToString());
        StringAssert.Contains(fromFarmCache.StandardOutput, "4 cache hits (0 local, 4 remote, 0 compiled;");
        StringAssert.Contains(fromFarmCache.StandardOutput, "app: DTLTO Integrated, 4 backend jobs, 4 from the farm's cache, ");
        Assert.AreEqual(4, Entries("two"), "the farm's cache hits are kept here");
        Assert.AreEqual(0, fromLocalCache.ExitCode, fromLocalCache.ToString());
        StringAssert.Contains(fromLocalCache.StandardOutput, "4 cache hits (4 local, 0 compiled)", "served before any batch, the farm not asked");
        StringAssert.Contains(fromLocalCache.StandardOutput, $"app: DTLTO Integrated, 4 backend jobs, 4 from the local cache ({caches.File("two")}), ");
        Assert.AreEqual(callsBefore, server.State.Calls.Values.Sum(), "a local hit asks the farm nothing");
        Assert.AreEqual(4, server.State.Executed.Count);
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(third.Path, third.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task CtrlCWhileTheFarmWorksStopsTheBuildAndLeavesNothing(bool outOfProcess)
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        server.State.ExecuteStartedMarker = workspace.File("farm-started");
        server.State.ExecuteDelay = TimeSpan.FromSeconds(60);

        using var build = new BackgroundProcess(workspace.Path, "dotnet",
            new[] { "build", project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-nodeReuse:false", "-v:n", "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false" }, SdkPackage.Environment);
        Assert.IsTrue(build.WaitForFile(server.State.ExecuteStartedMarker, TimeSpan.FromMinutes(2)), "an action reached the farm: " + build.OutputSoFar);
        build.Signal("INT");

        CommandResult? ended = build.WaitForExit(TimeSpan.FromSeconds(20));
        Assert.IsNotNull(ended, "the build ends within seconds of Ctrl+C, without waiting for the farm");
        Assert.AreNotEqual(0, ended.ExitCode);
        CollectionAssert.AreEqual(Array.Empty<string>(), ProcessTable.StillMentioning(workspace.Path, TimeSpan.FromSeconds(5)), ended.StandardOutput);
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no program that looks built");
        CollectionAssert.AreEqual(Array.Empty<string>(), Directory.GetFiles(workspace.File("app/bin/Release")), "no temporaries, no half-downloaded object");

        server.State.ExecuteDelay = TimeSpan.Zero;
        CommandResult next = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false");
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task AnUnreachableFarmWarnsAndBuildsLocallyOrFailsWithACodeWhenStrict(bool outOfProcess)
    {
        int port;
        await using (ReapiTestServer gone = await ReapiTestServer.StartAsync())
            port = new System.Uri(gone.Endpoint.Replace("grpc://", "http://")).Port;
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        string endpoint = "-p:DtltoRemoteEndpoint=grpc://127.0.0.1:" + port;

        CommandResult fallback = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, endpoint);
        CommandResult strict = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, endpoint, "-p:DtltoRemoteStrict=true", "-p:TargetName=strict");
        CommandResult badToken = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, endpoint, "-p:DtltoRemoteTokenFile=/no/such/token", "-p:TargetName=token");
        CommandResult badJobs = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, endpoint, "-p:DtltoRemoteJobs=many", "-p:TargetName=jobs");

        Assert.AreEqual(0, fallback.ExitCode, fallback.ToString());
        StringAssert.Contains(fallback.StandardOutput, "warning DTLTO3107: cannot use the remote execution server at");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
        Assert.AreNotEqual(0, strict.ExitCode);
        StringAssert.Contains(strict.StandardOutput, "error DTLTO3101");
        StringAssert.Contains(strict.StandardOutput, "cannot use the remote execution server");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/strict")));
        Assert.AreNotEqual(0, badToken.ExitCode);
        StringAssert.Contains(badToken.StandardOutput, "error DTLTO3106: remote execution cannot start: cannot read the remote token file /no/such/token");
        Assert.AreNotEqual(0, badJobs.ExitCode);
        StringAssert.Contains(badJobs.StandardOutput, "app.clangproj : error DTLTO3106: remote execution cannot start: DtltoRemoteJobs must be a whole number of 0 or more, not 'many'");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AFarmThatNeverAnswersIsWaitedForWithinTheConnectTimeoutAndSaid(bool outOfProcess)
    {
        using var silent = new SilentListener();
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache,
            "-p:DtltoRemoteEndpoint=grpc://127.0.0.1:" + silent.Port, "-p:DtltoRemoteConnectTimeout=2");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, $"waiting for the remote execution server at grpc://127.0.0.1:{silent.Port} to answer (up to 2 s, then the backend compiles run on this machine)");
        StringAssert.Contains(build.StandardOutput, $"warning DTLTO3107: cannot use the remote execution server at grpc://127.0.0.1:{silent.Port}: no answer within 2 s");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task TheSdkStopsWaitingForAStalledFarmAndRacesItWithTheCoresItWasGranted(bool outOfProcess)
    {
        // The farm has no worker for Windows actions: they stay queued.
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.WorkerPlatform = new[] { "OSFamily=Linux" });
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        string[] windowsFarm = { "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemotePlatform=OSFamily=Windows" };

        CommandResult stalled = workspace.Build(project, windowsFarm.Concat(new[] { "-p:DtltoRemoteStallTimeout=3", "-p:DtltoRemoteStrict=true", "-p:DtltoRemoteRace=false", "-p:TargetName=strict" }).ToArray());
        CommandResult raced = workspace.Build(project, windowsFarm);

        Assert.AreNotEqual(0, stalled.ExitCode);
        StringAssert.Contains(stalled.StandardOutput, "error DTLTO3101");
        StringAssert.Contains(stalled.StandardOutput, "no action came back from the remote execution server");
        StringAssert.Contains(stalled.StandardOutput, "(platform OSFamily=Windows; ");
        StringAssert.Contains(stalled.StandardOutput, " queued, 0 executing, 0 waiting here; is there a worker for that platform?)");
        StringAssert.Contains(stalled.StandardOutput, "waiting for the farm: ", "a status line while the actions wait");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/strict")));

        Assert.AreEqual(0, raced.ExitCode, raced.ToString());
        (int jobs, _) = Summary(raced);
        StringAssert.Contains(raced.StandardOutput, $"remote: 0 executed, {jobs} compiled here, races won {jobs} here, 0 on the farm");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task TheSdkLinksOverMutualTlsAndWarnsOfATokenFileOthersCanRead(bool outOfProcess)
    {
        using var workspace = new NativeWorkspace();
        var certificates = new TestCertificates(workspace.File("certs"));
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(state => state.RequiredToken = "s3cret-t0ken", tls: new ServerTls(certificates.Server, certificates.Authority));
        string project = SamplePrograms.WriteApp(workspace);
        string token = workspace.Write("farm-token", "s3cret-t0ken\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string[] farm =
        {
            "-c", "Release", "-p:DtltoRemoteOutOfProcess=" + outOfProcess, NoLocalCache, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false", "-p:DtltoRemoteStrict=true",
            "-p:DtltoRemoteCaFile=" + certificates.File("ca.pem"), "-p:DtltoRemoteTokenFile=" + token,
        };

        CommandResult built = workspace.Build(project, farm.Concat(new[] { "-p:DtltoRemoteClientCert=" + certificates.File("client.pem"), "-p:DtltoRemoteClientKey=" + certificates.File("client.key") }).ToArray());
        CommandResult expired = workspace.Build(project, farm.Concat(new[] { "-p:DtltoRemoteClientCert=" + certificates.File("expired.pem"), "-p:DtltoRemoteClientKey=" + certificates.File("expired.key"), "-p:TargetName=expired" }).ToArray());

        Assert.AreEqual(0, built.ExitCode, built.ToString());
        (int jobs, _) = Summary(built);
        StringAssert.Contains(built.StandardOutput, $"(remote: {jobs} executed, 0 compiled here");
        StringAssert.Contains(built.StandardOutput, $"warning DTLTO3107: the remote token file {token} can be read by other users; make it readable by you alone (chmod 600 {token})");
        Assert.IsTrue(server.State.ClientSubjects.All(s => s == "CN=build-machine"));
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
        Assert.AreNotEqual(0, expired.ExitCode);
        StringAssert.Contains(expired.StandardOutput, $"error DTLTO3106: remote execution cannot start: the client certificate {certificates.File("expired.pem")} (CN=old-build-machine) expired on ");
        Assert.IsFalse((built.StandardOutput + expired.StandardOutput).Contains("s3cret"), "the token is never printed");
    }
}
