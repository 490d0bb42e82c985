using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// One job out on the farm that this machine may compile too. Whichever attempt first has a whole
/// result claims the job (<see cref="TryWin"/>) and only then moves its outputs into place; the
/// other attempt is cancelled.
/// </summary>
internal sealed class RaceEntry
{
    private readonly TaskCompletionSource<ProcessResult?> _here = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _winner;
    private int _taken;

    public RaceEntry(JobList jobList, BackendJob job, CancellationTokenSource farmAttempt, long order)
    {
        Entered = System.Diagnostics.Stopwatch.GetTimestamp();
        JobList = jobList;
        Job = job;
        FarmAttempt = farmAttempt;
        Order = order;
    }

    public JobList JobList { get; }

    /// <summary>Where the farm's attempt stands: jobs still waiting are raced before those executing.</summary>
    public FarmStageCell Stage { get; } = new();

    public BackendJob Job { get; }

    /// <summary>Cancels the farm's attempt when this machine wins.</summary>
    public CancellationTokenSource FarmAttempt { get; }

    /// <summary>Cancels this machine's attempt when the farm wins or the job is over.</summary>
    public CancellationTokenSource HereAttempt { get; } = new();

    /// <summary>When the job went out to the farm (a Stopwatch timestamp).</summary>
    public long Entered { get; }

    /// <summary>How long the job has been out.</summary>
    public System.TimeSpan Out => System.TimeSpan.FromSeconds((System.Diagnostics.Stopwatch.GetTimestamp() - Entered) / (double)System.Diagnostics.Stopwatch.Frequency);

    /// <summary>The order the job went out in: earlier jobs (the most expensive, and those waiting longest) are raced first.</summary>
    public long Order { get; }

    public RaceWinner Winner => (RaceWinner)Volatile.Read(ref _winner);

    /// <summary>Whether this machine started an attempt.</summary>
    public bool RacedHere => Volatile.Read(ref _taken) == 1;

    /// <summary>This machine's attempt: its result when it ran (won or not), null when it did not run.</summary>
    public Task<ProcessResult?> HereResult => _here.Task;

    public bool TryWin(RaceWinner winner) => Interlocked.CompareExchange(ref _winner, (int)winner, 0) == 0;

    /// <summary>Marks the job as taken by one of this machine's racers; false when another took it.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _taken, 1, 0) == 0;

    public void HereEnded(ProcessResult? result) => _here.TrySetResult(result);
}

internal enum RaceWinner
{
    None,
    Farm,
    Here,
}
