using System;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Jobserver;
using Dtlto.Build.Engine.Tracing;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// The executors one batch of backend jobs runs through, built in this one place for
/// DtltoBackendCompile and dtlto-distributor alike: this machine's backend cache first (when it
/// is on), then the compiles: a farm's client, or this machine's compiles, behind make's
/// jobserver when one shares the cores. The batch's summary line is said from here too.
/// </summary>
public sealed class ExecutorChain : IDisposable
{
    private ExecutorChain(IBackendExecutor first, BackendCacheLookup? cache, IFarmClient? farm)
    {
        First = first;
        Cache = cache;
        Farm = farm;
    }

    /// <summary>The executor the batch runs its jobs with.</summary>
    public IBackendExecutor First { get; }

    /// <summary>The link's look-ups in the backend cache; null when the cache is off.</summary>
    public BackendCacheLookup? Cache { get; }

    /// <summary>The farm's client; null when the jobs compile here.</summary>
    public IFarmClient? Farm { get; }

    /// <param name="compiles">What runs a job that the cache does not hold: the farm's client, or this machine's compiles.</param>
    /// <param name="cache">The link's look-ups (shared with a first pass that ran before), or null for no cache.</param>
    /// <param name="warn">Hears the cache's warnings.</param>
    /// <param name="trace">The link's timeline, which the farm's client adds each action's parts to.</param>
    /// <param name="jobserver">Make's jobserver, for compiles here; a farm's actions do not take its tokens.</param>
    public static ExecutorChain Build(IBackendExecutor compiles, BackendCacheLookup? cache, Action<CacheWarning> warn, LinkTrace? trace = null, JobserverClient? jobserver = null)
    {
        var farm = compiles as IFarmClient;
        if (farm is not null)
            farm.Trace = trace;
        IBackendExecutor behind = farm is null && jobserver is not null ? new JobserverExecutor(compiles, jobserver) : compiles;
        IBackendExecutor first = cache is null ? behind : new CachingExecutor(cache, behind, warn);
        return new ExecutorChain(first, cache, farm);
    }

    /// <summary>What the summary's count of workers means; null for this machine's compiles.</summary>
    public string? WorkersMeaning => Farm?.WorkersMeaning;

    /// <summary>The batch's one summary line (see <see cref="LinkSummary"/>).</summary>
    public string Summarize(BackendCompileResult result, TimeSpan? cpu) =>
        LinkSummary.Format(result, cpu, Cache is not null, Cache?.DamagedEntries ?? 0, Farm?.TransportReport, workersMeaning: Farm?.WorkersMeaning);

    /// <summary>Disposes the executors (the cache's waits for its prune and keeps the digests learnt).</summary>
    public void Dispose() => (First as IDisposable)?.Dispose();
}
