using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>Refuses calls without the required token, fails the next calls the test asked to fail, and leaves unanswered the calls the test asked to hang.</summary>
internal sealed class FaultInjector : Interceptor
{
    private readonly ServerState _state;

    public FaultInjector(ServerState state) => _state = state;

    private async Task CheckAsync(ServerCallContext context)
    {
        Check(context);
        if (_state.HangMethod is string hang && context.Method.Contains(hang, System.StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _state.HungCalls);
            // Accepted, never answered: the call ends only when the client gives up (or the server stops).
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _state.Stopping.Token);
            await Task.Delay(Timeout.Infinite, ended.Token);
        }
    }

    private void Check(ServerCallContext context)
    {
        if (context.GetHttpContext().Connection.ClientCertificate is { } certificate)
            _state.ClientSubjects.Add(certificate.Subject);
        _state.Calls.AddOrUpdate(context.Method.Substring(context.Method.LastIndexOf('/') + 1), 1, (_, n) => n + 1);
        if (_state.RequiredToken is string token && context.RequestHeaders.FirstOrDefault(h => h.Key == "authorization")?.Value != "Bearer " + token)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid bearer token is required"));
        if (_state.FailOnlyMethod is string method && !context.Method.Contains(method, System.StringComparison.Ordinal))
            return;
        if (Interlocked.Decrement(ref _state.FailNextCalls) >= 0)
        {
            Interlocked.Increment(ref _state.FailedCalls);
            throw new RpcException(new Status(_state.FailWith, "failure injected by the test"));
        }

        Interlocked.Exchange(ref _state.FailNextCalls, 0);
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(requestStream, context);
    }
}
