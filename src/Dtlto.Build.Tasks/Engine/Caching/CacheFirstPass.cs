using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// Serves every job this machine's cache holds as soon as lld hands its job list over, before
/// any compile is scheduled: a relink whose modules all come from the cache then costs a
/// look-up per module and no backend batch at all, and the batch that follows runs only the rest.
/// </summary>
public static class CacheFirstPass
{
    /// <summary>
    /// The jobs served, in job-list order, as succeeded results from the cache; <paramref name="observer"/>
    /// hears of those only, <paramref name="warn"/> of damaged entries. The misses' keys stay in
    /// <paramref name="lookup"/> for the batch. Cancelling stops the look-ups; what was served so far is returned.
    /// </summary>
    public static IReadOnlyList<JobResult> Run(BackendCacheLookup lookup, JobList jobList, int parallelism, IBackendCompileObserver? observer, Action<CacheWarning> warn, CancellationToken cancellationToken)
    {
        var served = new ConcurrentBag<JobResult>();
        int next = -1;
        Parallel.For(0, Math.Max(1, Math.Min(parallelism, jobList.Jobs.Count)), worker =>
        {
            for (int i = Interlocked.Increment(ref next); i < jobList.Jobs.Count && !cancellationToken.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                BackendJob job = jobList.Jobs[i];
                observer?.JobStarted(worker, job);
                if (lookup.Look(jobList, job, warn).Hit is not ProcessResult hit)
                    continue;
                var result = new JobResult(job, jobList.CommandFor(job), JobStatus.Succeeded, null, 0, hit.Output, hit.Elapsed, ResultOrigin.LocalCache);
                observer?.JobFinished(worker, result);
                served.Add(result);
            }
        });
        return served.OrderBy(r => r.Job.Index).ToList();
    }
}
