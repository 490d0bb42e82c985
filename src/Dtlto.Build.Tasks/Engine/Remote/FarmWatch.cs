using System;
using System.Diagnostics;
using System.Threading;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Watches the farm while a link waits on it: when an action last came back and when the server
/// last answered at all, how many actions wait where, a status line every
/// <see cref="RemoteSettings.StatusInterval"/> while actions are out, and the stall, when no action
/// has come back for <see cref="RemoteSettings.StallTimeout"/>: then <see cref="Stalled"/> is
/// cancelled, for good, and every wait on the farm ends.
/// </summary>
internal sealed class FarmWatch : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly TimeSpan _stallTimeout;
    private readonly TimeSpan _statusInterval;
    private readonly Action<string> _status;
    private readonly Func<string> _describeLimit;
    private readonly CancellationTokenSource _stalled = new();
    private readonly Timer _timer;
    private readonly int[] _stages = new int[6];
    private long _lastCompleted = Stopwatch.GetTimestamp();
    private long _lastAnswer = Stopwatch.GetTimestamp();
    private long _lastStatus = Stopwatch.GetTimestamp();
    private int _outstanding;
    private string? _stallDescription;

    /// <param name="status">Receives the status lines.</param>
    /// <param name="describeLimit">Says where the in-flight limit stands, for the status lines.</param>
    public FarmWatch(TimeSpan stallTimeout, TimeSpan statusInterval, Action<string> status, Func<string> describeLimit)
    {
        _stallTimeout = stallTimeout;
        _statusInterval = statusInterval;
        _status = status;
        _describeLimit = describeLimit;
        _timer = new Timer(_ => Check(), null, Tick, Tick);
    }

    /// <summary>Cancelled when no action came back for the stall timeout while actions were out.</summary>
    public CancellationToken Stalled => _stalled.Token;

    public bool IsStalled => _stalled.IsCancellationRequested;

    /// <summary>What was waiting when the farm stalled, and what that most likely means; null before.</summary>
    public string? StallDescription => Volatile.Read(ref _stallDescription);

    /// <summary>Time since an action last came back from the farm (or since actions went out, when none was out).</summary>
    public TimeSpan SinceCompletion => Elapsed(ref _lastCompleted);

    /// <summary>Time since the server last answered a call.</summary>
    public TimeSpan SinceAnswer => Elapsed(ref _lastAnswer);

    public int Count(FarmStage stage) => Volatile.Read(ref _stages[(int)stage]);

    /// <summary>An action goes out to the farm; pair with <see cref="Returned"/>.</summary>
    public void Sent()
    {
        // The stall clock runs only while something is out: a farm with nothing to do is not stalled.
        if (Interlocked.Increment(ref _outstanding) == 1)
            Touch(ref _lastCompleted);
    }

    /// <summary>An action is back (done, failed or given up); <paramref name="completed"/> when the farm finished it.</summary>
    public void Returned(bool completed)
    {
        if (completed)
        {
            Touch(ref _lastCompleted);
            Touch(ref _lastAnswer);
        }

        Interlocked.Decrement(ref _outstanding);
    }

    /// <summary>The server answered a call.</summary>
    public void Answered() => Touch(ref _lastAnswer);

    /// <summary>Moves an action from one stage to another, for the counts.</summary>
    public void Move(FarmStageCell cell, FarmStage next)
    {
        FarmStage previous = cell.Value;
        if (previous == next)
            return;
        cell.Value = next;
        if (previous != FarmStage.None)
            Interlocked.Decrement(ref _stages[(int)previous]);
        if (next != FarmStage.None)
            Interlocked.Increment(ref _stages[(int)next]);
    }

    /// <summary>The counts in words: "3 queued, 1 executing, 12 waiting here".</summary>
    public string DescribeWaiting()
    {
        string counts = $"{Count(FarmStage.Queued)} queued, {Count(FarmStage.Executing)} executing, {Count(FarmStage.WaitingHere)} waiting here";
        int uploading = Count(FarmStage.Uploading), downloading = Count(FarmStage.Downloading);
        return counts + (uploading > 0 ? $", {uploading} uploading" : "") + (downloading > 0 ? $", {downloading} downloading" : "");
    }

    /// <summary>What a stall most likely means, from where the actions stand.</summary>
    private string StallHint() =>
        Count(FarmStage.Uploading) + Count(FarmStage.Downloading) > 0 ? "the server stopped answering the transfers of inputs or outputs"
        : Count(FarmStage.Queued) > 0 && Count(FarmStage.Executing) == 0 ? "is there a worker for that platform?"
        : "the farm stopped answering";

    private void Check()
    {
        if (IsStalled)
            return;
        if (Volatile.Read(ref _outstanding) == 0)
        {
            Touch(ref _lastCompleted);
            Touch(ref _lastStatus);
            return;
        }

        TimeSpan quiet = SinceCompletion;
        if (quiet >= _stallTimeout)
        {
            Volatile.Write(ref _stallDescription, DescribeWaiting() + "; " + StallHint());
            _stalled.Cancel();
            return;
        }

        if (Elapsed(ref _lastStatus) >= _statusInterval)
        {
            Touch(ref _lastStatus);
            _status($"waiting for the farm: {DescribeWaiting()} ({_describeLimit()}); the last action came back {quiet.TotalSeconds:0} s ago");
        }
    }

    private static void Touch(ref long timestamp) => Interlocked.Exchange(ref timestamp, Stopwatch.GetTimestamp());

    private static TimeSpan Elapsed(ref long timestamp) =>
        TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - Interlocked.Read(ref timestamp)) / (double)Stopwatch.Frequency);

    public void Dispose()
    {
        _timer.Dispose();
        _stalled.Dispose();
    }
}
