using System;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// One action's Execute call on the farm, from a place under the in-flight limit to the
/// operation's response: the stages the server reports move the action's <see cref="FarmStageCell"/>
/// (which <see cref="FarmWatch"/> reads for stalls), and a push-back gives the place up and asks again.
/// </summary>
internal sealed class FarmExecution
{
    private readonly RemoteSettings _settings;
    private readonly RemoteConnection _connection;
    private readonly InFlightLimit _limit;
    private readonly FarmWatch _watch;
    private readonly RemoteRetry _retry;

    public FarmExecution(RemoteSettings settings, RemoteConnection connection, InFlightLimit limit, FarmWatch watch, RemoteRetry retry)
    {
        _settings = settings;
        _connection = connection;
        _limit = limit;
        _watch = watch;
        _retry = retry;
    }

    /// <summary>
    /// Execute under the in-flight limit: waits for a place, follows the operation to its end
    /// (by WaitExecution when a stream ends early), and when the farm pushes back gives the place
    /// up, waits, and asks again; <see cref="RemoteRetry"/> says for how long.
    /// </summary>
    /// <param name="skipCacheLookup">Run the action even if the farm's cache has a result for it (one whose outputs are gone).</param>
    public async Task<ExecuteResponse> RunAsync(RemoteAction action, FarmStageCell stage, CancellationToken cancellationToken, bool skipCacheLookup = false)
    {
        var request = new ExecuteRequest { InstanceName = _settings.InstanceName, ActionDigest = action.Digest, DigestFunction = DigestFunction.Types.Value.Sha256, SkipCacheLookup = skipCacheLookup };
        for (int attempt = 1; ; attempt++)
        {
            _watch.Move(stage, FarmStage.WaitingHere);
            long generation = await _limit.AcquireAsync(cancellationToken).ConfigureAwait(false);
            bool finished = false;
            TimeSpan delay;
            try
            {
                _watch.Move(stage, FarmStage.Queued);
                Operation? last = await FollowAsync(_connection.Execution.Execute(request, _connection.Call(cancellationToken)), stage, cancellationToken).ConfigureAwait(false);
                // A stream that ends before the operation is done is picked up again by name.
                while (last is not null && !last.Done)
                    last = await FollowAsync(_connection.Execution.WaitExecution(new WaitExecutionRequest { Name = last.Name }, _connection.Call(cancellationToken)), stage, cancellationToken).ConfigureAwait(false);
                ExecuteResponse response = Unpack(last ?? throw new RpcException(new Status(StatusCode.Unavailable, "the server ended Execute without an operation")));
                finished = true;
                _watch.Answered();
                return response;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested && _retry.DelayBeforeRetry(e, attempt, generation) is TimeSpan wait)
            {
                delay = wait;
            }
            finally
            {
                _limit.Release(finished);
            }

            _watch.Move(stage, FarmStage.WaitingHere);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The operation's response; an RpcException for an error, except an action's timeout, which is the job's failure.</summary>
    private static ExecuteResponse Unpack(Operation done)
    {
        if (done.ResultCase == Operation.ResultOneofCase.Error)
            throw new RpcException(new Status((StatusCode)done.Error.Code, done.Error.Message));
        if (done.Response is null || !done.Response.TryUnpack(out ExecuteResponse response))
            throw new RpcException(new Status(StatusCode.Internal, "the server's operation carries no ExecuteResponse"));
        if (response.Status is not null && response.Status.Code != 0 && response.Status.Code != (int)StatusCode.DeadlineExceeded)
            throw new RpcException(new Status((StatusCode)response.Status.Code, response.Status.Message));
        return response;
    }

    /// <summary>Reads an operation stream to its last message, following the stage the server reports.</summary>
    private async Task<Operation?> FollowAsync(AsyncServerStreamingCall<Operation> call, FarmStageCell stage, CancellationToken cancellationToken)
    {
        using (call)
        {
            Operation? last = null;
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                last = call.ResponseStream.Current;
                if (last.Metadata is not null && last.Metadata.TryUnpack(out ExecuteOperationMetadata metadata))
                {
                    if (metadata.Stage == ExecutionStage.Types.Value.Executing)
                        _watch.Move(stage, FarmStage.Executing);
                    else if (metadata.Stage == ExecutionStage.Types.Value.Queued)
                        _watch.Move(stage, FarmStage.Queued);
                }

                if (last.Done)
                    break;
            }

            return last;
        }
    }
}
