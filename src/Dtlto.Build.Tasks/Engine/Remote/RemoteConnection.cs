using System;
using System.Net.Http;
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

    public CallOptions Call(System.Threading.CancellationToken cancellationToken) => new(_headers, cancellationToken: cancellationToken);

    /// <summary>The resource-name prefix of the instance: "" or "name/".</summary>
    public string InstancePrefix => Settings.InstanceName.Length == 0 ? "" : Settings.InstanceName.Trim('/') + "/";

    public void Dispose() => _channel.Dispose();
}
