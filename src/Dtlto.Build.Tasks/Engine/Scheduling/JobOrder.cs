using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Scheduling;

/// <summary>
/// Decides the order jobs start in. Starting the most expensive jobs first keeps a big module
/// from starting last and running alone while the other cores idle (longest processing time
/// first). Cost is predicted from what is cheap to know: the size of the module's bitcode and
/// of its index shard, which grows with what it imports.
/// </summary>
public static class JobOrder
{
    public static IReadOnlyList<BackendJob> MostExpensiveFirst(JobList jobList) =>
        jobList.Jobs
            .Select(job => (job, cost: EstimateCost(jobList, job)))
            .OrderByDescending(pair => pair.cost)
            .ThenBy(pair => pair.job.Index)
            .Select(pair => pair.job)
            .ToList();

    public static long EstimateCost(JobList jobList, BackendJob job) =>
        SizeOf(jobList.Resolve(job.Bitcode)) + SizeOf(jobList.Resolve(job.IndexShard));

    private static long SizeOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
