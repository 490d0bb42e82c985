using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.Processes;

/// <summary>Relative paths, for both runtimes (net472 has no Path.GetRelativePath).</summary>
public static class RelativePath
{
    private static readonly StringComparison Comparison =
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="directory"/>; the full path when they
    /// share no root (another drive).
    /// </summary>
    public static string From(string directory, string path)
    {
        string[] from = Split(Path.GetFullPath(directory));
        string[] to = Split(Path.GetFullPath(path));
        int common = 0;
        while (common < from.Length && common < to.Length && string.Equals(from[common], to[common], Comparison))
            common++;
        if (common == 0)
            return Path.GetFullPath(path);

        var parts = new System.Collections.Generic.List<string>();
        for (int i = common; i < from.Length; i++)
            parts.Add("..");
        for (int i = common; i < to.Length; i++)
            parts.Add(to[i]);
        return parts.Count == 0 ? "." : string.Join(Path.DirectorySeparatorChar.ToString(), parts);
    }

    private static string[] Split(string fullPath)
    {
        string root = Path.GetPathRoot(fullPath) ?? "";
        string[] rest = fullPath.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
        var all = new string[rest.Length + 1];
        all[0] = root;
        Array.Copy(rest, 0, all, 1, rest.Length);
        return all;
    }
}
