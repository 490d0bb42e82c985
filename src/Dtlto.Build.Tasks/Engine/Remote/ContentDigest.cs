using System;
using System.Collections.Concurrent;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;

namespace Dtlto.Build.Engine.Remote;

/// <summary>SHA-256 digests as the Remote Execution API writes them: lower-case hex and the size in bytes.</summary>
public static class ContentDigest
{
    // Files are hashed once per process while their size and time stamp stay the same: the
    // toolchain and the modules many jobs import are inputs of many actions.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<Digest>> FileDigests = new();

    internal static Digest Of(byte[] data) => new() { Hash = Hex(SHA256.HashData(data)), SizeBytes = data.LongLength };

    internal static Digest Of(IMessage message) => Of(message.ToByteArray());

    private static long _bytesHashed;
    private static long _hashingTicks;

    /// <summary>Digests kept between links; null to hash every file once per process.</summary>
    internal static DigestStore? Store { get; set; }

    /// <summary>Bytes this process hashed, and the time it took.</summary>
    internal static (long Bytes, TimeSpan Time) Hashed => (Interlocked.Read(ref _bytesHashed), TimeSpan.FromTicks(Interlocked.Read(ref _hashingTicks)));

    internal static Digest OfFile(string path)
    {
        var file = new FileInfo(RealPath(path));
        if (!file.Exists)
            throw new FileNotFoundException($"input {path} does not exist", path);
        return FileDigests.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), _ => new Lazy<Digest>(() =>
        {
            DigestStore? store = Store;
            FileIdentity? identity = store is null ? null : FileIdentity.Of(file);
            if (identity is FileIdentity known && store!.Find(known) is Digest stored)
                return stored;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Digest digest;
            using (FileStream stream = file.OpenRead())
                digest = new Digest { Hash = Hex(SHA256.HashData(stream)), SizeBytes = file.Length };
            Interlocked.Add(ref _hashingTicks, clock.Elapsed.Ticks);
            Interlocked.Add(ref _bytesHashed, digest.SizeBytes);
            if (identity is FileIdentity added)
                store!.Add(added, digest);
            return digest;
        })).Value;
    }

    /// <summary>The file a path names after following symbolic links: a link's own size is not its content's.</summary>
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    internal static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    internal static string Key(Digest digest) => digest.Hash + "/" + digest.SizeBytes;
}
