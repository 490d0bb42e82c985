using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Directory = System.IO.Directory;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>
/// A Remote Execution API v2 server for the tests, on 127.0.0.1 over cleartext HTTP/2: an
/// in-memory CAS and action cache, ByteStream, and an Execution service that runs each action's
/// real command (clang) in a folder built from its input root. It records what it was asked,
/// and can be told to fail calls, to demand a token, or to take only small batches.
/// </summary>
internal sealed class ReapiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReapiTestServer(WebApplication app, ServerState state)
    {
        _app = app;
        State = state;
    }

    public ServerState State { get; }

    /// <summary>The address to give the executor, e.g. grpc://127.0.0.1:41234.</summary>
    public string Endpoint { get; private set; } = "";

    /// <param name="tls">Serve over TLS with this certificate, and require client certificates its authority signed; null for cleartext.</param>
    public static async Task<ReapiTestServer> StartAsync(Action<ServerState>? configure = null, int port = 0, ServerTls? tls = null)
    {
        var state = new ServerState(Path.Combine(Path.GetTempPath(), "dtlto-tests", "reapi-" + Guid.NewGuid().ToString("N").Substring(0, 8)));
        configure?.Invoke(state);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tls is not null)
                listen.UseHttps(tls.Configure);
        }));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = 64 * 1024 * 1024;
            options.Interceptors.Add<FaultInjector>();
        });
        WebApplication app = builder.Build();
        app.MapGrpcService<CapabilitiesService>();
        app.MapGrpcService<CasService>();
        app.MapGrpcService<ActionCacheService>();
        app.MapGrpcService<ExecutionService>();
        app.MapGrpcService<ByteStreamService>();
        await app.StartAsync();
        var server = new ReapiTestServer(app, state);
        server.Endpoint = (tls is null ? "grpc://" : "grpcs://") + app.Urls.First().Replace("https://", "").Replace("http://", "");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        State.Stopping.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(State.WorkRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>What the test server holds and has seen; its knobs are set before or between links.</summary>
internal sealed class ServerState
{
    public ServerState(string workRoot)
    {
        WorkRoot = workRoot;
        Directory.CreateDirectory(workRoot);
    }

    /// <summary>Where actions run, one folder each.</summary>
    public string WorkRoot { get; }

    public ConcurrentDictionary<string, byte[]> Cas { get; } = new();

    public ConcurrentDictionary<string, ActionResult> ActionCache { get; } = new();

    /// <summary>Every Action the Execution service ran (not served from the cache).</summary>
    public ConcurrentBag<Dtlto.Build.Engine.Remote.Protocol.Action> Executed { get; } = new();

    public ConcurrentBag<Command> Commands { get; } = new();

    /// <summary>Execute's operations by name, for WaitExecution.</summary>
    public ConcurrentDictionary<string, Task<ExecuteResponse>> Operations { get; } = new();

    /// <summary>End every Execute stream after its first, unfinished operation, as a server restarting might.</summary>
    public bool EndExecuteStreamsEarly { get; set; }

    /// <summary>How long each action waits before it runs (a busy farm, or with <see cref="Workers"/> a worker's start-up); and a file touched when one starts waiting.</summary>
    public TimeSpan ExecuteDelay { get; set; }

    /// <summary>The CAS lets every blob go when the first action is about to run (a CAS evicting under pressure): that Execute answers FailedPrecondition.</summary>
    public bool ForgetCasBeforeFirstRun { get; set; }

    private int _forgotCas;

    /// <summary>Whether this is the moment <see cref="ForgetCasBeforeFirstRun"/> lets the CAS go; true once.</summary>
    public bool ForgetsCasNow() => ForgetCasBeforeFirstRun && Interlocked.Exchange(ref _forgotCas, 1) == 0;

    public string? ExecuteStartedMarker { get; set; }

    /// <summary>Cancelled when the server stops, so that actions still waiting do not hold it up.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>Execute calls at once beyond which the server answers RESOURCE_EXHAUSTED, as a busy shared farm does; 0 for no cap.</summary>
    public int MaxConcurrentExecutions { get; set; }

    /// <summary>The retry_delay of the RetryInfo sent with RESOURCE_EXHAUSTED; null to send none.</summary>
    public TimeSpan? RetryDelayHint { get; set; }

    /// <summary>The platform properties (name=value) of the only worker; an action asking for any other stays queued. Null: a worker for everything.</summary>
    public string[]? WorkerPlatform { get; set; }

    /// <summary>Workers that run actions, one action each at a time (others wait in the queue); 0 for one per action.</summary>
    public int Workers
    {
        get => _workers?.CurrentCount ?? 0;
        set => _workers = value > 0 ? new SemaphoreSlim(value) : null;
    }

    private SemaphoreSlim? _workers;

    /// <summary>A worker's place, for the length of one action; null when workers are not limited.</summary>
    public async Task<IDisposable?> TakeWorkerAsync(CancellationToken cancellationToken)
    {
        SemaphoreSlim? workers = _workers;
        if (workers is null)
            return null;
        await workers.WaitAsync(cancellationToken);
        return new Release(workers);
    }

    private sealed class Release : IDisposable
    {
        private SemaphoreSlim? _workers;

        public Release(SemaphoreSlim workers) => _workers = workers;

        public void Dispose() => Interlocked.Exchange(ref _workers, null)?.Release();
    }

    /// <summary>When set, actions are not run but simulated on virtual workers (the scale benchmark).</summary>
    public SimulatedFarm? Simulation { get; set; }

    /// <summary>Subjects of the client certificates calls came with (mutual TLS).</summary>
    public ConcurrentBag<string> ClientSubjects { get; } = new();

    public int ExecutingNow;
    public int PeakExecuting;
    public int PushedBack;
    public long BytesReceived;
    public long BytesSent;

    /// <summary>Calls by method name.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public int WaitExecutionCalls;
    public int CacheHits;
    public int CacheMisses;
    public int ExecuteCalls;
    public int ByteStreamWrites;
    public int ByteStreamReads;
    public int BatchUpdates;
    public int ResultUpdates;
    public int FailedCalls;
    public int HungCalls;

    /// <summary>The next this many calls fail with <see cref="FailWith"/>.</summary>
    public int FailNextCalls;

    public StatusCode FailWith { get; set; } = StatusCode.Unavailable;

    /// <summary>Fail only calls of methods whose name contains this (e.g. "/Execute"); null for any call.</summary>
    public string? FailOnlyMethod { get; set; }

    /// <summary>The bearer token every call must carry; null for none.</summary>
    public string? RequiredToken { get; set; }

    public long MaxBatchTotalSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Take and give zstd-compressed blobs (batch calls and compressed-blobs/zstd/ ByteStream names), and say so in the capabilities.</summary>
    public bool Zstd { get; set; } = true;

    /// <summary>Blobs that came or went compressed.</summary>
    public int CompressedBlobs;

    public bool ExecEnabled { get; set; } = true;

    /// <summary>
    /// Finish an action whose client cancelled its Execute, and cache its result (true, the
    /// default); false behaves as most real servers do: the action is stopped and fills nothing.
    /// </summary>
    public bool FinishCancelledActions { get; set; } = true;

    /// <summary>How the server misbehaves (see <see cref="RemoteTestServer.HostileFarm"/>).</summary>
    public Hostility Hostility { get; set; }

    /// <summary>Calls of methods whose name contains this are accepted and never answered; null for none.</summary>
    public string? HangMethod { get; set; }

    public bool UpdateEnabled { get; set; } = true;

    public static string Key(Digest digest) => digest.Hash + "/" + digest.SizeBytes;

    public byte[]? Blob(Digest digest) => Cas.TryGetValue(Key(digest), out byte[]? data) ? data : null;

    public void Put(byte[] data, Digest digest) => Cas[Key(digest)] = data;
}

/// <summary>The server's TLS: its certificate, and the authority whose client certificates it requires (null: none required).</summary>
internal sealed record ServerTls(X509Certificate2 Certificate, X509Certificate2? ClientAuthority)
{
    public void Configure(HttpsConnectionAdapterOptions https)
    {
        https.ServerCertificate = Certificate;
        if (ClientAuthority is not X509Certificate2 authority)
            return;
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }
}
