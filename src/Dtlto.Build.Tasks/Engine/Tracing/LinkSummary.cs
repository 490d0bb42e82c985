using System;
using System.Linq;
using Dtlto.Build.Engine.Execution;

namespace Dtlto.Build.Engine.Tracing;

/// <summary>The one line said at the end of every link: what ran, on how many workers, at what cost, and what took longest.</summary>
public static class LinkSummary
{
    /// <param name="cache">The executor, when it serves jobs from a cache: its hits and where jobs ran are said too.</param>
    /// <param name="workersMeaning">What the count of workers is when it is not this machine's compiles (a link through a farm).</param>
    public static string Format(BackendCompileResult result, TimeSpan? cpu, IReportsCacheHits? cache = null, int slowest = 3, string? workersMeaning = null)
    {
        int cacheHits = cache?.CacheHits ?? 0;
        int failed = result.Failures.Count();
        int notCompleted = result.Jobs.Count(j => j.Status == JobStatus.NotCompleted);
        string outcome = failed == 0 && notCompleted == 0 ? "" : $", {failed} failed, {notCompleted} not completed";
        string cpuText = cpu is TimeSpan c ? $"CPU {c.TotalSeconds:0.00} s, " : "";
        string slow = string.Join(", ", result.Jobs
            .Where(j => j.Status != JobStatus.NotCompleted)
            .OrderByDescending(j => j.Elapsed)
            .Take(slowest)
            .Select(j => $"{j.Job.ModuleName} {j.Elapsed.TotalSeconds:0.00} s"));
        string details = string.IsNullOrEmpty(cache?.Details) ? "" : $" ({cache!.Details})";
        return $"{result.Jobs.Count} backend jobs, {result.Workers} workers{(workersMeaning is null ? "" : $" ({workersMeaning})")}, {cacheHits} cache hits{details}{outcome}; {cpuText}wall {result.Elapsed.TotalSeconds:0.00} s" +
            (slow.Length > 0 ? $"; slowest: {slow}" : "") + FromCache(result);
    }

    /// <summary>
    /// Which modules' results came from a cache rather than a compile: a link that fails on one of
    /// them would link without the cache (--no-cache, DtltoCache=false). The first few are named.
    /// </summary>
    private static string FromCache(BackendCompileResult result, int named = 5)
    {
        var served = result.Jobs.Where(j => j.FromCache && j.Status == JobStatus.Succeeded).Select(j => j.Job.ModuleName).ToList();
        if (served.Count == 0)
            return "";
        string names = string.Join(", ", served.Take(named));
        return $"; from a cache: {names}" + (served.Count > named ? $" and {served.Count - named} more" : "");
    }
}
