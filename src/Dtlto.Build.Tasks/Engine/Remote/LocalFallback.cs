using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The compiles of a farm link that run on this machine: a job the farm cannot take, failed or
/// stalled on, in one of the link's local slots and under the action's timeout, each kind of
/// fall-back said in one warning per link (or, when strict, a stall fails the link).
/// </summary>
internal sealed class LocalFallback
{
    private readonly RemoteSettings _settings;
    private readonly FarmWatch _watch;
    private readonly Action<string> _warn;
    private readonly LocalExecutor _local;
    private int _warnedFallback;
    private int _warnedStall;

    public LocalFallback(RemoteSettings settings, FarmWatch watch, Action<string> warn, LocalExecutor local, SemaphoreSlim slots)
    {
        _settings = settings;
        _watch = watch;
        _warn = warn;
        _local = local;
        Slots = slots;
    }

    /// <summary>The link's compiles here at once (shared with the race).</summary>
    public SemaphoreSlim Slots { get; }

    /// <summary>The farm stalled: strict links fail saying what was still waiting; others compile the rest here, with one warning.</summary>
    public async Task<ProcessResult> StalledAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        string why = $"no action came back from the remote execution server at {_settings.Address} for {_settings.StallTimeout.TotalSeconds:0.#} s " +
            $"(platform {DescribePlatform()}; {_watch.StallDescription})";
        if (_settings.Strict)
            throw new RemoteExecutionException(why);
        if (Interlocked.Exchange(ref _warnedStall, 1) == 0)
            _warn(why + " The remaining backend compiles run on this machine.");
        return await FallBackAsync(jobList, job, null, cancellationToken).ConfigureAwait(false);
    }

    private string DescribePlatform() =>
        _settings.Platform.Count == 0 ? "(none)" : string.Join(", ", _settings.Platform.Select(p => p.Key + "=" + p.Value));

    public async Task<ProcessResult> FallBackAsync(JobList jobList, BackendJob job, string? why, CancellationToken cancellationToken)
    {
        if (why is not null && Interlocked.Exchange(ref _warnedFallback, 1) == 0)
            _warn($"the remote execution server failed {job.ModuleName} ({why}); it and any further such jobs compile on this machine");
        return (await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false)).From(ResultOrigin.HereAfterFarmFailure);
    }

    public async Task<ProcessResult> CompileHereAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        await Slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await CompileInSlotAsync(jobList, job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compiles a job here in a local slot the caller holds, and gives the slot back.</summary>
    public async Task<ProcessResult> CompileInSlotAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_settings.ActionTimeout is TimeSpan timeout)
                deadline.CancelAfter(timeout);
            ProcessResult run = await _local.ExecuteAsync(jobList, job, deadline.Token).ConfigureAwait(false);
            return run.Stopped && !cancellationToken.IsCancellationRequested ? LocalRace.TimedOut(run, _settings.ActionTimeout!.Value) : run;
        }
        finally
        {
            Slots.Release();
        }
    }
}
