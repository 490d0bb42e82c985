using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The first tier of every backend compile: a job whose key is in the <see cref="BackendCache"/>
/// gets its outputs from there; any other runs through the executor behind (this machine, or
/// the farm with its own action cache as the second tier), and what that produced is stored.
/// The cache never fails a build: an entry that cannot be written costs one warning and the
/// rest of the link stores nothing; a damaged entry is discarded, said, and the job compiled.
/// </summary>
public sealed class CachingExecutor : IBackendExecutor, IDisposable
{
    private readonly BackendCacheLookup _lookup;
    private readonly IBackendExecutor _inner;
    private readonly Action<CacheWarning> _warn;
    private readonly Task _pruning;
    private int _storing = 1;
    private int _missingSaid;

    /// <param name="lookup">The link's look-ups, shared with a first pass that ran before this executor.</param>
    /// <param name="warn">Receives one line for a cache that cannot be written or an entry that was damaged.</param>
    /// <param name="prune">Whether this executor prunes the cache (when due), in the background while it runs.</param>
    public CachingExecutor(BackendCacheLookup lookup, IBackendExecutor inner, Action<CacheWarning> warn, bool prune = true)
    {
        _lookup = lookup;
        _inner = inner;
        _warn = warn;
        _pruning = prune ? Task.Run(Prune) : Task.CompletedTask;
    }

    public CachingExecutor(BackendCache cache, IBackendExecutor inner, Action<CacheWarning> warn, bool prune = true)
        : this(new BackendCacheLookup(cache), inner, warn, prune)
    {
    }

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        (ProcessResult? hit, string? key, IReadOnlyList<string> outputs) = _lookup.Look(jobList, job, _warn);
        if (hit is not null)
            return hit;

        // Only what passes the object check is kept: a compiler that exited 0 after writing garbage must not poison later links.
        ProcessResult run = JobObjectCheck.Checked(jobList, job, await _inner.ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false));
        if (key is null || !run.ObjectChecked)
            return run;
        if (outputs.FirstOrDefault(output => !File.Exists(output)) is string missing)
        {
            // A hit would restore what the compile did not write; the options named a file this compiler does not write.
            if (Interlocked.Exchange(ref _missingSaid, 1) == 0)
                _warn(new CacheWarning(CacheWarningKind.NotCacheable, $"{missing}, which the options of {job.ModuleName}'s compile say it writes, was not written; such results are not cached"));
            return run;
        }

        Store(key, outputs, run.Output);
        return run;
    }

    private void Store(string key, IReadOnlyList<string> outputs, string compilerOutput)
    {
        if (Volatile.Read(ref _storing) == 0)
            return;
        try
        {
            _lookup.Cache.Store(key, outputs, compilerOutput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _storing, 0) == 1)
                _warn(new CacheWarning(CacheWarningKind.NotWritable, $"the backend cache in {_lookup.Cache.Folder} cannot be written ({e.Message.TrimEnd('.')}); this link stores no results there"));
        }
    }

    private void Prune()
    {
        try
        {
            CachePruning.IfDue(_lookup.Cache, CachePruning.DefaultInterval);
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
        _lookup.Cache.Digests.Save();
        (_inner as IDisposable)?.Dispose();
    }
}
