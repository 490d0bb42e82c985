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

    /// <summary>A file's digest, remembered by the link's <paramref name="digests"/> (see <see cref="FileHasher"/>); with none, hashed and not remembered.</summary>
    internal static Digest OfFile(string path, FileHasher? digests)
    {
        FileDigest digest = (digests ?? FileHasher.ForOneLink()).Of(path, keep: digests is not null);
        return new Digest { Hash = digest.Hash, SizeBytes = digest.Size };
    }

    internal static string Hex(byte[] hash) => FileDigests.Hex(hash);

    internal static string Key(Digest digest) => digest.Hash + "/" + digest.SizeBytes;
}
