using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// One link's look-ups in this machine's <see cref="BackendCache"/>. A job that missed keeps its
/// key here, so a job looked up when lld handed the job list over (<see cref="CacheFirstPass"/>)
/// is neither hashed nor looked up again when it runs; damaged entries are counted once for the
/// whole link, whichever pass found them (the hits are the results', <see cref="ResultOrigin.LocalCache"/>).
/// </summary>
public sealed class BackendCacheLookup
{
    // By the job's object: the batch's job list of the same link numbers its jobs afresh.
    private readonly ConcurrentDictionary<string, string?> _missed = new(StringComparer.Ordinal);
    // The objects this link took from the cache, with their keys and the names lld gives them, so a final link that fails on one can drop it.
    private readonly ConcurrentDictionary<string, (string Key, string[] Names)> _served = new(StringComparer.Ordinal);
    private int _trustChecked;
    private int _sideOutputsSaid;
    private int _untrustedSaid;
    private int _damaged;

    public BackendCacheLookup(BackendCache cache) => Cache = cache;

    public BackendCache Cache { get; }

    /// <summary>Damaged entries found and discarded.</summary>
    public int DamagedEntries => Volatile.Read(ref _damaged);

    /// <summary>
    /// Removes from the cache the results this link took from it whose objects a failed final
    /// link names in <paramref name="linkerOutput"/> (lld names the file it could not use): an
    /// object that passed every check and still broke the link must not break the next one too.
    /// Returns the objects whose entries were removed.
    /// </summary>
    public IReadOnlyList<string> ForgetNamedIn(string linkerOutput)
    {
        var forgotten = new List<string>();
        foreach (KeyValuePair<string, (string Key, string[] Names)> served in _served)
        {
            if (!served.Value.Names.Any(name => linkerOutput.IndexOf(name, StringComparison.Ordinal) >= 0))
                continue;
            Cache.Remove(served.Value.Key);
            forgotten.Add(served.Key);
        }

        return forgotten;
    }

    /// <summary>
    /// The names lld may give a job's object in its messages: the file's own, and the name it
    /// links it under, <c>&lt;module's folder&gt;/&lt;output&gt;.lto.&lt;module's stem&gt;.o</c>
    /// (an archive member's whole name instead of the stem), as lld's LTO.cpp makes it.
    /// </summary>
    internal static string[] LinkerNames(JobList jobList, BackendJob job)
    {
        string module = job.Bitcode.Replace('\\', '/');
        int slash = module.LastIndexOf('/');
        string folder = slash < 0 ? "" : module.Substring(0, slash + 1);
        string file = module.Substring(slash + 1);
        string baseName = file.EndsWith(")", StringComparison.Ordinal) || file.LastIndexOf('.') <= 0 ? file : file.Substring(0, file.LastIndexOf('.'));
        string output = Path.GetFileName(jobList.LinkerOutput);
        return new[] { Path.GetFileName(job.NativeObject), folder + output + ".lto." + baseName + ".o" };
    }

    /// <summary>
    /// The job's result when the cache holds it (null otherwise), its key (null when an input
    /// cannot be read: the compile will say why) and its outputs. <paramref name="warn"/> hears of
    /// a damaged entry, which is deleted and counts as a miss.
    /// </summary>
    public (ProcessResult? Hit, string? Key, IReadOnlyList<string> Outputs) Look(JobList jobList, BackendJob job, Action<CacheWarning> warn)
    {
        var clock = Stopwatch.StartNew();
        if (Interlocked.Exchange(ref _trustChecked, 1) == 0)
            CheckFolders(warn);
        IReadOnlyList<string> outputs = job.AllOutputs.Select(jobList.Resolve).ToList();
        if (_missed.TryGetValue(outputs[0], out string? known))
            return (null, known, outputs);
        if (SideOutputs.Unknown(jobList.CommandFor(job)) is string writesMore)
        {
            // A hit would not bring back every file the compile writes: the job compiles, and nothing of it is kept.
            if (Interlocked.Exchange(ref _sideOutputsSaid, 1) == 0)
                warn(new CacheWarning(CacheWarningKind.NotCacheable, $"backend compiles of this link are not cached: {writesMore}, which lld's job list does not name and a cache would not bring back"));
            _missed[outputs[0]] = null;
            return (null, null, outputs);
        }

        string? key = KeyOf(jobList, job);
        if (key is not null)
        {
            CacheRestore restore;
            try
            {
                restore = Cache.Restore(key, outputs, placed => JobObjectCheck.Problem(jobList, job, placed)?.Problem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                restore = CacheRestore.Miss;
            }

            if (restore.Lookup == CacheLookup.Hit)
            {
                _served[outputs[0]] = (key, LinkerNames(jobList, job));
                return (new ProcessResult(0, restore.CompilerOutput, clock.Elapsed, stopped: false, startError: null, ResultOrigin.LocalCache).WithObjectChecked(), key, outputs);
            }

            if (restore.Lookup == CacheLookup.NotTrusted && Interlocked.Exchange(ref _untrustedSaid, 1) == 0)
                warn(new CacheWarning(CacheWarningKind.Untrusted, $"the cached result of {job.ModuleName} in {Cache.Folder} belongs to another user, or others can change it, and was not used (nor are any others like it in this link); a cache whose every writer is trusted can be declared shared (--cache-shared, DtltoCacheShared)"));

            if (restore.Lookup == CacheLookup.Damaged)
            {
                Interlocked.Increment(ref _damaged);
                warn(new CacheWarning(CacheWarningKind.DamagedEntry, $"the cached result of {job.ModuleName} in {Cache.Folder} was damaged ({restore.Damage}); it was discarded and the module compiles again"));
            }
        }

        _missed[outputs[0]] = key;
        return (null, key, outputs);
    }

    /// <summary>Says once per link when the cache's folders can be written by other users (see <see cref="CacheTrust"/>).</summary>
    private void CheckFolders(Action<CacheWarning> warn)
    {
        foreach (string folder in new[] { Cache.Folder, Cache.EntriesFolder })
        {
            if (Cache.Trust.FolderProblem(folder) is string problem)
            {
                warn(new CacheWarning(CacheWarningKind.Untrusted, problem + "; only entries this user wrote are used from it. Make it yours alone (chmod go-w), or declare it shared (--cache-shared, DtltoCacheShared) if every user who can write to it is trusted"));
                return;
            }
        }
    }

    /// <summary>The job's key; null when an input cannot be read.</summary>
    private string? KeyOf(JobList jobList, BackendJob job)
    {
        try
        {
            return BackendCacheKey.For(jobList, job, CompilerIdentity.Of(jobList.CommandFor(job)[0], Cache.Digests), Cache.Digests);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
