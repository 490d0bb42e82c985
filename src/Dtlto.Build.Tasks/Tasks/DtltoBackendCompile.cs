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

    /// <summary>A file of earlier links' compile times, read to order the jobs and updated after them.</summary>
    public string? DurationHistory { get; set; }

    /// <summary>Serve and keep results in this machine's backend cache.</summary>
    public bool Cache { get; set; } = true;

    /// <summary>The backend cache's folder; empty for the per-user one.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The size the backend cache is pruned to (10G, 500M, bytes); empty for the default.</summary>
    public string? CacheMaxSize { get; set; }

    /// <summary>The cache folder is a team's: other users' entries are used too.</summary>
    public bool CacheShared { get; set; }

    /// <summary>A Remote Execution API server to run the compiles through; empty to run them here.</summary>
    public string? RemoteEndpoint { get; set; }

    public string? RemoteInstance { get; set; }

    /// <summary>Platform properties, name=value.</summary>
    public string[] RemotePlatform { get; set; } = Array.Empty<string>();

    /// <summary>Execute or CacheOnly.</summary>
    public string? RemoteMode { get; set; }

    public bool RemoteStrict { get; set; }

    /// <summary>Actions in flight at once; 0 for the default.</summary>
    public int RemoteJobs { get; set; }

    /// <summary>PEM files: the server's certificate authority, and this client's certificate and key for mutual TLS.</summary>
    public string? RemoteCaFile { get; set; }

    public string? RemoteClientCertificate { get; set; }

    public string? RemoteClientKey { get; set; }

    public string? RemoteTokenFile { get; set; }

    public string? RemoteTokenVariable { get; set; }

    public bool RemoteUploadToolchain { get; set; }

    /// <summary>Seconds to wait with actions out on the farm and none coming back; 0 for the default.</summary>
    public double RemoteStallTimeout { get; set; }

    /// <summary>Seconds the link's first call waits for the server; 0 for the default.</summary>
    public double RemoteConnectTimeout { get; set; }

    /// <summary>The largest output a result of the farm may claim (4G, 500M, bytes); empty for 4 GiB.</summary>
    public string? RemoteMaxOutputSize { get; set; }

    /// <summary>Put results compiled here in the farm's action cache; false reads it only.</summary>
    public bool RemoteUpload { get; set; } = true;

    /// <summary>Let the cores granted here compile jobs that are out on the farm too.</summary>
    public bool RemoteRace { get; set; } = true;

    /// <summary>Run the remote batch in dtlto-distributor: the targets' decision ($(_DtltoRemoteBatchOutOfProcess)).</summary>
    public bool RemoteOutOfProcess { get; set; }

    /// <summary>The program that runs dtlto-distributor (dotnet), and its arguments before the distributor's own (the assembly).</summary>
    public string DistributorHost { get; set; } = "dotnet";

    public string[] DistributorHostArguments { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Whether the remote batch runs in dtlto-distributor rather than in this process: as the
    /// targets decided, and always where this task assembly has no remote executor (a caller of
    /// the task other than the SDK's targets cannot ask it for what it does not have).
    /// </summary>
    private bool RemoteBatchOutOfProcess => !string.IsNullOrWhiteSpace(RemoteEndpoint) && (RemoteOutOfProcess || !RemoteExecutors.InProcess);

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

        BackendCache? cache;
        try
        {
            cache = new CacheConfiguration { Enabled = Cache, Folder = CacheDirectory, MaxSize = CacheMaxSize, Shared = CacheShared }.Open();
        }
        catch (FormatException e)
        {
            LogError("DTLTO3108", $"DtltoCacheMaxSize: {e.Message}");
            return false;
        }

        int wanted = MaxParallelism > 0 ? Math.Min(MaxParallelism, Jobs.Length) : Jobs.Length;
        BackendCompileResult result;
        bool lldEnded;
        using (CoreReservation cores = CoreReservation.Request(BuildEngine, wanted))
        {
            int parallelism = MaxParallelism > 0 ? Math.Min(MaxParallelism, cores.Cores) : cores.Cores;
            if (RemoteBatchOutOfProcess)
            {
                Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles through {RemoteEndpoint} in dtlto-distributor ({parallelism} cores here).");
                if (RunBatchOutOfProcess(jobList, parallelism) is not (BackendCompileResult Result, bool LldEnded) outcome)
                    return false;
                (result, lldEnded) = outcome;
            }
            else
            {
                if (!RemoteExecutors.TryCreate(this, jobList, parallelism, out IBackendExecutor behind, out int remoteParallelism))
                    return false;
                // The link's look-ups go on from those made when lld handed the job list over.
                IBackendExecutor executor = cache is null
                    ? behind
                    : new CachingExecutor(LinkedSession()?.CacheLookup ?? new BackendCacheLookup(cache), behind, warning => CacheWarnings.Log(this, warning));
                using (executor as IDisposable)
                {
                    if (remoteParallelism > 0)
                        Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles through {RemoteEndpoint}, {remoteParallelism} at once ({parallelism} cores here).");
                    else
                        Log.LogMessage(MessageImportance.Normal, $"Running {Jobs.Length} backend compiles on {parallelism} cores.");
                    (result, lldEnded) = RunBatch(jobList, remoteParallelism > 0 ? remoteParallelism : parallelism, executor, behind, remoteParallelism > 0);
                }
            }
        }

        if (!CancellationToken.IsCancellationRequested)
            LogHeadline(LinkMode, WithServedAtHandover(result), cache?.Folder, string.IsNullOrWhiteSpace(RemoteEndpoint) ? null : RemoteEndpoint);
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
    /// Runs the jobs with the node yielded, ordered by the duration history, recorded in the
    /// link's timeline, and stopped if the waiting lld dies. Returns whether lld ended meanwhile.
    /// </summary>
    private (BackendCompileResult Result, bool LldEnded) RunBatch(JobList jobList, int parallelism, IBackendExecutor executor, IBackendExecutor behind, bool remote)
    {
        ThinLinkSession? session = LinkedSession();
        DurationHistory history = string.IsNullOrEmpty(DurationHistory) ? Engine.Scheduling.DurationHistory.Empty() : Engine.Scheduling.DurationHistory.Load(DurationHistory!);
        // The remote executor times each job itself: on the farm that is the action's timeout, not its time waiting there.
        TimeSpan? timeout = JobTimeoutSeconds > 0 && !remote ? TimeSpan.FromSeconds(JobTimeoutSeconds) : null;
        RemoteExecutors.Attach(executor, behind, session?.Trace);
        DateTime started = DateTime.UtcNow;
        TimeSpan? cpuBefore = ChildCpuTime.Now();

        using CancellationTokenSource stop = StopWhenLldEnds(session);
        var observer = new CompositeObserver(new BackendCompileProgress(Log, Jobs.Length), session?.Trace);
        BackendCompileResult result = WhileYielded(() => new BackendCompile(executor, parallelism, observer, timeout, history).RunAsync(jobList, stop.Token));
        session?.Trace.AddPhase("backend compiles", started, DateTime.UtcNow);
        BackendCompileResult whole = WithServedAtHandover(result);
        Log.LogMessage(MessageImportance.Normal, "Backend compiles: " + LinkSummary.Format(whole, ChildCpuTime.Now() - cpuBefore, executor as IReportsCacheHits, workersMeaning: RemoteExecutors.WorkersMeaning(behind)));
        if (!string.IsNullOrEmpty(DurationHistory) && !CancellationToken.IsCancellationRequested)
            SaveHistory(history);
        return (result, session?.LinkExited.IsCompleted == true);
    }

    /// <summary>The batch's results and those the backend cache served when lld handed the job list over: the whole link.</summary>
    private BackendCompileResult WithServedAtHandover(BackendCompileResult result)
    {
        IReadOnlyList<JobResult> served = LinkedSession()?.ServedFromCache ?? Array.Empty<JobResult>();
        return served.Count == 0 ? result : new BackendCompileResult(result.Jobs.Concat(served).ToList(), result.Elapsed, result.Workers);
    }

    /// <summary>The remote batch in dtlto-distributor (see <see cref="RemoteBatchProcess"/>); null after an error was logged.</summary>
    private (BackendCompileResult Result, bool LldEnded)? RunBatchOutOfProcess(JobList jobList, int cores)
    {
        ThinLinkSession? session = LinkedSession();
        DateTime started = DateTime.UtcNow;
        using CancellationTokenSource stop = StopWhenLldEnds(session);
        var progress = new CompositeObserver(new BackendCompileProgress(Log, Jobs.Length), session?.Trace);
        var outcome = WhileYielded(() => RemoteBatchProcess.RunAsync(this, jobList, cores, progress, stop.Token));
        session?.Trace.AddPhase("backend compiles", started, DateTime.UtcNow);
        if (outcome is not (BackendCompileResult Result, string Summary) done)
            return null;
        Log.LogMessage(MessageImportance.Normal, "Backend compiles: " + done.Summary);
        return (done.Result, session?.LinkExited.IsCompleted == true);
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

    private void SaveHistory(DurationHistory history)
    {
        try
        {
            history.Save(DurationHistory!);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            LogWarning("DTLTO3105", $"cannot update the compile-time history: {e.Message}", DurationHistory);
        }
    }

    private ThinLinkSession? LinkedSession() =>
        string.IsNullOrEmpty(LinkId) ? null : BuildEngine4.GetRegisteredTaskObject(LinkId, RegisteredTaskObjectLifetime.Build) as ThinLinkSession;
}
