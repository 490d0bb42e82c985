using System;
using System.IO;

namespace Dtlto.Build.Engine.FileSystem;

/// <summary>Writes a file whole or not at all: into a temporary beside it, renamed over the old one, so a reader never sees half of it.</summary>
public static class WholeFile
{
    /// <summary>Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the folder cannot take it; no temporary is left.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
        try
        {
            File.WriteAllText(temporary, text);
            AtomicRename.Over(temporary, path);
        }
        finally
        {
            QuietDelete.File(temporary);
        }
    }
}
