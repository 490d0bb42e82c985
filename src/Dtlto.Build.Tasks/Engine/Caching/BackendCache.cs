using System;
using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// Backend results on this machine, by <see cref="BackendCacheKey"/>, in one folder that every
/// checkout, build and distributor of the user shares: <c>backend/&lt;2 hex&gt;/&lt;key&gt;</c>, one
/// <see cref="CacheEntry"/> file per result. An entry is written to a temporary beside it and
/// renamed, so builds sharing the folder at once never see half of one (the same key inserted
/// twice leaves one whole entry); a use refreshes its time stamp, which pruning goes by.
/// </summary>
public sealed class BackendCache
{
    /// <summary>The size a cache may grow to when none is given: 10 GiB.</summary>
    public const long DefaultMaxSize = 10L << 30;

    /// <param name="shared">Trust every user who can write to the folder (see <see cref="CacheTrust"/>).</param>
    /// <param name="digests">The link's file digests, for the keys; null for digests kept for this cache's link only.</param>
    public BackendCache(string folder, long maxSize = DefaultMaxSize, bool shared = false, FileHasher? digests = null)
    {
        Digests = digests ?? FileHasher.ForOneLink();
        Folder = Path.GetFullPath(folder);
        MaxSize = maxSize;
        Trust = new CacheTrust(shared);
    }

    internal CacheTrust Trust { get; }

    public string Folder { get; }

    /// <summary>The link's file digests, with which its keys are made.</summary>
    public FileHasher Digests { get; }

    public long MaxSize { get; }

    /// <summary>Where entries live, below <see cref="Folder"/>.</summary>
    internal string EntriesFolder => Path.Combine(Folder, "backend");

    internal string EntryPath(string key) => Path.Combine(EntriesFolder, key.Substring(0, 2), key);

    /// <summary>
    /// Puts the entry of <paramref name="key"/> in place of <paramref name="outputs"/> (all or
    /// none of them) if <paramref name="check"/> (null: none) finds nothing wrong with them before
    /// they are in place. A damaged entry is deleted. Throws <see cref="IOException"/> when an
    /// output cannot be written.
    /// </summary>
    public CacheRestore Restore(string key, IReadOnlyList<string> outputs, RestoredObjectCheck? check)
    {
        string entry = EntryPath(key);
        if (!Trust.MayServe(entry))
            return CacheRestore.NotTrusted;
        CacheRestore restored;
        try
        {
            using var stream = new FileStream(entry, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.SequentialScan);
            restored = CacheEntry.Restore(stream, key, outputs, check);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return CacheRestore.Miss;
        }

        if (restored.Lookup == CacheLookup.Damaged)
            QuietDelete.File(entry);
        else
            Touch(entry);
        return restored;
    }

    /// <summary>Removes the entry of <paramref name="key"/>, if there is one: a result the final link found unusable.</summary>
    public void Remove(string key) => QuietDelete.File(EntryPath(key));

    /// <summary>Adds the job's outputs under its key (the caller has checked them); throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the folder cannot take it (full, read-only).</summary>
    public void Store(string key, IReadOnlyList<string> outputs, string compilerOutput)
    {
        string entry = EntryPath(key);
        CreateFolder(EntriesFolder);
        CreateFolder(Path.GetDirectoryName(entry)!);
        string temporary = entry + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                CacheEntry.Write(stream, key, outputs, compilerOutput);
            Trust.Share(temporary, folder: false);
            AtomicRename.Over(temporary, entry);
        }
        finally
        {
            QuietDelete.File(temporary);
        }
    }

    private void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
            return;
        Directory.CreateDirectory(folder);
        Trust.Share(folder, folder: true);
    }

    /// <summary>Marks an entry used now, for least-recently-used pruning; a read-only cache keeps its old stamp.</summary>
    private static void Touch(string entry)
    {
        try
        {
            File.SetLastWriteTimeUtc(entry, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the pruning order suffers.
        }
    }
}
