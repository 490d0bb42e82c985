using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// What a cache key says of the compiler: the digest of its binary and of the LLVM libraries it
/// loads from its own installation (libLLVM, libclang-cpp beside bin/ in lib/), because on Linux
/// distributions the code generator lives in those, and an update may change them alone.
/// </summary>
public static class CompilerIdentity
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Known = new(StringComparer.Ordinal);

    /// <summary>One hex digest for the compiler at <paramref name="compiler"/>; throws <see cref="IOException"/> when it cannot be read.</summary>
    public static string Of(string compiler)
    {
        string full = Path.GetFullPath(compiler);
        Lazy<string> identity = Known.GetOrAdd(full, path => new Lazy<string>(() => Compute(path)));
        try
        {
            return identity.Value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not remembered: the next link tries again.
            Known.TryRemove(full, out _);
            throw;
        }
    }

    /// <summary>
    /// Works out the compiler's identity in the background, with the file digests this machine
    /// keeps, while lld runs the thin link; the backend compiles that follow in this process then
    /// find it ready. Nothing is said if it fails: the compiles will.
    /// </summary>
    /// <param name="digestFolder">The cache folder of the link, whose digest store is used.</param>
    public static void Prepare(string compiler, string digestFolder)
    {
        System.Threading.Tasks.Task.Run(() =>
        {
            try
            {
                FileDigests.UseStore(digestFolder);
                Of(compiler);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
            }
        });
    }

    private static string Compute(string compiler)
    {
        string binary = FileDigests.RealPath(compiler);
        var text = new StringBuilder("compiler ").Append(FileDigests.Of(binary).Hash).Append('\n');
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(binary));
        string lib = root is null ? "" : Path.Combine(root, "lib");
        if (Directory.Exists(lib))
        {
            foreach (string library in Directory.EnumerateFiles(lib, "lib*.so*")
                .Where(f => Path.GetFileName(f).StartsWith("libLLVM", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("libclang-cpp", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal))
            {
                text.Append(Path.GetFileName(library)).Append(' ').Append(FileDigests.Of(library).Hash).Append('\n');
            }
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        return FileDigests.OfStream(stream);
    }
}
