using System;
using System.IO;
using System.Text.RegularExpressions;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// clang writes an object to a temporary beside it (<c>a.native-1f3e5a7b.o.tmp</c>) and renames
/// it when done; a compile that fails (a full disk, a kill) can leave that temporary behind.
/// </summary>
public static class CompilerTemporaries
{
    /// <summary>Removes an output that is not to be trusted, and what failed compiles of it left.</summary>
    public static void DeleteWithOutput(string outputPath)
    {
        QuietDelete.File(outputPath);
        DeleteFor(outputPath);
    }

    /// <summary>Removes what failed compiles of <paramref name="outputPath"/> left, besides the output itself.</summary>
    public static void DeleteFor(string outputPath)
    {
        string? folder = Path.GetDirectoryName(outputPath);
        if (folder is null || !Directory.Exists(folder))
            return;
        string stem = Path.GetFileNameWithoutExtension(outputPath);
        string extension = Path.GetExtension(outputPath);
        var temporary = new Regex("^" + Regex.Escape(stem) + "-[0-9a-f]{8}" + Regex.Escape(extension) + @"\.tmp$", RegexOptions.CultureInvariant);
        foreach (string file in Directory.EnumerateFiles(folder, stem + "-*" + extension + ".tmp"))
        {
            if (temporary.IsMatch(Path.GetFileName(file)))
                QuietDelete.File(file);
        }
    }
}
