using System;
using System.IO;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>Tells LLVM bitcode (what ThinLTO compiles write) from native objects, by its magic number.</summary>
public static class BitcodeFile
{
    public static bool Is(string path)
    {
        byte[]? magic = Magic(path, 4);
        // 'BC' 0xC0DE, or the wrapper header 0x0B17C0DE (little-endian) that Darwin tools put around it.
        return magic is not null
            && ((magic[0] == (byte)'B' && magic[1] == (byte)'C' && magic[2] == 0xC0 && magic[3] == 0xDE)
                || (magic[0] == 0xDE && magic[1] == 0xC0 && magic[2] == 0x17 && magic[3] == 0x0B));
    }

    /// <summary>Whether a file is a regular ar archive (a static library, or a COFF import library); not a thin archive.</summary>
    public static bool IsArchive(string path) =>
        Magic(path, 8) is byte[] magic && System.Text.Encoding.ASCII.GetString(magic) == "!<arch>\n";

    /// <summary>The first bytes of a file; null when it is shorter or cannot be read.</summary>
    private static byte[]? Magic(string path, int length)
    {
        var magic = new byte[length];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return stream.Read(magic, 0, length) == length ? magic : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
