using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// Keeps a <see cref="BackendCache"/> within its size, least recently used entries first, as
/// LLVM's cache pruning does for lld's --thinlto-cache-dir: at most once per interval (a stamp
/// file's time says when it last ran, so concurrent builds do not all scan), and off the link's
/// path (the executor runs it in the background while the backend compiles run). Temporaries
/// older than an hour, left by a build that was killed mid-insert, go too.
/// </summary>
public static class CachePruning
{
    /// <summary>How often a cache is scanned at most, as lld's default prune interval.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(20);

    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    /// <summary>Prunes the cache if the last prune is older than <paramref name="interval"/>; null when it was not due.</summary>
    public static PruneResult? IfDue(BackendCache cache, TimeSpan interval)
    {
        string stamp = Path.Combine(cache.Folder, "prune.stamp");
        DateTime now = DateTime.UtcNow;
        if (File.Exists(stamp) && now - File.GetLastWriteTimeUtc(stamp) < interval)
            return null;
        Directory.CreateDirectory(cache.Folder);
        File.WriteAllText(stamp, "");
        File.SetLastWriteTimeUtc(stamp, now);
        return Run(cache, now);
    }

    /// <summary>Removes least recently used entries until the cache is within its maximum size.</summary>
    public static PruneResult Run(BackendCache cache, DateTime now)
    {
        var entries = new List<FileInfo>();
        if (Directory.Exists(cache.EntriesFolder))
        {
            foreach (FileInfo file in new DirectoryInfo(cache.EntriesFolder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.Name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    if (now - file.LastWriteTimeUtc > AbandonedAfter)
                        QuietDelete.File(file.FullName);
                    continue;
                }

                entries.Add(file);
            }
        }

        long before = entries.Sum(e => e.Length);
        long size = before;
        int removed = 0;
        foreach (FileInfo entry in entries.OrderBy(e => e.LastWriteTimeUtc))
        {
            if (size <= cache.MaxSize)
                break;
            if (QuietDelete.File(entry.FullName))
            {
                size -= entry.Length;
                removed++;
            }
        }

        return new PruneResult(entries.Count, before, removed, size);
    }
}

/// <summary>What a prune found and did.</summary>
public readonly record struct PruneResult(int Entries, long BytesBefore, int Removed, long BytesAfter);
