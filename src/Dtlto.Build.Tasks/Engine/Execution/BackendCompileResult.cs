using System;
using System.Collections.Generic;
using System.Linq;

namespace Dtlto.Build.Engine.Execution;

/// <summary>The outcome of every job of a job list, in job-list order.</summary>
public sealed class BackendCompileResult
{
    public BackendCompileResult(IReadOnlyList<JobResult> jobs, TimeSpan elapsed, int workers)
    {
        Jobs = jobs;
        Elapsed = elapsed;
        Workers = workers;
    }

    public IReadOnlyList<JobResult> Jobs { get; }

    public TimeSpan Elapsed { get; }

    public int Workers { get; }

    public bool Succeeded => Jobs.All(j => j.Status == JobStatus.Succeeded);

    public IEnumerable<JobResult> Failures => Jobs.Where(j => j.Status == JobStatus.Failed);
}
