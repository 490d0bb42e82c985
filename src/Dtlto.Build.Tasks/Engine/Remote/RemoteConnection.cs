using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using ExecutionService = Dtlto.Build.Engine.Remote.Protocol.Execution;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// One HTTP/2 channel to the server and the clients of the services the executor calls. TLS
/// follows the address (https), with <see cref="RemoteTls"/>'s authority and client certificate;
/// the bearer token goes in the authorization header of every call.
/// </summary>
internal sealed class RemoteConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers = new();

    public RemoteConnection(RemoteSettings settings)
    {
        Settings = settings;
        var handler = new SocketsHttpHandler
        {
            // Hundreds of actions in flight would queue on one connection's stream limit.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (settings.Tls is RemoteTls tls)
            handler.SslOptions = tls.Options();
        _channel = GrpcChannel.ForAddress(settings.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
        if (!string.IsNullOrEmpty(settings.Token))
            _headers.Add("authorization", "Bearer " + settings.Token);

        Execution = new ExecutionService.ExecutionClient(_channel);
        ActionCache = new ActionCache.ActionCacheClient(_channel);
        Cas = new ContentAddressableStorage.ContentAddressableStorageClient(_channel);
        Capabilities = new Capabilities.CapabilitiesClient(_channel);
        ByteStream = new ByteStream.ByteStreamClient(_channel);
    }

    public RemoteSettings Settings { get; }

    public ExecutionService.ExecutionClient Execution { get; }

    public ActionCache.ActionCacheClient ActionCache { get; }

    public ContentAddressableStorage.ContentAddressableStorageClient Cas { get; }

    public Capabilities.CapabilitiesClient Capabilities { get; }

    public ByteStream.ByteStreamClient ByteStream { get; }

    /// <summary>A call's options: the token's header and the caller's cancellation, with a deadline when <paramref name="timeout"/> is given.</summary>
    public CallOptions Call(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        new(_headers, deadline: timeout is TimeSpan t ? DateTime.UtcNow + t : null, cancellationToken: cancellationToken);

    /// <summary>
    /// The deadline of a call whose answer is small (capabilities, a look-up, a question about
    /// blobs): a server that accepts a call and never answers must not hang the link, and no
    /// call waits longer than the stall timeout would let actions wait.
    /// </summary>
    public TimeSpan ShortCall => Settings.StallTimeout < MaxShortCall ? Settings.StallTimeout : MaxShortCall;

    /// <summary>The deadline of a call that moves <paramref name="bytes"/>: a short call's, and a second for every <see cref="SlowestTransfer"/> bytes.</summary>
    public TimeSpan Transfer(long bytes) => ShortCall + TimeSpan.FromSeconds(Math.Max(0, bytes) / (double)SlowestTransfer);

    private static readonly TimeSpan MaxShortCall = TimeSpan.FromSeconds(60);

    /// <summary>The slowest transfer (bytes a second) a deadline allows for: a slow link, not a stalled one.</summary>
    private const long SlowestTransfer = 1L << 20;

    /// <summary>
    /// Runs one unary call under <paramref name="timeout"/>; a call the server left unanswered
    /// until then is a <see cref="RemoteCallTimeoutException"/> that names it.
    /// </summary>
    public async Task<T> UnaryAsync<T>(string name, Func<CallOptions, AsyncUnaryCall<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using AsyncUnaryCall<T> pending = call(Call(cancellationToken, timeout));
            return await pending.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (RemoteCallTimeoutException.IsOurs(e, clock.Elapsed, timeout, cancellationToken))
        {
            throw new RemoteCallTimeoutException(name, timeout, e);
        }
    }

    /// <summary>The resource-name prefix of the instance: "" or "name/".</summary>
    public string InstancePrefix => Settings.InstanceName.Length == 0 ? "" : Settings.InstanceName.Trim('/') + "/";

    public void Dispose() => _channel.Dispose();
}
