using System;
using System.Security.Cryptography;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;

namespace Dtlto.Build.Engine.Remote;

/// <summary>SHA-256 digests as the Remote Execution API writes them: lower-case hex and the size in bytes.</summary>
public static class ContentDigest
{
    internal static Digest Of(byte[] data) => new() { Hash = Hex(SHA256.HashData(data)), SizeBytes = data.LongLength };

    internal static Digest Of(IMessage message) => Of(message.ToByteArray());

    /// <summary>A file's digest (see <see cref="FileDigests"/>: hashed once per process, or kept between links, unless <paramref name="keep"/> is false).</summary>
    internal static Digest OfFile(string path, bool keep = true)
    {
        FileDigest digest = FileDigests.Of(path, keep);
        return new Digest { Hash = digest.Hash, SizeBytes = digest.Size };
    }

    internal static string Hex(byte[] hash) => FileDigests.Hex(hash);

    internal static string Key(Digest digest) => digest.Hash + "/" + digest.SizeBytes;
}
