using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Toolchains;

/// <summary>
/// What running an LLVM install's tools told about it (clang's major version, whether lld has
/// DTLTO), kept while its clang and ld.lld stay the same files: in this process, and between
/// builds in toolchains-v1.tsv of the per-user cache folder. Asking costs two processes per
/// project (about 45 ms), which every build, even one with nothing to do, would pay.
/// </summary>
internal static class ToolchainFacts
{
    private static readonly ConcurrentDictionary<string, (string Stamp, int? Version, bool Dtlto)> Known = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> Loaded = new(Load);

    private static string File => Path.Combine(UserCacheFolder.Default, "toolchains-v1.tsv");

    /// <summary>The facts of an install, from what was kept, or from <paramref name="ask"/>, which runs the tools.</summary>
    public static (int? Version, bool Dtlto) Get(string installDirectory, string clang, string lld, Func<(int? Version, bool Dtlto)> ask)
    {
        _ = Loaded.Value;
        string stamp = Stamp(clang) + "|" + Stamp(lld);
        if (Known.TryGetValue(installDirectory, out var known) && known.Stamp == stamp)
            return (known.Version, known.Dtlto);
        (int? version, bool dtlto) = ask();
        Known[installDirectory] = (stamp, version, dtlto);
        Save();
        return (version, dtlto);
    }

    /// <summary>Size and time stamp of the file a tool's path leads to (a package update replaces it).</summary>
    private static string Stamp(string tool)
    {
        var file = new FileInfo(FileDigests.RealPath(tool));
        return file.Exists ? file.Length.ToString(CultureInfo.InvariantCulture) + "@" + file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "missing";
    }

    private static bool Load()
    {
        try
        {
            if (!System.IO.File.Exists(File))
                return true;
            foreach (string line in System.IO.File.ReadAllLines(File))
            {
                string[] f = line.Split('\t');
                if (f.Length == 4 && bool.TryParse(f[3], out bool dtlto))
                    Known[f[0]] = (f[1], int.TryParse(f[2], out int v) ? v : null, dtlto);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only costs asking the tools again.
        }

        return true;
    }

    private static void Save()
    {
        try
        {
            var text = new StringBuilder();
            foreach (var entry in Known.Where(e => e.Key.IndexOfAny(new[] { '\t', '\n', '\r' }) < 0))
                text.Append(entry.Key).Append('\t').Append(entry.Value.Stamp).Append('\t').Append(entry.Value.Version?.ToString(CultureInfo.InvariantCulture) ?? "").Append('\t').Append(entry.Value.Dtlto).Append('\n');
            WholeFile.Write(File, text.ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only costs asking the tools again in the next build.
        }
    }
}
