using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Scheduling;

/// <summary>
/// Decides the order jobs start in. Starting the most expensive jobs first keeps a big module
/// from starting last and running alone while the other cores idle (longest processing time
/// first). A module's cost is its duration in an earlier link when the history has it;
/// otherwise it is predicted from what is cheap to know, the size of its bitcode and of its
/// index shard (which grows with what it imports), converted to seconds at the rate the
/// history shows for modules it does know.
/// </summary>
public static class JobOrder
{
    public static IReadOnlyList<BackendJob> MostExpensiveFirst(JobList jobList, DurationHistory? history = null)
    {
        history ??= DurationHistory.Empty();
        var sizes = jobList.Jobs.ToDictionary(job => job, job => EstimateSize(jobList, job));
        double secondsPerByte = SecondsPerByte(jobList, history, sizes);
        return jobList.Jobs
            .Select(job => (job, cost: history.SecondsFor(job.Bitcode) ?? sizes[job] * secondsPerByte))
            .OrderByDescending(pair => pair.cost)
            .ThenBy(pair => pair.job.Index)
            .Select(pair => pair.job)
            .ToList();
    }

    public static long EstimateSize(JobList jobList, BackendJob job) =>
        SizeOf(jobList.Resolve(job.Bitcode)) + SizeOf(jobList.Resolve(job.IndexShard));

    /// <summary>The (lower) median rate of the modules both measured and sized; any constant when there are none.</summary>
    private static double SecondsPerByte(JobList jobList, DurationHistory history, Dictionary<BackendJob, long> sizes)
    {
        double[] rates = jobList.Jobs
            .Where(job => sizes[job] > 0 && history.SecondsFor(job.Bitcode) is not null)
            .Select(job => history.SecondsFor(job.Bitcode)!.Value / sizes[job])
            .OrderBy(rate => rate)
            .ToArray();
        return rates.Length == 0 ? 1e-6 : rates[(rates.Length - 1) / 2];
    }

    private static long SizeOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
