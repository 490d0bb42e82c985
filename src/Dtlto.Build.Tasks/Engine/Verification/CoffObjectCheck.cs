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
    public static bool IsCoff(byte[] h) => IsBigObj(h) || (h.Length >= 20 && IsMachine(ObjectBytes.UInt(h, 0, 2, little: true)));

    private static bool IsBigObj(byte[] h)
    {
        if (h.Length < 56 || ObjectBytes.UInt(h, 0, 2, true) != 0 || ObjectBytes.UInt(h, 2, 2, true) != 0xFFFF || ObjectBytes.UInt(h, 4, 2, true) < 2)
            return false;
        for (int i = 0; i < 16; i++)
        {
            if (h[12 + i] != BigObjClass[i])
                return false;
        }

        return true;
    }

    public static ObjectProblem? Check(ObjectBytes file, byte[] h, ObjectTarget target)
    {
        bool big = IsBigObj(h);
        ulong U(long at, int size) => ObjectBytes.UInt(h, at, size, little: true);
        ulong machine = big ? U(6, 2) : U(0, 2);
        ulong sectionCount = big ? U(44, 4) : U(2, 2);
        ulong symbolTable = big ? U(48, 4) : U(8, 4);
        ulong symbolCount = big ? U(52, 4) : U(12, 4);
        ulong headerSize = big ? 56UL : 20UL;
        ulong symbolSize = big ? 20UL : 18UL;
        if (target.CoffMachine is ushort wanted && machine != wanted)
            return ObjectProblem.Invalid($"a COFF object for machine 0x{machine:x}, not 0x{wanted:x} ({target})");
        if (!big && U(16, 2) != 0)
            return ObjectProblem.Invalid("a COFF object with an optional header (an image, not an object)");

        byte[]? table = file.Read(headerSize, sectionCount * 40);
        if (table is null)
            return ObjectProblem.Truncated($"the section table ({sectionCount} entries) ends past the end of the file");

        // The string table follows the symbol table and starts with its own size.
        ulong stringTable = 0;
        ulong stringsSize = 0;
        if (symbolTable != 0)
        {
            if (symbolCount > (ulong)file.Length / symbolSize || !file.Holds(symbolTable, (symbolCount * symbolSize) + 4))
                return ObjectProblem.Truncated($"the symbol table ({symbolCount} entries) ends past the end of the file");
            stringTable = symbolTable + (symbolCount * symbolSize);
            stringsSize = ObjectBytes.UInt(file.Read(stringTable, 4)!, 0, 4, little: true);
            if (stringsSize < 4 || !file.Holds(stringTable, stringsSize))
                return stringsSize < 4 ? ObjectProblem.Invalid("the string table's size is smaller than its own size field") : ObjectProblem.Truncated("the string table ends past the end of the file");
        }

        var relocationTables = new (ulong Offset, ulong Count)[sectionCount];
        for (ulong i = 0; i < sectionCount; i++)
        {
            long at = (long)(i * 40);
            ulong S(long offset, int size) => ObjectBytes.UInt(table, at + offset, size, little: true);
            ulong rawSize = S(16, 4);
            ulong rawData = S(20, 4);
            ulong relocations = S(24, 4);
            ulong relocationCount = S(32, 2);
            uint characteristics = (uint)S(36, 4);
            if (table[at] == (byte)'/' && ParseNameOffset(table, at) is ulong nameOffset && nameOffset >= stringsSize)
                return ObjectProblem.Invalid($"the name of section {i + 1} lies outside the string table");
            if ((characteristics & UninitializedData) == 0 && rawData != 0 && !file.Holds(rawData, rawSize))
                return ObjectProblem.Truncated($"section {i + 1} ends past the end of the file");
            if ((characteristics & RelocationOverflow) != 0 && relocationCount == 0xFFFF)
            {
                // The real count is the first relocation's VirtualAddress, and counts that entry too.
                byte[]? firstRelocation = file.Read(relocations, 10);
                if (firstRelocation is null)
                    return ObjectProblem.Truncated($"the relocations of section {i + 1} end past the end of the file");
                relocationCount = ObjectBytes.UInt(firstRelocation, 0, 4, little: true);
            }

            if (relocationCount > 0 && !file.Holds(relocations, relocationCount * 10))
                return ObjectProblem.Truncated($"the relocations of section {i + 1} end past the end of the file");
            relocationTables[i] = (relocations, relocationCount);
        }

        if (symbolTable != 0)
        {
            ObjectProblem? problem = CheckSymbols(file.Read(symbolTable, symbolCount * symbolSize)!, symbolCount, symbolSize, big, sectionCount, stringsSize);
            if (problem is not null)
                return problem;
        }

        for (ulong i = 0; i < sectionCount; i++)
        {
            (ulong offset, ulong count) = relocationTables[i];
            if (count == 0)
                continue;
            byte[] relocations = file.Read(offset, count * 10)!;
            for (ulong r = 0; r < count; r++)
            {
                // The overflow marker entry is no relocation of its own.
                if (r == 0 && count > 0xFFFF)
                    continue;
                ulong symbol = ObjectBytes.UInt(relocations, (long)(r * 10) + 4, 4, little: true);
                if (symbol >= symbolCount)
                    return ObjectProblem.Invalid($"relocation {r} of section {i + 1} names symbol {symbol} of {symbolCount}");
            }
        }

        return null;
    }

    private static ObjectProblem? CheckSymbols(byte[] symbols, ulong count, ulong size, bool big, ulong sections, ulong stringsSize)
    {
        for (ulong i = 0; i < count; i++)
        {
            long at = (long)(i * size);
            if (ObjectBytes.UInt(symbols, at, 4, little: true) == 0 && ObjectBytes.UInt(symbols, at + 4, 4, little: true) >= stringsSize)
                return ObjectProblem.Invalid($"symbol {i} has a name outside the string table");
            long section = big ? (int)ObjectBytes.UInt(symbols, at + 12, 4, little: true) : (short)ObjectBytes.UInt(symbols, at + 12, 2, little: true);
            if (section < -2 || section > (long)sections)
                return ObjectProblem.Invalid($"symbol {i} is defined in section {section}, which does not exist");
            ulong auxiliary = symbols[at + (big ? 19 : 17)];
            if (auxiliary > count - i - 1)
                return ObjectProblem.Invalid($"symbol {i} has {auxiliary} auxiliary records past the end of the symbol table");
            i += auxiliary;
        }

        return null;
    }

    /// <summary>The string table offset of a long section name ("/123"); null for a name in another form.</summary>
    private static ulong? ParseNameOffset(byte[] table, long at)
    {
        ulong value = 0;
        int digits = 0;
        for (int k = 1; k < 8 && table[at + k] is >= (byte)'0' and <= (byte)'9'; k++, digits++)
            value = (value * 10) + (ulong)(table[at + k] - '0');
        return digits > 0 ? value : null;
    }
}
