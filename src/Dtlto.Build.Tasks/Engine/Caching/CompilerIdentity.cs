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
    // Per link (per hasher): a compiler updated between two builds of one MSBuild node is read again.
    private static readonly ConditionalWeakTable<FileHasher, ConcurrentDictionary<string, Lazy<string>>> Known = new();

    /// <summary>One hex digest for the compiler at <paramref name="compiler"/>; throws <see cref="IOException"/> when it cannot be read.</summary>
    /// <param name="digests">The link's file digests: the identity is worked out once per link.</param>
    public static string Of(string compiler, FileHasher digests)
    {
        string full = Path.GetFullPath(compiler);
        ConcurrentDictionary<string, Lazy<string>> known = Known.GetValue(digests, _ => new ConcurrentDictionary<string, Lazy<string>>(StringComparer.Ordinal));
        Lazy<string> identity = known.GetOrAdd(full, path => new Lazy<string>(() => Compute(path, digests)));
        try
        {
            return identity.Value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not remembered: a later look-up tries again.
            known.TryRemove(full, out _);
            throw;
        }
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

    private static string Compute(string compiler, FileHasher digests)
    {
        string binary = FileDigests.RealPath(compiler);
        var text = new StringBuilder("compiler ").Append(digests.Of(binary).Hash).Append('\n');
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(binary));
        string lib = root is null ? "" : Path.Combine(root, "lib");
        if (Directory.Exists(lib))
        {
            foreach (string library in Directory.EnumerateFiles(lib, "lib*.so*")
                .Where(f => Path.GetFileName(f).StartsWith("libLLVM", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("libclang-cpp", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal))
            {
                text.Append(Path.GetFileName(library)).Append(' ').Append(digests.Of(library).Hash).Append('\n');
            }
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        return FileDigests.OfStream(stream);
    }
}
