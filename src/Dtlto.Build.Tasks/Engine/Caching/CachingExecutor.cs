using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The first tier of every backend compile: a job whose key is in the <see cref="BackendCache"/>
/// gets its outputs from there; any other runs through the executor behind (this machine, or
/// the farm with its own action cache as the second tier), and what that produced is stored.
/// The cache never fails a build: an entry that cannot be written costs one warning and the
/// rest of the link stores nothing; a damaged entry is discarded, said, and the job compiled.
/// </summary>
public sealed class CachingExecutor : IBackendExecutor, IReportsCacheHits, IDisposable
{
    private readonly BackendCache _cache;
    private readonly IBackendExecutor _inner;
    private readonly Action<string> _warn;
    private readonly Task _pruning;
    private int _hits;
    private int _ranBehind;
    private int _damaged;
    private int _storing = 1;

    /// <param name="warn">Receives one line for a cache that cannot be written or an entry that was damaged.</param>
    /// <param name="prune">Whether this executor prunes the cache (when due), in the background while it runs.</param>
    public CachingExecutor(BackendCache cache, IBackendExecutor inner, Action<string> warn, bool prune = true)
    {
        _cache = cache;
        _inner = inner;
        _warn = warn;
        _pruning = prune ? Task.Run(Prune) : Task.CompletedTask;
    }

    /// <summary>The link's trace, where jobs served from the cache are marked.</summary>
    public LinkTrace? Trace { get; set; }

    /// <summary>Jobs served from this machine's cache.</summary>
    public int LocalHits => Volatile.Read(ref _hits);

    /// <summary>Hits of this cache and of the executor behind it (the farm's action cache).</summary>
    public int CacheHits => LocalHits + RemoteHits;

    private int RemoteHits => (_inner as IReportsCacheHits)?.CacheHits ?? 0;

    public string Details
    {
        get
        {
            int compiled = Volatile.Read(ref _ranBehind) - RemoteHits;
            string counts = _inner is IReportsCacheHits
                ? $"{LocalHits} local, {RemoteHits} remote, {compiled} compiled"
                : $"{LocalHits} local, {compiled} compiled";
            if (_damaged > 0)
                counts += $", {_damaged} damaged entries discarded";
            string behind = (_inner as IReportsCacheHits)?.Details ?? "";
            return behind.Length == 0 ? counts : counts + "; " + behind;
        }
    }

    /// <summary>Damaged entries this executor found and discarded.</summary>
    public int DamagedEntries => Volatile.Read(ref _damaged);

    /// <summary>What a look-up before this executor ran (<see cref="CacheFirstPass"/>) served and discarded, counted as its own.</summary>
    public void CountEarlier(int hits, int damaged)
    {
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _damaged, damaged);
    }

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        (ProcessResult? hit, string? key, IReadOnlyList<string> outputs) = Look(jobList, job);
        if (hit is not null)
            return hit;

        ProcessResult run = await _inner.ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        if (run.Stopped || run.StartError is not null || run.ExitCode != 0)
            return run;
        Interlocked.Increment(ref _ranBehind);
        if (key is not null && outputs.All(o => ObjectFileCheck.Problem(o) is null))
            Store(key, outputs, run.Output);
        return run;
    }

    /// <summary>Serves a job from this machine's cache alone; null when the cache does not hold it.</summary>
    public ProcessResult? TryServe(JobList jobList, BackendJob job) => Look(jobList, job).Hit;

    /// <summary>The job's result when the cache holds it, and its key and outputs either way.</summary>
    private (ProcessResult? Hit, string? Key, IReadOnlyList<string> Outputs) Look(JobList jobList, BackendJob job)
    {
        var clock = Stopwatch.StartNew();
        string? key = KeyOf(jobList, job);
        IReadOnlyList<string> outputs = job.Outputs.Select(jobList.Resolve).ToList();
        if (key is not null)
        {
            CacheLookup lookup;
            string compilerOutput;
            try
            {
                lookup = _cache.Restore(key, outputs, out compilerOutput);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                (lookup, compilerOutput) = (CacheLookup.Miss, "");
            }

            if (lookup == CacheLookup.Hit)
            {
                Interlocked.Increment(ref _hits);
                Trace?.MarkJob(job, "ran", "local cache");
                return (new ProcessResult(0, compilerOutput, clock.Elapsed, stopped: false, startError: null, fromCache: true), key, outputs);
            }

            if (lookup == CacheLookup.Damaged)
            {
                Interlocked.Increment(ref _damaged);
                _warn($"the cached result of {job.Bitcode} in {_cache.Folder} was damaged (its content did not match its digest); it was discarded and the module compiles again");
            }
        }

        return (null, key, outputs);
    }

    /// <summary>The job's key; null when an input cannot be read (the compile will say why).</summary>
    private static string? KeyOf(JobList jobList, BackendJob job)
    {
        try
        {
            return BackendCacheKey.For(jobList, job, CompilerIdentity.Of(jobList.CommandFor(job)[0]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Store(string key, IReadOnlyList<string> outputs, string compilerOutput)
    {
        if (Volatile.Read(ref _storing) == 0)
            return;
        try
        {
            _cache.Store(key, outputs, compilerOutput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _storing, 0) == 1)
                _warn($"the backend cache in {_cache.Folder} cannot be written ({e.Message.TrimEnd('.')}); this link stores no results there");
        }
    }

    private void Prune()
    {
        try
        {
            CachePruning.IfDue(_cache, CachePruning.DefaultInterval);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be pruned is one that cannot be written: storing says so.
        }
    }

    /// <summary>Waits for the prune, keeps the digests learnt, and disposes the executor behind.</summary>
    public void Dispose()
    {
        _pruning.GetAwaiter().GetResult();
        FileDigests.Store?.Save();
        (_inner as IDisposable)?.Dispose();
    }
}
