using System.IO;
using Dtlto.Build.Engine.Remote.Protocol;

namespace Dtlto.Build.Engine.Remote;

/// <summary>Content to put in the server's CAS: bytes built here (a Directory, a Command) or a local file.</summary>
internal sealed class Blob
{
    private readonly byte[]? _data;

    private Blob(Digest digest, byte[]? data, string? file)
    {
        Digest = digest;
        _data = data;
        File = file;
    }

    public Digest Digest { get; }

    /// <summary>The local file of the content, or null for content built in memory.</summary>
    public string? File { get; }

    public static Blob FromBytes(byte[] data) => new(ContentDigest.Of(data), data, null);

    /// <param name="digests">The link's file digests, which remember the file's; null for a file that lives for one link (an index shard, an object lld will delete), whose digest is not worth remembering.</param>
    public static Blob FromFile(string path, Caching.FileHasher? digests) => new(ContentDigest.OfFile(path, digests), null, Caching.FileDigests.RealPath(path));

    public Stream Open() => _data is not null ? new MemoryStream(_data, writable: false) : System.IO.File.OpenRead(File!);

    public byte[] ReadAll() => _data ?? System.IO.File.ReadAllBytes(File!);
}
