using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Runs a remote batch in dtlto-distributor, a .NET 8 process, for an MSBuild whose tasks cannot
/// speak gRPC: Visual Studio's MSBuild.exe runs the .NET Framework task assembly. The job list is
/// written for it; each job it finishes comes back as a line of JSON (--job-results) and becomes
/// the same result, progress message and error as in <c>dotnet build</c>; its warnings become
/// DTLTO3107 and its status lines messages; cancelling the build kills it and everything it
/// started. Racing, fallback, strict mode and the summary are the distributor's, which are the
/// engine's, as in-process.
/// </summary>
internal static class RemoteBatchProcess
{
    /// <summary>The batch's result and summary line; null after an error was logged (the distributor could not start or run).</summary>
    public static async Task<(BackendCompileResult Result, string Summary)?> RunAsync(
        DtltoBackendCompile task, RemoteBatchSettings remote, JobList jobList, int cores, IBackendCompileObserver progress, CancellationToken cancellationToken)
    {
        string? host = ProgramSearch.Find(task.DistributorHost);
        if (host is null)
        {
            task.LogError("DTLTO3005", $"cannot find '{task.DistributorHost}', the program that runs dtlto-distributor, on PATH; set DtltoDistributorHost to its full path");
            return null;
        }

        string jobListFile = System.IO.Path.Combine(OutputFolder(jobList), $"dtlto-remote-batch-{Guid.NewGuid():N}.json");
        var results = new JobResult?[jobList.Jobs.Count];
        string? summary = null;
        var errors = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            try
            {
                JobListWriter.WriteFile(AsLldWritesIt(jobList), jobListFile);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                task.LogError("DTLTO3106", $"remote execution cannot start: cannot write the job list for dtlto-distributor: {e.Message}");
                return null;
            }

            var argv = new List<string> { host };
            argv.AddRange(task.DistributorHostArguments);
            argv.AddRange(Options(task, remote, cores));
            argv.Add(jobListFile);

            // Everything the build acts on arrives as JSON lines on standard output; standard error is for people, and logged as it is.
            void OnLine(string line, bool error)
            {
                if (!error)
                {
                    (JobResult? result, string? said, string? status, string? warning, string? failure) = JobResultLine.Read(line, jobList);
                    if (status is not null)
                        task.Log.LogMessage(MessageImportance.High, status);
                    if (warning is not null)
                        task.LogWarning("DTLTO3107", warning);
                    if (failure is not null)
                        errors.Add(failure);
                    if (result is not null)
                    {
                        results[result.Job.Index] = result;
                        progress.JobFinished(0, result);
                    }

                    summary = said ?? summary;
                    return;
                }

                task.Log.LogMessage(MessageImportance.Low, line);
            }

            ProcessResult run;
            try
            {
                using ChildProcess child = ChildProcess.Start(argv, jobList.BaseDirectory, onLine: OnLine);
                run = await child.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChildProcessStartException e)
            {
                task.LogError("DTLTO3106", $"remote execution cannot start: {e.Message}");
                return null;
            }

            // Exit code 2: the distributor could not start the batch (a bad setting, an unreadable file); nothing ran.
            if (!run.Stopped && run.ExitCode == 2)
            {
                task.LogError("DTLTO3106", "remote execution cannot start: " + string.Join("; ", errors.Select(e => e.Replace(" (try --help)", ""))));
                return null;
            }

            JobResult[] all = jobList.Jobs.Select(job => results[job.Index] ?? JobResult.NotStarted(jobList, job)).ToArray();
            if (!run.Stopped && run.ExitCode != 0 && all.All(r => r.Status != JobStatus.Failed))
            {
                task.LogError("DTLTO3101", $"dtlto-distributor exited with code {run.ExitCode} without saying which compile failed: {string.Join("; ", errors)}");
                return null;
            }

            int workers = Math.Min(all.Length, cores);
            return (new BackendCompileResult(all, clock.Elapsed, workers), summary ?? "");
        }
        finally
        {
            QuietDelete.File(jobListFile);
        }
    }

    /// <summary>
    /// The jobs as lld writes a job list: the compiler in common.args and each job's own arguments
    /// after it (items carry each job's whole command), so that the distributor reads it as it reads lld's.
    /// </summary>
    private static JobList AsLldWritesIt(JobList jobList)
    {
        var jobs = jobList.Jobs.Select(job => new BackendJob(job.Index, jobList.CommandFor(job).Skip(1).ToList(), job.Inputs, job.Outputs)).ToList();
        string compiler = jobList.CommandFor(jobList.Jobs[0])[0];
        if (jobList.Jobs.Any(job => jobList.CommandFor(job)[0] != compiler))
            throw new System.IO.IOException("the backend jobs do not all run the same compiler");
        // The distributor lets jobs write only beside the link's output: name a file in the folder that holds every object.
        return new JobList(System.IO.Path.Combine(OutputFolder(jobList), "remote-batch"), new[] { compiler }, jobList.CommonInputs, jobs, jobList.BaseDirectory);
    }

    /// <summary>The deepest folder that holds every output of the batch.</summary>
    private static string OutputFolder(JobList jobList)
    {
        string[] folders = jobList.Jobs.SelectMany(job => job.Outputs).Select(o => System.IO.Path.GetDirectoryName(jobList.Resolve(o))!).Distinct().ToArray();
        string common = folders[0];
        while (!folders.All(f => f == common || f.StartsWith(common.TrimEnd('/', '\\') + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            common = System.IO.Path.GetDirectoryName(common) ?? jobList.BaseDirectory;
        return common;
    }

    /// <summary>The task's settings as distributor options: the remote ones as <see cref="RemoteBatchSettings"/> writes them, then the batch's own.</summary>
    private static IEnumerable<string> Options(DtltoBackendCompile task, RemoteBatchSettings remote, int cores)
    {
        yield return "--job-results";
        foreach (string option in remote.DistributorArguments(cores))
            yield return option;
        if (!task.Cache)
            yield return "--no-cache";
        if (task.CacheShared)
            yield return "--cache-shared";
        if (!string.IsNullOrEmpty(task.CacheMaxSize))
            yield return "--cache-max-size=" + task.CacheMaxSize;
    }
}
