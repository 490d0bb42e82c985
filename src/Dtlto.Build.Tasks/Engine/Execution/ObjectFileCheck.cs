using System;
using System.IO;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// Cheap checks that a native object a backend compile wrote is whole: present, not empty, and,
/// for ELF and COFF objects, long enough to hold the section headers (or symbol table) its own
/// header points at. A compiler killed while writing, or a full disk, leaves objects that fail
/// this; formats it does not know pass if they are not empty.
/// </summary>
public static class ObjectFileCheck
{
    /// <summary>What is wrong with the object, in words that follow "the compiler exited with code 0 but"; null when nothing is.</summary>
    public static string? Problem(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            return "did not write";
        if (info.Length == 0)
            return "wrote an empty";

        byte[] header = new byte[64];
        int read;
        using (FileStream stream = info.OpenRead())
            read = ReadFully(stream, header);

        long? needed = IsElf(header, read) ? ElfExtent(header, read)
            : IsCoff(header, read) ? CoffExtent(header, read)
            : null;
        return needed is long n && n > info.Length ? "wrote a truncated" : null;
    }

    private static int ReadFully(Stream stream, byte[] buffer)
    {
        int total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            total += read;
        return total;
    }

    private static bool IsElf(byte[] h, int read) => read >= 4 && h[0] == 0x7F && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F';

    /// <summary>End of the section header table (e_shoff + e_shnum * e_shentsize).</summary>
    private static long? ElfExtent(byte[] h, int read)
    {
        bool is64 = h[4] == 2;
        bool little = h[5] == 1;
        if (read < (is64 ? 64 : 52))
            return long.MaxValue;
        long shoff = is64 ? (long)ReadUInt(h, 0x28, 8, little) : (long)ReadUInt(h, 0x20, 4, little);
        long shentsize = (long)ReadUInt(h, is64 ? 0x3A : 0x2E, 2, little);
        long shnum = (long)ReadUInt(h, is64 ? 0x3C : 0x30, 2, little);
        return shoff + shentsize * shnum;
    }

    private static bool IsCoff(byte[] h, int read)
    {
        if (read < 20)
            return false;
        ushort machine = (ushort)ReadUInt(h, 0, 2, little: true);
        return machine is 0x8664 or 0x14C or 0xAA64 or 0x1C4;
    }

    /// <summary>End of the symbol table (PointerToSymbolTable + NumberOfSymbols * 18).</summary>
    private static long? CoffExtent(byte[] h, int read)
    {
        long pointer = (long)ReadUInt(h, 8, 4, little: true);
        long symbols = (long)ReadUInt(h, 12, 4, little: true);
        return pointer == 0 ? null : pointer + symbols * 18;
    }

    private static ulong ReadUInt(byte[] bytes, int offset, int size, bool little)
    {
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            int index = little ? offset + size - 1 - i : offset + i;
            value = (value << 8) | bytes[index];
        }

        return value;
    }
}
