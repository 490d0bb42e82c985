using System;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The link's first call to the server, which decides whether the farm is used at all: GetCapabilities
/// within <see cref="RemoteSettings.ConnectTimeout"/>, said after a second of silence (so a farm that
/// does not answer is never a silent wait), with the reason a server cannot be used told apart
/// (<see cref="ConnectionProblem"/>). A server found down is remembered for a while
/// (<see cref="FarmDownMemory"/>): the links that follow compile here at once and check it in the
/// background, and use it as soon as it answers. Strict links never rely on that memory.
/// </summary>
internal sealed class ServerCheck
{
    private static readonly TimeSpan SilenceBeforeSaying = TimeSpan.FromSeconds(1);

    private readonly RemoteSettings _settings;
    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly Action<string> _status;
    private readonly FarmDownMemory _memory;

    public ServerCheck(RemoteSettings settings, RemoteConnection connection, RemoteRetry retry, Action<string> status)
    {
        _settings = settings;
        _connection = connection;
        _retry = retry;
        _status = status;
        _memory = new FarmDownMemory(settings.DigestStoreFolder ?? Caching.UserCacheFolder.Default, settings, RemoteSettings.RememberDownFor);
    }

    /// <summary>When and why an earlier link found the server down, if that is recent; never for a strict link.</summary>
    public (DateTime When, string Why)? RememberedDown => _settings.Strict ? null : _memory.Recall();

    /// <summary>
    /// The server's capabilities, checked for what the link needs; throws <see cref="RemoteTlsException"/>
    /// for a TLS setting to fix and <see cref="RemoteExecutionException"/>, in words, for any other reason
    /// the server cannot be used. <paramref name="quiet"/> says nothing while waiting (a check in the
    /// background of a link that compiles here meanwhile).
    /// </summary>
    public async Task<ServerCapabilities> RunAsync(CancellationToken cancellationToken, bool quiet = false)
    {
        using var said = new CancellationTokenSource();
        Task saying = quiet ? Task.CompletedTask : SayWhileWaitingAsync(said.Token);
        try
        {
            ServerCapabilities capabilities = await AskAsync(cancellationToken).ConfigureAwait(false);
            Check(capabilities);
            _memory.Forget();
            return capabilities;
        }
        catch (Exception e) when (e is RpcException or RemoteExecutionException or System.Net.Http.HttpRequestException && e is not RemoteTlsException && !cancellationToken.IsCancellationRequested)
        {
            if (_settings.Tls is RemoteTls tls && await tls.DiagnoseAsync(_settings.Endpoint, cancellationToken).ConfigureAwait(false) is string problem)
                throw new RemoteTlsException($"cannot use the remote execution server at {_settings.Address}: {problem}", e);
            string why = e is RemoteExecutionException { InnerException: null } ? e.Message : ConnectionProblem.Describe(e, _settings);
            _memory.Remember(why);
            throw new RemoteExecutionException($"cannot use the remote execution server at {_settings.Address}: {why}", e);
        }
        finally
        {
            said.Cancel();
            await saying.ConfigureAwait(false);
        }
    }

    /// <summary>The first call's deadline: the connect timeout, and never longer than any short call may wait.</summary>
    private TimeSpan Deadline => _connection.ShortCall < _settings.ConnectTimeout ? _connection.ShortCall : _settings.ConnectTimeout;

    private async Task SayWhileWaitingAsync(CancellationToken answered)
    {
        try
        {
            await Task.Delay(SilenceBeforeSaying, answered).ConfigureAwait(false);
            _status($"waiting for the remote execution server at {_settings.Address} to answer " +
                $"(up to {Deadline.TotalSeconds:0.#} s{(_settings.Strict ? "" : ", then the backend compiles run on this machine")})");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// GetCapabilities, tried <see cref="RemoteSettings.Attempts"/> times so that a server that is
    /// not there at all is found out in about a second, each call within the connect timeout; a
    /// TLS connection is diagnosed before the call is repeated, since no retry mends a refused certificate.
    /// </summary>
    private async Task<ServerCapabilities> AskAsync(CancellationToken cancellationToken)
    {
        bool first = true;
        TimeSpan deadline = Deadline;
        async Task<ServerCapabilities> Ask()
        {
            try
            {
                return await _connection.UnaryAsync(
                    "GetCapabilities", options => _connection.Capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest { InstanceName = _settings.InstanceName }, options), deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && first && _settings.Tls is not null && !cancellationToken.IsCancellationRequested)
            {
                first = false;
                if (await _settings.Tls.DiagnoseAsync(_settings.Endpoint, cancellationToken).ConfigureAwait(false) is string problem)
                    throw new RemoteTlsException($"cannot use the remote execution server at {_settings.Address}: {problem}", e);
                throw;
            }
        }

        return await _retry.RunAsync(Ask, cancellationToken, _settings.Attempts, pushBack: false).ConfigureAwait(false);
    }

    private void Check(ServerCapabilities capabilities)
    {
        var digests = capabilities.CacheCapabilities?.DigestFunctions;
        if (digests is not null && digests.Count > 0 && !digests.Contains(DigestFunction.Types.Value.Sha256))
            throw new RemoteExecutionException("the server does not take SHA-256 digests");
        if (_settings.Mode == RemoteMode.Execute && capabilities.ExecutionCapabilities?.ExecEnabled != true)
            throw new RemoteExecutionException("the server does not execute actions (exec_enabled is false); use the cache-only mode");
    }
}
