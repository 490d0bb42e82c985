using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.RemoteTestServer;

internal sealed class ActionCacheService : ActionCache.ActionCacheBase
{
    private readonly ServerState _state;

    public ActionCacheService(ServerState state) => _state = state;

    public override Task<ActionResult> GetActionResult(GetActionResultRequest request, ServerCallContext context)
    {
        if (_state.ActionCache.TryGetValue(ServerState.Key(request.ActionDigest), out ActionResult? result))
        {
            Interlocked.Increment(ref _state.CacheHits);
            return Task.FromResult(result);
        }

        Interlocked.Increment(ref _state.CacheMisses);
        throw new RpcException(new Status(StatusCode.NotFound, "not in the action cache"));
    }

    public override Task<ActionResult> UpdateActionResult(UpdateActionResultRequest request, ServerCallContext context)
    {
        if (!_state.UpdateEnabled)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "updates are not accepted"));
        foreach (OutputFile file in request.ActionResult.OutputFiles)
        {
            if (_state.Blob(file.Digest) is null)
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"output {file.Path} is not in the CAS"));
        }

        Interlocked.Increment(ref _state.ResultUpdates);
        _state.ActionCache[ServerState.Key(request.ActionDigest)] = request.ActionResult;
        return Task.FromResult(request.ActionResult);
    }
}
