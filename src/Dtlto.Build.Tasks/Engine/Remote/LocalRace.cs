using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Dynamic execution, as Bazel's dynamic spawn strategy and Chromium's remote client do it: while
/// jobs are out on the farm, this machine's cores that would otherwise idle compile them too. The
/// farm takes its queue from the front (most expensive first); cores here take waiting jobs
/// (queued on the farm, or here for a place under the in-flight limit) from the back, so the two
/// share the work instead of doing the same jobs twice. Jobs already executing, or still being
/// uploaded, are raced only once they have been out for twice the farm's typical round trip: at
/// the end of a link, its stragglers; against a fast farm, nothing, so that compiles here do not
/// take the cores this machine needs to feed it. Once no more jobs are coming and no more are out
/// than there are racers (the tail of a link, or a relink that hands over a module or two, which
/// is known at once from its job list), there is nothing left to feed and the cores would idle:
/// those jobs are raced at once. A racer compiles to files of its own; the first
/// whole result claims the job and is moved into place, and the other attempt is cancelled (the
/// farm still caches what it finishes).
/// </summary>
internal sealed class LocalRace : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a job is out before it is raced, at the least.</summary>
    internal static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long no job has entered before the jobs out are taken to be all the link will send.</summary>
    internal static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(50);

    /// <summary>Weight of the latest round trip in the typical one (an exponential moving average).</summary>
    private const double Smoothing = 0.1;

    private readonly LocalExecutor _local;
    private readonly SemaphoreSlim _cores;
    private readonly int _racers;
    private readonly TimeSpan? _jobTimeout;
    private readonly object _lock = new();
    private readonly List<RaceEntry> _entries = new();
    private readonly CancellationTokenSource _closing = new();
    private Task[]? _running;
    private long _order;
    private double _typicalRoundTrip;
    private readonly System.Diagnostics.Stopwatch _sinceEnter = System.Diagnostics.Stopwatch.StartNew();
    private TaskCompletionSource<bool> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="cores">This machine's compile slots, shared with the compiles that do not race.</param>
    public LocalRace(LocalExecutor local, SemaphoreSlim cores, int racers, TimeSpan? jobTimeout)
    {
        _local = local;
        _cores = cores;
        _racers = Math.Max(1, racers);
        _jobTimeout = jobTimeout;
    }

    /// <summary>Puts a job out on the farm up for racing; pair with <see cref="LeaveAsync"/>.</summary>
    public RaceEntry Enter(JobList jobList, BackendJob job, CancellationTokenSource farmAttempt)
    {
        var entry = new RaceEntry(jobList, job, farmAttempt, Interlocked.Increment(ref _order));
        TaskCompletionSource<bool> woken;
        lock (_lock)
        {
            _entries.Add(entry);
            _sinceEnter.Restart();
            _running ??= Enumerable.Range(0, _racers).Select(_ => Task.Run(RaceAsync)).ToArray();
            woken = _entered;
            _entered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // Racers waiting for work look at once, not at their next poll.
        woken.TrySetResult(true);
        return entry;
    }

    /// <summary>The farm answered a job (whatever the answer): its round trip feeds the typical one.</summary>
    public void FarmReturned(RaceEntry entry)
    {
        double seconds = entry.Out.TotalSeconds;
        lock (_lock)
            _typicalRoundTrip = _typicalRoundTrip == 0 ? seconds : (Smoothing * seconds) + ((1 - Smoothing) * _typicalRoundTrip);
    }

    /// <summary>How long a job that is not waiting must have been out before it is raced.</summary>
    internal TimeSpan StragglerDelay
    {
        get
        {
            lock (_lock)
                return TimeSpan.FromSeconds(Math.Max(MinimumDelay.TotalSeconds, 2 * _typicalRoundTrip));
        }
    }

    /// <summary>Ends a job's race: this machine's attempt is stopped and waited for, so that nothing writes the job's outputs afterwards.</summary>
    public async Task LeaveAsync(RaceEntry entry)
    {
        lock (_lock)
            _entries.Remove(entry);
        entry.HereAttempt.Cancel();
        if (entry.RacedHere)
            await entry.HereResult.ConfigureAwait(false);
    }

    private async Task RaceAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await _cores.WaitAsync(_closing.Token).ConfigureAwait(false);
                RaceEntry? entry;
                try
                {
                    entry = Take();
                    if (entry is not null)
                        await CompileAsync(entry).ConfigureAwait(false);
                }
                finally
                {
                    _cores.Release();
                }

                if (entry is null)
                {
                    Task entered;
                    lock (_lock)
                        entered = _entered.Task;
                    await Task.WhenAny(entered, Task.Delay(Poll, _closing.Token)).ConfigureAwait(false);
                    _closing.Token.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The link is over.
        }
    }

    /// <summary>The job to race next: the last waiting one, else the oldest straggler.</summary>
    private RaceEntry? Take()
    {
        TimeSpan straggler = StragglerDelay;
        lock (_lock)
        {
            // The tail: nothing more is coming (no job entered for a while, or the link has no
            // more jobs than racers: a relink handing over a module or two), and every job out can have a core here.
            bool tail = (_sinceEnter.Elapsed >= Quiet || _entries.TrueForAll(e => e.JobList.Jobs.Count <= _racers))
                && _entries.Count(e => e.Winner == RaceWinner.None) <= _racers;
            TimeSpan least = tail ? TimeSpan.Zero : MinimumDelay;
            if (tail)
                straggler = TimeSpan.Zero;
            List<RaceEntry> open = _entries.Where(e => !e.RacedHere && e.Winner == RaceWinner.None && e.Out >= least).ToList();
            IEnumerable<RaceEntry> waiting = open.Where(IsWaiting).OrderByDescending(e => e.Order);
            IEnumerable<RaceEntry> stragglers = open.Where(e => !IsWaiting(e) && e.Out >= straggler).OrderBy(e => e.Order);
            foreach (RaceEntry entry in waiting.Concat(stragglers))
            {
                if (entry.TryTake())
                    return entry;
            }
        }

        return null;
    }

    private static bool IsWaiting(RaceEntry entry) => entry.Stage.Value is FarmStage.Queued or FarmStage.WaitingHere;

    /// <summary>Compiles the job here to files of its own and, when the result is whole and the farm has not won, moves them into place.</summary>
    private async Task CompileAsync(RaceEntry entry)
    {
        ProcessResult? result = null;
        var own = entry.Job.Outputs.Select(entry.JobList.Resolve).ToDictionary(path => path, path => path + ".here" + Guid.NewGuid().ToString("N").Substring(0, 8), StringComparer.Ordinal);
        try
        {
            List<string>? command = entry.Winner == RaceWinner.None ? CommandRewrite.Command(entry.JobList.CommandFor(entry.Job), entry.JobList, own) : null;
            if (command is null)
                return;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(entry.HereAttempt.Token, _closing.Token);
            if (_jobTimeout is TimeSpan timeout)
                attempt.CancelAfter(timeout);
            result = await _local.RunAsync(entry.JobList, command, own.Values.First(), attempt.Token).ConfigureAwait(false);
            if (result.Stopped && !entry.HereAttempt.IsCancellationRequested && !_closing.IsCancellationRequested)
                result = TimedOut(result, _jobTimeout!.Value);
            bool whole = result.ExitCode == 0 && !result.Stopped && result.StartError is null && JobObjectCheck.Problem(entry.JobList, entry.Job, own) is null;
            if (whole && entry.TryWin(RaceWinner.Here))
            {
                foreach (KeyValuePair<string, string> output in own)
                    File.Move(output.Value, output.Key, overwrite: true);
                entry.FarmAttempt.Cancel();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = new ProcessResult(-1, "", TimeSpan.Zero, stopped: false, startError: $"cannot put the object compiled here in place: {e.Message}");
        }
        finally
        {
            foreach (string path in own.Values)
                CompilerTemporaries.DeleteWithOutput(path);

            entry.HereEnded(result);
        }
    }

    /// <summary>A compile here that ran out of time, as the job's failure.</summary>
    internal static ProcessResult TimedOut(ProcessResult run, TimeSpan timeout) =>
        new(-1, run.Output, run.Elapsed, stopped: false, startError: $"timed out after {timeout.TotalSeconds:0.#} s and was killed");

    public void Dispose()
    {
        _closing.Cancel();
        Task[]? running;
        lock (_lock)
            running = _running;
        if (running is not null)
            Task.WaitAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)).ToArray());
        _closing.Dispose();
    }
}
