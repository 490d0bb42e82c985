using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Scheduling;
using Dtlto.Build.Engine.Tracing;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Phase 2 of the DTLTO link (target DtltoBackendCompile): runs the <c>@(DtltoBackendJob)</c>
/// items through the engine, on the cores MSBuild grants. Each failing module is an error that
/// carries clang's own diagnostics and the command to rerun it.
/// </summary>
public sealed class DtltoBackendCompile : DtltoTask
{
    [Required]
    public ITaskItem[] Jobs { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The most compiles to run at once; 0 for as many as MSBuild grants.</summary>
    public int MaxParallelism { get; set; }

    /// <summary>Seconds one compile may run before it is killed and fails; 0 for no limit.</summary>
    public double JobTimeoutSeconds { get; set; }

    /// <summary>How the link runs, in words (Integrated, or Split and why), for its one line at default verbosity.</summary>
    public string? LinkMode { get; set; }

    /// <summary>The link the jobs belong to; if its lld ends early, the compiles are stopped.</summary>
    public string? LinkId { get; set; }

    /// <summary>Serve and keep results in this machine's backend cache.</summary>
    public bool Cache { get; set; } = true;

    /// <summary>The backend cache's folder; empty for the per-user one.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The size the backend cache is pruned to (10G, 500M, bytes); empty for the default.</summary>
    public string? CacheMaxSize { get; set; }

    /// <summary>The cache folder is a team's: other users' entries are used too.</summary>
    public bool CacheShared { get; set; }

    /// <summary>
    /// The remote execution settings: one item whose metadata are the DtltoRemote* properties'
    /// values (Endpoint, Instance, Platform, Mode, Strict, Jobs, CaFile, ClientCertificate,
    /// ClientKey, TokenFile, TokenVariable, UploadToolchain, StallTimeout, ConnectTimeout,
    /// MaxOutputSize, Race, Upload) and OutOfProcess, the targets' decision to run the batch in
    /// dtlto-distributor ($(_DtltoRemoteBatchOutOfProcess)); none, or no Endpoint, to compile here.
    /// </summary>
    public ITaskItem? Remote { get; set; }

    /// <summary>The program that runs dtlto-distributor (dotnet), and its arguments before the distributor's own (the assembly).</summary>
    public string DistributorHost { get; set; } = "dotnet";

    public string[] DistributorHostArguments { get; set; } = Array.Empty<string>();

    protected override bool ExecuteCore()
    {
        if (Jobs.Length == 0)
            return true;
        JobList jobList;
        try
        {
            jobList = BackendJobItems.FromItems(Jobs);
        }
        catch (FormatException e)
        {
            LogError("DTLTO3103", $"a DtltoBackendJob item cannot be run: {e.Message}");
            return false;
        }

        // The link's state from DtltoStartLink; none where the task runs on its own (or the link's node went away).
        LinkState? link = LinkState.Find(BuildEngine4, LinkId);
        BackendCache? cache;
        try
        {
            cache = new CacheConfiguration { Enabled = Cache, Folder = CacheDirectory, MaxSize = CacheMaxSize, Shared = CacheShared }.Open(link?.Digests);
        }
        catch (FormatException e)
        {
            LogError("DTLTO3108", $"DtltoCacheMaxSize: {e.Message}");
            return false;
        }

        RemoteBatchSettings? remote;
        try
        {
            remote = RemoteBatchSettings.Of(Remote, JobTimeoutSeconds, CacheDirectory);
        }
        catch (FormatException e)
        {
            LogError("DTLTO3106", $"remote execution cannot start: {e.Message}");
            return false;
        }

        int wanted = MaxParallelism > 0 ? Math.Min(MaxParallelism, Jobs.Length) : Jobs.Length;
        BackendCompileResult result;
        bool lldEnded;
        using (CoreReservation cores = CoreReservation.Request(BuildEngine, wanted))
        {
            int parallelism = MaxParallelism > 0 ? Math.Min(MaxParallelism, cores.Cores) : cores.Cores;
            if (remote is { OutOfProcess: true })
            {
                Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles through {remote!.Endpoint} in dtlto-distributor ({parallelism} cores here).");
                if (RunBatchOutOfProcess(link, jobList, remote, parallelism) is not (BackendCompileResult Result, bool LldEnded) outcome)
                    return false;
                (result, lldEnded) = outcome;
            }
            else
            {
                if (!RemoteExecutors.TryCreate(this, remote, jobList, parallelism, cache?.Digests ?? link?.Digests, out IBackendExecutor compiles, out int remoteParallelism))
                    return false;
                // The link's look-ups go on from those made when lld handed the job list over.
                BackendCacheLookup? lookup = cache is null ? null : link?.CacheLookup ?? new BackendCacheLookup(cache);
                using ExecutorChain chain = ExecutorChain.Build(compiles, lookup, warning => CacheWarnings.Log(this, warning), link?.Trace);
                if (remoteParallelism > 0)
                    Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles through {remote!.Endpoint}, {remoteParallelism} at once ({parallelism} cores here).");
                else
                    Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles on {parallelism} cores.");
                (result, lldEnded) = RunBatch(link, jobList, remoteParallelism > 0 ? remoteParallelism : parallelism, chain);
            }
        }

        if (!CancellationToken.IsCancellationRequested)
            LogHeadline(LinkMode, WithServedAtHandover(link, result), cache?.Folder, remote?.Endpoint);
        if (lldEnded && !CancellationToken.IsCancellationRequested)
        {
            LogError("DTLTO3104", "lld ended while the backend compiles ran (was it killed?); the compiles were stopped");
            return false;
        }

        foreach (JobResult failure in result.Failures)
        {
            ITaskItem item = Jobs[failure.Job.Index];
            string diagnostics = failure.Output.Trim();
            LogError(
                "DTLTO3101",
                $"backend compile of '{item.GetMetadata("Module")}' failed: {failure.Failure}" + (failure.Command.Count > 0 ? $"\n  command: {CommandLineText.Format(failure.Command)}" : "") +
                (diagnostics.Length > 0 ? "\n" + diagnostics : ""),
                item.GetMetadata("Bitcode"));
        }

        return result.Succeeded && !CancellationToken.IsCancellationRequested;
    }

    /// <summary>
    /// Runs the jobs with the node yielded, largest first, recorded in the
    /// link's timeline, and stopped if the waiting lld dies. Returns whether lld ended meanwhile.
    /// </summary>
    private (BackendCompileResult Result, bool LldEnded) RunBatch(LinkState? link, JobList jobList, int parallelism, ExecutorChain chain)
    {
        // The remote executor times each job itself: on the farm that is the action's timeout, not its time waiting there.
        TimeSpan? timeout = JobTimeoutSeconds > 0 && chain.Farm is null ? TimeSpan.FromSeconds(JobTimeoutSeconds) : null;
        DateTime started = DateTime.UtcNow;
        TimeSpan? cpuBefore = ChildCpuTime.Now();

        using CancellationTokenSource stop = StopWhenLldEnds(link?.Session);
        var observer = new CompositeObserver(new BackendCompileProgress(Log, Jobs.Length), link?.Trace);
        BackendCompileResult result = WhileYielded(() => new BackendCompile(chain.First, parallelism, observer, timeout).RunAsync(jobList, stop.Token));
        link?.Trace.AddPhase("backend compiles", started, DateTime.UtcNow);
        BackendCompileResult whole = WithServedAtHandover(link, result);
        Log.LogMessage(MessageImportance.Normal, "Backend compiles: " + chain.Summarize(whole, ChildCpuTime.Now() - cpuBefore));
        return (result, link?.Session.LinkExited.IsCompleted == true);
    }

    /// <summary>The batch's results and those the backend cache served when lld handed the job list over: the whole link.</summary>
    private static BackendCompileResult WithServedAtHandover(LinkState? link, BackendCompileResult result)
    {
        IReadOnlyList<JobResult> served = link?.ServedFromCache ?? Array.Empty<JobResult>();
        return served.Count == 0 ? result : new BackendCompileResult(result.Jobs.Concat(served).ToList(), result.Elapsed, result.Workers);
    }

    /// <summary>The remote batch in dtlto-distributor (see <see cref="RemoteBatchProcess"/>); null after an error was logged.</summary>
    private (BackendCompileResult Result, bool LldEnded)? RunBatchOutOfProcess(LinkState? link, JobList jobList, RemoteBatchSettings remote, int cores)
    {
        DateTime started = DateTime.UtcNow;
        using CancellationTokenSource stop = StopWhenLldEnds(link?.Session);
        var progress = new CompositeObserver(new BackendCompileProgress(Log, Jobs.Length), link?.Trace);
        var outcome = WhileYielded(() => RemoteBatchProcess.RunAsync(this, remote, jobList, cores, progress, stop.Token));
        link?.Trace.AddPhase("backend compiles", started, DateTime.UtcNow);
        if (outcome is not (BackendCompileResult Result, string Summary) done)
            return null;
        Log.LogMessage(MessageImportance.Normal, "Backend compiles: " + done.Summary);
        return (done.Result, link?.Session.LinkExited.IsCompleted == true);
    }

    /// <summary>The batch's stop: the build's cancellation, or the waiting lld dying.</summary>
    private CancellationTokenSource StopWhenLldEnds(ThinLinkSession? session)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        session?.LinkExited.ContinueWith(
            _ =>
            {
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The compiles were over before lld ended.
                }
            },
            TaskScheduler.Default);
        return stop;
    }
}
