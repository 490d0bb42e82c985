using System;
using System.IO;

namespace Dtlto.Build.Engine.FileSystem;

/// <summary>
/// Copies a file over another only when their contents differ, so the target keeps its time
/// stamp (and whatever was built from it stays up to date) when nothing in it changed.
/// </summary>
public static class ContentReplace
{
    /// <summary>Returns whether <paramref name="target"/> was written.</summary>
    public static bool IfDifferent(string source, string target)
    {
        if (SameContent(source, target))
            return false;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        // Through a temporary beside the target, so a reader never sees half a file.
        string temporary = target + ".tmp" + Guid.NewGuid().ToString("N").Substring(0, 8);
        try
        {
            File.Copy(source, temporary, overwrite: true);
            AtomicRename.Over(temporary, target);
        }
        finally
        {
            QuietDelete.File(temporary);
        }

        return true;
    }

    private static bool SameContent(string a, string b)
    {
        var fileA = new FileInfo(a);
        var fileB = new FileInfo(b);
        if (!fileB.Exists || fileA.Length != fileB.Length)
            return false;
        using FileStream streamA = fileA.OpenRead();
        using FileStream streamB = fileB.OpenRead();
        var bufferA = new byte[81920];
        var bufferB = new byte[81920];
        while (true)
        {
            int read = streamA.Read(bufferA, 0, bufferA.Length);
            if (read == 0)
                return true;
            int offset = 0;
            while (offset < read)
            {
                int more = streamB.Read(bufferB, offset, read - offset);
                if (more == 0)
                    return false;
                offset += more;
            }

            for (int i = 0; i < read; i++)
            {
                if (bufferA[i] != bufferB[i])
                    return false;
            }
        }
    }
}
