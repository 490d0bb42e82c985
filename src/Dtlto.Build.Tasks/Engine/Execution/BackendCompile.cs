using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Scheduling;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// Runs every backend job of a job list through an executor, at most
/// <see cref="MaxParallelism"/> at a time, most expensive first (see <see cref="JobOrder"/>). The first failure stops the
/// rest: queued jobs are not started and running ones are killed, because lld fails the whole
/// link anyway and the cores are better given back to the user at once.
/// </summary>
public sealed class BackendCompile
{
    private readonly IBackendExecutor _executor;
    private readonly IBackendCompileObserver? _observer;

    public BackendCompile(
        IBackendExecutor executor,
        int maxParallelism,
        IBackendCompileObserver? observer = null,
        TimeSpan? jobTimeout = null)
    {
        if (jobTimeout is TimeSpan t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(jobTimeout), jobTimeout, "A job timeout must be positive.");
        JobTimeout = jobTimeout;
        if (maxParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, "At least one job must be allowed to run.");
        _executor = executor;
        MaxParallelism = maxParallelism;
        _observer = observer;
    }

    public int MaxParallelism { get; }

    /// <summary>How long one job may run before it is killed and fails; null for no limit.</summary>
    public TimeSpan? JobTimeout { get; }

    public async Task<BackendCompileResult> RunAsync(JobList jobList, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<BackendJob> order = JobOrder.MostExpensiveFirst(jobList);
        var results = new JobResult?[jobList.Jobs.Count];
        int workers = Math.Min(MaxParallelism, order.Count);
        int next = -1;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Work(int worker)
        {
            while (!stop.IsCancellationRequested)
            {
                int position = Interlocked.Increment(ref next);
                if (position >= order.Count)
                    return;
                BackendJob job = order[position];
                JobResult result = await RunJobAsync(jobList, job, worker, stop.Token).ConfigureAwait(false);
                results[job.Index] = result;
                if (result.Status == JobStatus.Failed)
                    stop.Cancel();
            }
        }

        Task[] running = Enumerable.Range(0, workers).Select(w => Task.Run(() => Work(w))).ToArray();
        await Task.WhenAll(running).ConfigureAwait(false);

        JobResult[] all = jobList.Jobs.Select(job => results[job.Index] ?? JobResult.NotStarted(jobList, job)).ToArray();
        return new BackendCompileResult(all, stopwatch.Elapsed, workers);
    }

    private async Task<JobResult> RunJobAsync(JobList jobList, BackendJob job, int worker, CancellationToken stopToken)
    {
        IReadOnlyList<string> command = jobList.CommandFor(job);
        _observer?.JobStarted(worker, job);
        JobResult result;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        if (JobTimeout is TimeSpan timeout)
            deadline.CancelAfter(timeout);
        try
        {
            CreateSideOutputFolders(jobList, job);
            ProcessResult run = await _executor.ExecuteAsync(jobList, job, deadline.Token).ConfigureAwait(false);
            result = run.Stopped && !stopToken.IsCancellationRequested
                ? new JobResult(job, command, JobStatus.Failed, $"timed out after {JobTimeout!.Value.TotalSeconds:0.#} s and was killed", null, run.Output, run.Elapsed)
                : Judge(jobList, job, command, run);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopToken.IsCancellationRequested)
        {
            // No compile ran (the farm could not be used, in a strict link): there is no command to rerun.
            result = new JobResult(job, Array.Empty<string>(), JobStatus.Failed, e.Message, null, "", TimeSpan.Zero);
        }
        catch (OperationCanceledException)
        {
            result = new JobResult(job, command, JobStatus.NotCompleted, null, null, "", TimeSpan.Zero);
        }

        if (result.Status != JobStatus.Succeeded)
            DeleteOutputs(jobList, job);
        _observer?.JobFinished(worker, result);
        return result;
    }

    private static JobResult Judge(JobList jobList, BackendJob job, IReadOnlyList<string> command, ProcessResult run)
    {
        JobResult Result(JobStatus status, string? failure) =>
            new(job, command, status, failure, run.StartError is null ? run.ExitCode : null, run.Output, run.Elapsed, run.Origin);

        if (run.Stopped)
            return Result(JobStatus.NotCompleted, null);
        if (run.StartError is not null)
            return Result(JobStatus.Failed, run.StartError);
        if (run.ExitCode != 0)
            return Result(JobStatus.Failed, $"the compiler exited with code {run.ExitCode}" + (run.RanOn is string where ? " on " + where : ""));

        if (JobObjectCheck.Checked(jobList, job, run).BadObject is ({ } output, { } problem))
            return Result(JobStatus.Failed, (run.FromCache ? "its result from a cache " : "the compiler exited with code 0 but ") + problem.AsWrittenBy(output));

        return Result(JobStatus.Succeeded, null);
    }

    /// <summary>
    /// Removes what a failed or stopped job may have half-written, so that nothing that looks
    /// like a finished object survives it.
    /// </summary>
    private static void DeleteOutputs(JobList jobList, BackendJob job)
    {
        foreach (string output in job.AllOutputs)
        {
            CompilerTemporaries.DeleteWithOutput(jobList.Resolve(output));
        }
    }

    /// <summary>clang writes a .dwo only into a folder that exists (lld creates the folders of the outputs it names, not of these).</summary>
    private static void CreateSideOutputFolders(JobList jobList, BackendJob job)
    {
        foreach (string side in job.SideOutputs)
        {
            string? folder = Path.GetDirectoryName(jobList.Resolve(side));
            if (folder is not null)
                Directory.CreateDirectory(folder);
        }
    }
}
