using System;
using System.Collections.Generic;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Execution;

/// <summary>What became of one backend job.</summary>
public sealed class JobResult
{
    public JobResult(BackendJob job, IReadOnlyList<string> command, JobStatus status, string? failure, int? exitCode, string output, TimeSpan elapsed, ResultOrigin origin = ResultOrigin.Here)
    {
        Origin = origin;
        Job = job;
        Command = command;
        Status = status;
        Failure = failure;
        ExitCode = exitCode;
        Output = output;
        Elapsed = elapsed;
    }

    public BackendJob Job { get; }

    /// <summary>The full argument vector the job ran with, compiler first.</summary>
    public IReadOnlyList<string> Command { get; }

    public JobStatus Status { get; }

    /// <summary>One line saying why the job failed; null unless <see cref="Status"/> is Failed.</summary>
    public string? Failure { get; }

    public int? ExitCode { get; }

    /// <summary>What the compiler printed (its diagnostics).</summary>
    public string Output { get; }

    public TimeSpan Elapsed { get; }

    public ResultOrigin Origin { get; }

    /// <summary>The outputs came from a cache: <see cref="Elapsed"/> is the look-up's time, not a compile's.</summary>
    public bool FromCache => Origin.IsCache();

    internal static JobResult NotStarted(JobList jobList, BackendJob job) =>
        new(job, jobList.CommandFor(job), JobStatus.NotCompleted, null, null, "", TimeSpan.Zero);
}
