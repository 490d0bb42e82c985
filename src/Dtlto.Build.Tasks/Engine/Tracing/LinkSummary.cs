using System;
using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Tracing;

/// <summary>
/// The one line said at the end of every link: what ran, on how many workers, at what cost, and
/// what took longest. Every count of jobs is taken from the results' <see cref="ResultOrigin"/>.
/// </summary>
public static class LinkSummary
{
    /// <param name="localCache">Whether the link used this machine's backend cache: the results' places are counted.</param>
    /// <param name="damagedEntries">Entries of that cache found damaged and discarded.</param>
    /// <param name="farm">What the farm's client says of its own work, when the link went through a farm; null when it did not.</param>
    /// <param name="workersMeaning">What the count of workers is when it is not this machine's compiles (a link through a farm).</param>
    public static string Format(BackendCompileResult result, TimeSpan? cpu, bool localCache = false, int damagedEntries = 0, string? farm = null, int slowest = 3, string? workersMeaning = null)
    {
        var succeeded = result.Jobs.Where(j => j.Status == JobStatus.Succeeded).ToList();
        int Count(Func<ResultOrigin, bool> which) => succeeded.Count(j => which(j.Origin));
        int cacheHits = Count(o => o.IsCache());
        int failed = result.Failures.Count();
        int notCompleted = result.Jobs.Count(j => j.Status == JobStatus.NotCompleted);
        string outcome = failed == 0 && notCompleted == 0 ? "" : $", {failed} failed, {notCompleted} not completed";
        string cpuText = cpu is TimeSpan c ? $"CPU {c.TotalSeconds:0.00} s, " : "";
        string slow = string.Join(", ", result.Jobs
            .Where(j => j.Status != JobStatus.NotCompleted)
            .OrderByDescending(j => j.Elapsed)
            .Take(slowest)
            .Select(j => $"{j.Job.ModuleName} {j.Elapsed.TotalSeconds:0.00} s"));

        var details = new List<string>();
        if (localCache)
        {
            int local = Count(o => o == ResultOrigin.LocalCache), compiled = Count(o => !o.IsCache());
            string counts = farm is null ? $"{local} local, {compiled} compiled" : $"{local} local, {Count(o => o == ResultOrigin.FarmCache)} remote, {compiled} compiled";
            details.Add(damagedEntries > 0 ? counts + $", {damagedEntries} damaged entries discarded" : counts);
        }

        if (farm is not null)
            details.Add(FarmDetails(Count, farm));
        string detailText = details.Count == 0 ? "" : $" ({string.Join("; ", details)})";
        return $"{result.Jobs.Count} backend jobs, {result.Workers} workers{(workersMeaning is null ? "" : $" ({workersMeaning})")}, {cacheHits} cache hits{detailText}{outcome}; {cpuText}wall {result.Elapsed.TotalSeconds:0.00} s" +
            (slow.Length > 0 ? $"; slowest: {slow}" : "") + FromCache(result);
    }

    /// <summary>Where a farm link's jobs ran (<c>remote: 5 executed, 1 compiled here (1 after farm failures), races won 1 here, 0 on the farm</c>), then the client's own report.</summary>
    private static string FarmDetails(Func<Func<ResultOrigin, bool>, int> count, string report)
    {
        int fallbacks = count(o => o == ResultOrigin.HereAfterFarmFailure);
        var parts = new List<string>
        {
            $"remote: {count(o => o.Place() == ResultOrigin.Farm)} executed, {count(o => o.Place() == ResultOrigin.Here)} compiled here" + (fallbacks > 0 ? $" ({fallbacks} after farm failures)" : ""),
        };
        int wonHere = count(o => o == ResultOrigin.HereWonRace), wonThere = count(o => o == ResultOrigin.FarmWonRace);
        if (wonHere + wonThere > 0)
            parts.Add($"races won {wonHere} here, {wonThere} on the farm");
        if (report.Length > 0)
            parts.Add(report);
        return string.Join(", ", parts);
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
