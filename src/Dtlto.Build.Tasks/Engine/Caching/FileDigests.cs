using System.IO;
using System.Security.Cryptography;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The pure parts of hashing files: a stream's SHA-256 in hex, and the file a path names. The
/// digests of files, remembered for a link, are a <see cref="FileHasher"/>'s.
/// </summary>
public static class FileDigests
{
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
