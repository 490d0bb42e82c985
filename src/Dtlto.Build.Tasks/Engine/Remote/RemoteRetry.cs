using System;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Calls the server again, after a wait that doubles each time, when it answers UNAVAILABLE (it
/// restarts, a connection dropped) or RESOURCE_EXHAUSTED (it is busy); other answers are final.
/// </summary>
internal sealed class RemoteRetry
{
    private readonly int _attempts;
    private readonly TimeSpan _delay;
    private int _retries;

    public RemoteRetry(int attempts, TimeSpan delay)
    {
        _attempts = Math.Max(1, attempts);
        _delay = delay;
    }

    /// <summary>How many calls were repeated.</summary>
    public int Retries => Volatile.Read(ref _retries);

    public static bool IsRetryable(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted;

    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RpcException e) when (IsRetryable(e) && attempt < _attempts && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                // Jitter, so that many actions turned away together do not come back together.
                double factor = Math.Pow(2, attempt - 1) * (0.75 + (Random.Shared.NextDouble() / 2));
                await Task.Delay(TimeSpan.FromMilliseconds(_delay.TotalMilliseconds * factor), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task RunAsync(Func<Task> call, CancellationToken cancellationToken) =>
        RunAsync<bool>(async () => { await call().ConfigureAwait(false); return true; }, cancellationToken);
}
