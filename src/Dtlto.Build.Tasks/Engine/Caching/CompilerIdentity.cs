using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// What a cache key says of the compiler: the digest of its binary and of the LLVM libraries it
/// loads from its own installation (libLLVM, libclang-cpp beside bin/ in lib/), because on Linux
/// distributions the code generator lives in those, and an update may change them alone.
/// </summary>
public static class CompilerIdentity
{
    // Per process, checked against the files' identities once per link: a compiler's 200 MB of
    // libraries are hashed once while an MSBuild node lives, and again when an update changes them.
    private static readonly ConcurrentDictionary<string, (FileIdentity[] Files, string Identity)> Known = new(StringComparer.Ordinal);
    // What each link has checked already: its jobs (one look-up each) neither stat nor list the compiler's files again.
    private static readonly ConditionalWeakTable<FileHasher, ConcurrentDictionary<string, string>> CheckedInLink = new();
    private static readonly object Computing = new();

    /// <summary>One hex digest for the compiler at <paramref name="compiler"/>; throws <see cref="IOException"/> when it cannot be read.</summary>
    /// <param name="digests">The link's file digests, which hash the compiler's files when they are new or changed.</param>
    public static string Of(string compiler, FileHasher digests)
    {
        string full = Path.GetFullPath(compiler);
        ConcurrentDictionary<string, string> link = CheckedInLink.GetValue(digests, _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
        if (link.TryGetValue(full, out string? checkedIdentity))
            return checkedIdentity;
        string[] files = FilesOf(full);
        FileIdentity[] now = files.Select(f => FileIdentity.Of(new FileInfo(FileDigests.RealPath(f)))).ToArray();
        string identity;
        // One hashing at a time: the first compile waits for the one Prepare began.
        lock (Computing)
        {
            if (Known.TryGetValue(full, out var known) && known.Files.SequenceEqual(now))
            {
                identity = known.Identity;
            }
            else
            {
                identity = Compute(files, digests);
                Known[full] = (now, identity);
            }
        }

        link[full] = identity;
        return identity;
    }

    /// <summary>
    /// Works out the compiler's identity in the background while lld runs the thin link; the
    /// backend compiles of the link then find it ready. Nothing is said if it fails: the compiles will.
    /// </summary>
    public static void Prepare(string compiler, FileHasher digests)
    {
        System.Threading.Tasks.Task.Run(() =>
        {
            try
            {
                Of(compiler, digests);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
            }
        });
    }

    /// <summary>The compiler's binary (after symbolic links), then the LLVM libraries of its installation in name order.</summary>
    private static string[] FilesOf(string compiler)
    {
        string binary = FileDigests.RealPath(compiler);
        if (!File.Exists(binary))
            throw new FileNotFoundException($"the compiler {compiler} does not exist", compiler);
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(binary));
        string lib = root is null ? "" : Path.Combine(root, "lib");
        if (!Directory.Exists(lib))
            return new[] { binary };
        return new[] { binary }.Concat(Directory.EnumerateFiles(lib, "lib*.so*")
            .Where(f => Path.GetFileName(f).StartsWith("libLLVM", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("libclang-cpp", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)).ToArray();
    }

    private static string Compute(string[] files, FileHasher digests)
    {
        var text = new StringBuilder("compiler ").Append(digests.Of(files[0]).Hash).Append('\n');
        foreach (string library in files.Skip(1))
            text.Append(Path.GetFileName(library)).Append(' ').Append(digests.Of(library).Hash).Append('\n');
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        return FileDigests.OfStream(stream);
    }
}
