using System;

namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// The structure of a COFF object, regular or <c>/bigobj</c> (which clang writes for objects of
/// more than 65,279 sections), as LLVM's <c>COFFObjectFile</c> checks it: a machine matching the
/// target, no optional header, the section table, every section's data and relocations inside the
/// file, the symbol table and the string table after it, symbols in sections that exist with
/// names inside the string table, and relocations naming symbols that exist.
/// </summary>
internal static class CoffObjectCheck
{
    private const uint UninitializedData = 0x80;
    private const uint RelocationOverflow = 0x01000000;

    private static readonly byte[] BigObjClass =
    {
        0xC7, 0xA1, 0xBA, 0xD1, 0xEE, 0xBA, 0xA9, 0x4B, 0xAF, 0x20, 0xFA, 0xF6, 0x6A, 0xA4, 0xDC, 0xB8,
    };

    /// <summary>Machines of the COFF objects lld-link takes: x64, x86, ARM64, ARMNT, ARM64EC, ARM64X.</summary>
    private static bool IsMachine(ulong machine) => machine is 0x8664 or 0x14C or 0xAA64 or 0x1C4 or 0xA641 or 0xA64E;

    /// <summary>Whether the first bytes are a COFF object header (regular, or bigobj's).</summary>
    public static bool IsCoff(ReadOnlySpan<byte> h) => IsBigObj(h) || (h.Length >= 20 && IsMachine(ObjectBytes.U16(h, 0, little: true)));

    private static bool IsBigObj(ReadOnlySpan<byte> h) =>
        h.Length >= 56 && ObjectBytes.U16(h, 0, true) == 0 && ObjectBytes.U16(h, 2, true) == 0xFFFF && ObjectBytes.U16(h, 4, true) >= 2 && h.Slice(12, 16).SequenceEqual(BigObjClass);

    public static ObjectProblem? Check(ObjectBytes file, ReadOnlySpan<byte> h, ObjectTarget target)
    {
        bool big = IsBigObj(h);
        ulong machine = ObjectBytes.U16(h, big ? 6 : 0, true);
        ulong sectionCount = big ? ObjectBytes.U32(h, 44, true) : ObjectBytes.U16(h, 2, true);
        ulong symbolTable = ObjectBytes.U32(h, big ? 48 : 8, true);
        ulong symbolCount = ObjectBytes.U32(h, big ? 52 : 12, true);
        ulong headerSize = big ? 56UL : 20UL;
        ulong symbolSize = big ? 20UL : 18UL;
        if (target.CoffMachine is ushort wanted && machine != wanted)
            return ObjectProblem.Invalid($"a COFF object for machine 0x{machine:x}, not 0x{wanted:x} ({target})");
        if (!big && ObjectBytes.U16(h, 16, true) != 0)
            return ObjectProblem.Invalid("a COFF object with an optional header (an image, not an object)");
        if (!file.Holds(headerSize, sectionCount * 40))
            return ObjectProblem.Truncated($"the section table ({sectionCount} entries) ends past the end of the file");
        ReadOnlySpan<byte> table = file.Span(headerSize, sectionCount * 40);

        // The string table follows the symbol table and starts with its own size.
        ulong stringsSize = 0;
        if (symbolTable != 0)
        {
            if (symbolCount > (ulong)file.Length / symbolSize || !file.Holds(symbolTable, (symbolCount * symbolSize) + 4))
                return ObjectProblem.Truncated($"the symbol table ({symbolCount} entries) ends past the end of the file");
            ulong stringTable = symbolTable + (symbolCount * symbolSize);
            stringsSize = ObjectBytes.U32(file.Span(stringTable, 4), 0, true);
            if (stringsSize < 4)
                return ObjectProblem.Invalid("the string table's size is smaller than its own size field");
            if (!file.Holds(stringTable, stringsSize))
                return ObjectProblem.Truncated("the string table ends past the end of the file");
        }

        for (int i = 0; i < (int)sectionCount; i++)
        {
            ReadOnlySpan<byte> section = table.Slice(i * 40, 40);
            ulong rawSize = ObjectBytes.U32(section, 16, true);
            ulong rawData = ObjectBytes.U32(section, 20, true);
            ulong relocations = ObjectBytes.U32(section, 24, true);
            ulong relocationCount = ObjectBytes.U16(section, 32, true);
            uint characteristics = (uint)ObjectBytes.U32(section, 36, true);
            if (section[0] == (byte)'/' && NameOffset(section) is ulong nameOffset && nameOffset >= stringsSize)
                return ObjectProblem.Invalid($"the name of section {i + 1} lies outside the string table");
            if ((characteristics & UninitializedData) == 0 && rawData != 0 && !file.Holds(rawData, rawSize))
                return ObjectProblem.Truncated($"section {i + 1} ends past the end of the file");
            bool overflow = (characteristics & RelocationOverflow) != 0 && relocationCount == 0xFFFF;
            if (overflow)
            {
                // The real count is the first relocation's VirtualAddress, and counts that entry too.
                if (!file.Holds(relocations, 10))
                    return ObjectProblem.Truncated($"the relocations of section {i + 1} end past the end of the file");
                relocationCount = ObjectBytes.U32(file.Span(relocations, 10), 0, true);
            }

            if (relocationCount == 0)
                continue;
            if (!file.Holds(relocations, relocationCount * 10))
                return ObjectProblem.Truncated($"the relocations of section {i + 1} end past the end of the file");
            ReadOnlySpan<byte> entries = file.Span(relocations, relocationCount * 10);
            // The overflow marker entry is no relocation of its own.
            for (int at = overflow ? 10 : 0, r = overflow ? 1 : 0; at < entries.Length; at += 10, r++)
            {
                ulong symbol = ObjectBytes.U32(entries, at + 4, true);
                if (symbol >= symbolCount)
                    return ObjectProblem.Invalid($"relocation {r} of section {i + 1} names symbol {symbol} of {symbolCount}");
            }
        }

        return symbolTable == 0 ? null : CheckSymbols(file.Span(symbolTable, symbolCount * symbolSize), (int)symbolSize, big, sectionCount, stringsSize);
    }

    private static ObjectProblem? CheckSymbols(ReadOnlySpan<byte> symbols, int size, bool big, ulong sections, ulong stringsSize)
    {
        int count = symbols.Length / size;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> symbol = symbols.Slice(i * size, size);
            if (ObjectBytes.U32(symbol, 0, true) == 0 && ObjectBytes.U32(symbol, 4, true) >= stringsSize)
                return ObjectProblem.Invalid($"symbol {i} has a name outside the string table");
            long section = big ? (int)ObjectBytes.U32(symbol, 12, true) : (short)ObjectBytes.U16(symbol, 12, true);
            if (section < -2 || section > (long)sections)
                return ObjectProblem.Invalid($"symbol {i} is defined in section {section}, which does not exist");
            int auxiliary = symbol[size - 1];
            if (auxiliary > count - i - 1)
                return ObjectProblem.Invalid($"symbol {i} has {auxiliary} auxiliary records past the end of the symbol table");
            i += auxiliary;
        }

        return null;
    }

    /// <summary>The string table offset of a long section name ("/123"); null for a name in another form.</summary>
    private static ulong? NameOffset(ReadOnlySpan<byte> section)
    {
        ulong value = 0;
        int digits = 0;
        for (int k = 1; k < 8 && section[k] is >= (byte)'0' and <= (byte)'9'; k++, digits++)
            value = (value * 10) + (ulong)(section[k] - '0');
        return digits > 0 ? value : null;
    }
}
