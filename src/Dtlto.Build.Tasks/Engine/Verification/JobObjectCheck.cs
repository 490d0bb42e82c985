using System;
using System.Collections.Generic;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// The one check of a backend job's objects (its outputs; side outputs such as a .dwo are not
/// linked) against the link's target. Every place that decides whether to trust a job's result
/// asks it: a batch judging a compile here, the cache before it stores or restores an entry, the
/// farm's client before it moves a download into place or publishes a compile here, a race before
/// this machine's compile may win. A result it passed says so (<see cref="ProcessResult.ObjectChecked"/>),
/// so no object is read twice on its way to the final link.
/// </summary>
public static class JobObjectCheck
{
    /// <summary>
    /// The first of the job's objects that is not whole, with what is wrong with it; null when
    /// all are. <paramref name="placed"/> says where a file is now when it is not yet at its own
    /// (resolved) name: a cache entry's or a farm's temporary, a race's own copy.
    /// <paramref name="written"/> has, by the same names, the bytes just written to a file, which
    /// are checked as they are instead of being read back.
    /// </summary>
    public static (string Output, ObjectProblem Problem)? Problem(JobList jobList, BackendJob job, IReadOnlyDictionary<string, string>? placed = null,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? written = null)
    {
        ObjectTarget target = jobList.TargetOf(job);
        foreach (string output in job.Outputs)
        {
            string resolved = jobList.Resolve(output);
            string path = placed is not null && placed.TryGetValue(resolved, out string? there) ? there : resolved;
            ObjectProblem? problem = written is not null && written.TryGetValue(resolved, out ReadOnlyMemory<byte> bytes)
                ? ObjectVerifier.Problem(bytes, target)
                : ObjectVerifier.Problem(path, target);
            if (problem is not null)
                return (output, problem);
        }

        return null;
    }

    /// <summary>
    /// A finished run as it may be trusted: a compile that succeeded has its objects checked now
    /// (unless that was done on its way here), and one whose object is not whole carries the
    /// problem (<see cref="ProcessResult.BadObject"/>). A run that failed or was stopped is returned as it is.
    /// </summary>
    public static ProcessResult Checked(JobList jobList, BackendJob job, ProcessResult run)
    {
        if (!run.Succeeded || run.ObjectChecked || run.BadObject is not null)
            return run;
        return Problem(jobList, job) is { } bad ? run.WithBadObject(bad.Output, bad.Problem) : run.WithObjectChecked();
    }
}
