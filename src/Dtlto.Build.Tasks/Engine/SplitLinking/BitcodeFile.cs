using System;
using System.IO;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>Tells LLVM bitcode (what ThinLTO compiles write) from native objects, by its magic number.</summary>
public static class BitcodeFile
{
    public static bool Is(string path)
    {
        var magic = new byte[4];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Read(magic, 0, 4) != 4)
                return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // 'BC' 0xC0DE, or the wrapper header 0x0B17C0DE (little-endian) that Darwin tools put around it.
        return (magic[0] == (byte)'B' && magic[1] == (byte)'C' && magic[2] == 0xC0 && magic[3] == 0xDE)
            || (magic[0] == 0xDE && magic[1] == 0xC0 && magic[2] == 0x17 && magic[3] == 0x0B);
    }

    /// <summary>Whether a file is a regular ar archive (a static library, or a COFF import library); not a thin archive.</summary>
    public static bool IsArchive(string path)
    {
        var magic = new byte[8];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Read(magic, 0, 8) != 8)
                return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return System.Text.Encoding.ASCII.GetString(magic) == "!<arch>\n";
    }
}
