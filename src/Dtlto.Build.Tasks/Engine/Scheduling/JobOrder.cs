using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Scheduling;

/// <summary>
/// Decides the order jobs start in. Starting the most expensive jobs first keeps a big module
/// from starting last and running alone while the other cores idle (longest processing time
/// first). A module's cost is predicted from what is cheap to know, the size of its bitcode and
/// of its index shard (which grows with what it imports). Replayed with the durations measured
/// in real links, this order comes within 1% of ordering by the true durations on 2 to 16 cores
/// and within 3% on 32 (docs/performance.md, "Cold links against the oracle"), so durations
/// remembered from earlier links are not worth keeping.
/// </summary>
public static class JobOrder
{
    public static IReadOnlyList<BackendJob> MostExpensiveFirst(JobList jobList) =>
        jobList.Jobs
            .Select(job => (job, size: EstimateSize(jobList, job)))
            .OrderByDescending(pair => pair.size)
            .ThenBy(pair => pair.job.Index)
            .Select(pair => pair.job)
            .ToList();

    public static long EstimateSize(JobList jobList, BackendJob job) =>
        SizeOf(jobList.Resolve(job.Bitcode)) + SizeOf(jobList.Resolve(job.IndexShard));

    private static long SizeOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
