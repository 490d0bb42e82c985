using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// When to call the server again. RESOURCE_EXHAUSTED (the farm is busy) and UNAVAILABLE (it
/// restarts, a connection dropped) are pushes back: the in-flight limit halves and the call is
/// repeated after the delay the server asked for (google.rpc.RetryInfo) or one that doubles each
/// time, with jitter. Waiting for capacity is not a failure: a busy farm is called again until no
/// action has come back for the stall timeout; an unreachable one until it has not answered for
/// <see cref="RemoteSettings.UnreachableTimeout"/>. Other answers are final.
/// </summary>
internal sealed class RemoteRetry
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly RemoteSettings _settings;
    private readonly InFlightLimit _limit;
    private readonly FarmWatch _watch;
    private int _retries;

    public RemoteRetry(RemoteSettings settings, InFlightLimit limit, FarmWatch watch)
    {
        _settings = settings;
        _limit = limit;
        _watch = watch;
    }

    /// <summary>How many calls were repeated.</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>
    /// RESOURCE_EXHAUSTED, or UNAVAILABLE from a server that could be reached: a connection that
    /// failed its TLS handshake (a refused certificate) is a setting to fix, not a busy farm, and
    /// is not called again.
    /// </summary>
    public static bool IsPushBack(RpcException e) =>
        e.StatusCode is StatusCode.ResourceExhausted || (e.StatusCode == StatusCode.Unavailable && !FailedHandshake(e));

    private static bool FailedHandshake(RpcException e)
    {
        for (Exception? inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
                return true;
        }

        return false;
    }

    /// <summary>
    /// The wait before calling again after <paramref name="e"/> ended attempt <paramref name="attempt"/>
    /// of a call made under limit <paramref name="generation"/>; null when the call is not to be repeated.
    /// </summary>
    /// <param name="pushBack">False for the link's first call, whose failures say whether the server is there at all, not how busy it is.</param>
    public TimeSpan? DelayBeforeRetry(RpcException e, int attempt, long generation, bool pushBack = true)
    {
        if (!IsPushBack(e))
            return null;
        if (pushBack)
            _limit.PushedBack(generation);
        bool givenUp = e.StatusCode == StatusCode.ResourceExhausted
            ? _watch.IsStalled || _watch.SinceCompletion >= _settings.StallTimeout
            : _watch.SinceAnswer >= _settings.UnreachableTimeout;
        if (givenUp)
            return null;
        Interlocked.Increment(ref _retries);
        return RequestedDelay(e) ?? Backoff(attempt);
    }

    /// <summary>Runs a call, repeating it as <see cref="DelayBeforeRetry"/> says; at most <paramref name="attempts"/> times when given.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken, int? attempts = null, bool pushBack = true)
    {
        for (int attempt = 1; ; attempt++)
        {
            long generation = _limit.Generation;
            TimeSpan delay;
            try
            {
                T result = await call().ConfigureAwait(false);
                _watch.Answered();
                return result;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested && (attempts is null || attempt < attempts) && DelayBeforeRetry(e, attempt, generation, pushBack) is TimeSpan wait)
            {
                delay = wait;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task RunAsync(Func<Task> call, CancellationToken cancellationToken) =>
        RunAsync<bool>(async () => { await call().ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>The first retry waits <see cref="RemoteSettings.RetryDelay"/>, each further one twice as long up to 5 s, give or take a quarter.</summary>
    private TimeSpan Backoff(int attempt)
    {
        double milliseconds = Math.Min(MaxDelay.TotalMilliseconds, _settings.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16)));
        // Jitter, so that many actions turned away together do not come back together.
        return TimeSpan.FromMilliseconds(milliseconds * (0.75 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>The retry_delay of a google.rpc.RetryInfo in the call's status details, when the server sent one.</summary>
    internal static TimeSpan? RequestedDelay(RpcException e)
    {
        byte[]? details = e.Trailers?.GetValueBytes("grpc-status-details-bin");
        if (details is null)
            return null;
        try
        {
            Protocol.Status status = Protocol.Status.Parser.ParseFrom(details);
            RetryInfo? info = status.Details.Where(d => d.Is(RetryInfo.Descriptor)).Select(d => d.Unpack<RetryInfo>()).FirstOrDefault();
            return info?.RetryDelay is { } delay && delay.ToTimeSpan() > TimeSpan.Zero ? delay.ToTimeSpan() : null;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
