using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;

namespace Dtlto.Build.Engine.Remote;

/// <summary>Content to put in the server's CAS: bytes built here (a Directory, a Command) or a local file.</summary>
internal sealed class Blob
{
    /// <summary>Files up to this size that one action alone sends (an index shard) keep the bytes read for their digest until they are uploaded.</summary>
    private const long KeptFileLimit = 1 << 20;

    private byte[]? _data;
    private readonly bool _fileBacked;

    private Blob(Digest digest, byte[]? data, string? file)
    {
        Digest = digest;
        _data = data;
        File = file;
        _fileBacked = file is not null;
    }

    public Digest Digest { get; }

    /// <summary>The local file of the content, or null for content built in memory.</summary>
    public string? File { get; }

    /// <summary>
    /// This blob's upload in the current round of <see cref="RemoteCas"/> (set by it): a blob
    /// shared by thousands of actions, such as a module many import, is one object, so each
    /// later action finds its upload here instead of in the CAS's table by digest.
    /// </summary>
    internal volatile BlobUpload? Upload;

    public static Blob FromBytes(byte[] data) => new(ContentDigest.Of(data), data, null);

    /// <param name="digests">The link's file digests, which remember the file's; null for a file that lives for one link (an index shard, an object lld will delete), whose digest is not worth remembering.</param>
    public static Blob FromFile(string path, Caching.FileHasher? digests)
    {
        string real = Caching.FileDigests.RealPath(path);
        if (digests is null && ReadSmall(real) is { } data)
        {
            // Read once: hashed now, sent from memory by the upload that follows.
            return new Blob(new Digest { Hash = ContentDigest.Hex(SHA256.HashData(data)), SizeBytes = data.LongLength }, data, real);
        }

        return new Blob(ContentDigest.OfFile(path, digests), null, real);
    }

    /// <summary>The whole file when it is no larger than <see cref="KeptFileLimit"/>, else null.</summary>
    private static byte[]? ReadSmall(string path)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle file = System.IO.File.OpenHandle(path);
        long length = RandomAccess.GetLength(file);
        if (length > KeptFileLimit)
            return null;
        byte[] data = new byte[length];
        return ReadInto(file, data) == data.Length ? data : null;
    }

    /// <summary>Reads the file from its start into <paramref name="buffer"/> until it is full or the file ends; the bytes read.</summary>
    private static int ReadInto(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> buffer)
    {
        int total = 0, read;
        while (total < buffer.Length && (read = RandomAccess.Read(file, buffer.Slice(total), total)) > 0)
            total += read;
        return total;
    }

    public Stream Open() => _data is { } data ? new MemoryStream(data, writable: false) : System.IO.File.OpenRead(File!);

    public byte[] ReadAll() => _data ?? System.IO.File.ReadAllBytes(File!);

    /// <summary>Lets a file's bytes go once the CAS has them: a later upload (the server lost it) reads the file again.</summary>
    internal void Uploaded()
    {
        if (_fileBacked)
            _data = null;
    }
}

/// <summary>A blob's upload task, and the round of <see cref="RemoteCas"/> uploads it belongs to.</summary>
internal sealed record BlobUpload(Task Task, int Round);
