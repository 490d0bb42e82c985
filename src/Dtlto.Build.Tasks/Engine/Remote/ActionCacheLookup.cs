using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>An action's look-up in the farm's action cache (GetActionResult), retried as every call is; a miss is an answer too.</summary>
internal sealed class ActionCacheLookup
{
    private readonly RemoteSettings _settings;
    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly FarmWatch _watch;

    public ActionCacheLookup(RemoteSettings settings, RemoteConnection connection, RemoteRetry retry, FarmWatch watch)
    {
        _settings = settings;
        _connection = connection;
        _retry = retry;
        _watch = watch;
    }

    /// <summary>The action's cached result; null when the action cache has none.</summary>
    public async Task<ActionResult?> FindAsync(RemoteAction action, CancellationToken cancellationToken)
    {
        var request = new GetActionResultRequest
        {
            InstanceName = _settings.InstanceName,
            ActionDigest = action.Digest,
            InlineStdout = true,
            InlineStderr = true,
            DigestFunction = DigestFunction.Types.Value.Sha256,
        };
        try
        {
            return await _retry.RunAsync(
                () => _connection.UnaryAsync("GetActionResult", options => _connection.ActionCache.GetActionResultAsync(request, options), _connection.ShortCall, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            _watch.Answered();
            return null;
        }
    }
}
