using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// SHA-256 digests of files, for cache keys here and on a farm. A file is hashed once per process
/// while its size and time stamp stay the same (the compiler and the modules many jobs import are
/// inputs of many jobs), and once per machine when a <see cref="DigestStore"/> is open.
/// </summary>
public static class FileDigests
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<FileDigest>> Known = new();
    private static long _bytesHashed;
    private static long _hashingTicks;

    private static DigestStore? _store;

    /// <summary>Digests kept between links; null to hash every file once per process.</summary>
    internal static DigestStore? Store => Volatile.Read(ref _store);

    /// <summary>
    /// Keeps digests in the store of <paramref name="folder"/> (the link's cache folder) from now on;
    /// a store of another folder that this process used before is saved and closed.
    /// </summary>
    internal static void UseStore(string folder)
    {
        string full = Path.GetFullPath(folder);
        DigestStore? current = Store;
        if (current is not null && string.Equals(current.Folder, full, StringComparison.Ordinal))
            return;
        if (Interlocked.CompareExchange(ref _store, DigestStore.Open(full), current) == current)
            current?.Save();
    }

    /// <summary>Bytes this process hashed, and the time it took.</summary>
    internal static (long Bytes, TimeSpan Time) Hashed => (Interlocked.Read(ref _bytesHashed), TimeSpan.FromTicks(Interlocked.Read(ref _hashingTicks)));

    /// <summary>
    /// The digest of a file's content (after symbolic links); throws <see cref="FileNotFoundException"/>
    /// when it does not exist. <paramref name="keep"/> false remembers nothing of it, neither in
    /// this process nor in the digest store, for files that live for one link (lld's temporaries,
    /// named after its process id): a long-lived build process would only pile them up.
    /// </summary>
    public static FileDigest Of(string path, bool keep = true)
    {
        var file = new FileInfo(RealPath(path));
        if (!file.Exists)
            throw new FileNotFoundException($"input {path} does not exist", path);
        if (!keep)
            return Hash(file);
        return Known.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), _ => new Lazy<FileDigest>(() =>
        {
            DigestStore? store = Store;
            FileIdentity? identity = store is null ? null : FileIdentity.Of(file);
            if (identity is FileIdentity known && store!.Find(known) is FileDigest stored)
                return stored;
            FileDigest digest = Hash(file);
            if (identity is FileIdentity added)
                store!.Add(added, digest);
            return digest;
        })).Value;
    }

    private static FileDigest Hash(FileInfo file)
    {
        var clock = Stopwatch.StartNew();
        FileDigest digest;
        using (FileStream stream = file.OpenRead())
            digest = new FileDigest(OfStream(stream), file.Length);
        Interlocked.Add(ref _hashingTicks, clock.Elapsed.Ticks);
        Interlocked.Add(ref _bytesHashed, digest.Size);
        return digest;
    }

    /// <summary>The SHA-256 of a stream's remaining content, in hex.</summary>
    public static string OfStream(Stream stream)
    {
        using var sha = SHA256.Create();
        return Hex(sha.ComputeHash(stream));
    }

    /// <summary>The file a path names after following symbolic links: a link's own size is not its content's.</summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
#if NETFRAMEWORK
        return full;
#else
        return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
#endif
    }

    public static string Hex(byte[] hash)
    {
        var text = new char[hash.Length * 2];
        for (int i = 0; i < hash.Length; i++)
        {
            text[2 * i] = "0123456789abcdef"[hash[i] >> 4];
            text[(2 * i) + 1] = "0123456789abcdef"[hash[i] & 15];
        }

        return new string(text);
    }
}
