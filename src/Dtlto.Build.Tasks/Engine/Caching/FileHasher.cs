using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// SHA-256 digests of files for one link's cache keys and farm actions. A file is hashed once per
/// link while its size and time stamp stay the same (the compiler and the modules many jobs
/// import are inputs of many jobs), and once per machine with a <see cref="DigestStore"/>. Each
/// link has its own (the link's tasks and executors are given it), so two builds in one MSBuild
/// node never share a store, nor a digest of a file that changed between them unseen.
/// </summary>
public sealed class FileHasher
{
    private readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<FileDigest>> _known = new();
    private long _bytesHashed;
    private long _hashingTicks;

    /// <param name="store">Digests kept between links; null to keep them for this link only.</param>
    internal FileHasher(DigestStore? store = null) => Store = store;

    /// <summary>A hasher that keeps digests in the store of <paramref name="folder"/> (a cache folder).</summary>
    public static FileHasher KeepingIn(string folder) => new(DigestStore.Open(Path.GetFullPath(folder)));

    /// <summary>A hasher that keeps nothing beyond its link.</summary>
    public static FileHasher ForOneLink() => new();

    internal DigestStore? Store { get; }

    /// <summary>Bytes this hasher hashed, and the time it took.</summary>
    public (long Bytes, TimeSpan Time) Hashed => (Interlocked.Read(ref _bytesHashed), TimeSpan.FromTicks(Interlocked.Read(ref _hashingTicks)));

    /// <summary>Digests found in the store rather than hashed; 0 without one.</summary>
    public int StoreHits => Store?.Hits ?? 0;

    /// <summary>
    /// The digest of a file's content (after symbolic links); throws <see cref="FileNotFoundException"/>
    /// when it does not exist. <paramref name="keep"/> false remembers nothing of it, neither here
    /// nor in the digest store, for files that live for one link (lld's temporaries, named after
    /// its process id): they would only pile up in the store.
    /// </summary>
    public FileDigest Of(string path, bool keep = true)
    {
        var file = new FileInfo(FileDigests.RealPath(path));
        if (!file.Exists)
            throw new FileNotFoundException($"input {path} does not exist", path);
        if (!keep)
            return Hash(file);
        return _known.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), _ => new Lazy<FileDigest>(() =>
        {
            FileIdentity? identity = Store is null ? null : FileIdentity.Of(file);
            if (identity is FileIdentity known && Store!.Find(known) is FileDigest stored)
                return stored;
            FileDigest digest = Hash(file);
            if (identity is FileIdentity added)
                Store!.Add(added, digest);
            return digest;
        })).Value;
    }

    /// <summary>Writes the digests learnt to the store, if there is one; a store that cannot be written keeps nothing.</summary>
    public void Save() => Store?.Save();

    private FileDigest Hash(FileInfo file)
    {
        var clock = Stopwatch.StartNew();
        FileDigest digest;
        using (FileStream stream = file.OpenRead())
            digest = new FileDigest(FileDigests.OfStream(stream), file.Length);
        Interlocked.Add(ref _hashingTicks, clock.Elapsed.Ticks);
        Interlocked.Add(ref _bytesHashed, digest.Size);
        return digest;
    }
}
