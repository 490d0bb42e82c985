namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// The structure of an ELF relocatable object, as a linker relies on it (the checks of LLVM's
/// <c>ELFFile::create</c> and <c>sections()</c> and a few more): identification and machine
/// matching the target, the header's own sizes, the section header table (with extended section
/// numbering) and every section's extent inside the file, the section name table, and each
/// symbol and relocation table: entry sizes, links to the right kind of section, names inside
/// their string table, section indexes and symbol indexes that exist.
/// </summary>
internal static class ElfObjectCheck
{
    private const int SymTab = 2;
    private const int StrTab = 3;
    private const int Rela = 4;
    private const int NoBits = 8;
    private const int Rel = 9;
    private const uint ShnLoReserve = 0xFF00;
    private const uint ShnXIndex = 0xFFFF;

    public static bool IsElf(byte[] h) => h.Length >= 4 && h[0] == 0x7F && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F';

    private sealed class Section
    {
        public uint Name;
        public uint Type;
        public ulong Offset;
        public ulong Size;
        public uint Link;
        public uint Info;
        public ulong EntrySize;
    }

    public static ObjectProblem? Check(ObjectBytes file, byte[] ident, ObjectTarget target)
    {
        if (ident.Length < 16)
            return ObjectProblem.Truncated("the ELF header ends past the end of the file");
        if (ident[4] is not (1 or 2))
            return ObjectProblem.Invalid($"ELF class {ident[4]} is neither 32- nor 64-bit");
        if (ident[5] is not (1 or 2))
            return ObjectProblem.Invalid($"ELF data encoding {ident[5]} is neither little- nor big-endian");
        if (ident[6] != 1)
            return ObjectProblem.Invalid($"ELF version {ident[6]} is not 1");
        bool is64 = ident[4] == 2;
        bool little = ident[5] == 1;
        int headerSize = is64 ? 64 : 52;
        byte[]? h = file.Read(0, (ulong)headerSize);
        if (h is null)
            return ObjectProblem.Truncated("the ELF header ends past the end of the file");
        ulong U(byte[] b, long at, int size) => ObjectBytes.UInt(b, at, size, little);

        if (target.Is64 is bool wantedClass && wantedClass != is64)
            return ObjectProblem.Invalid($"a {(is64 ? 64 : 32)}-bit ELF object, not the {(wantedClass ? 64 : 32)}-bit one {target} needs");
        if (target.LittleEndian is bool wantedOrder && wantedOrder != little)
            return ObjectProblem.Invalid($"a {(little ? "little" : "big")}-endian ELF object, not what {target} needs");
        ulong type = U(h, 16, 2);
        if (type != 1)
            return ObjectProblem.Invalid($"ELF type {type} is not a relocatable object (ET_REL)");
        ulong machine = U(h, 18, 2);
        if (target.ElfMachine is ushort wantedMachine && machine != wantedMachine)
            return ObjectProblem.Invalid($"an ELF object for machine {machine}, not {wantedMachine} ({target})");
        if (U(h, is64 ? 52 : 40, 2) != (ulong)headerSize)
            return ObjectProblem.Invalid("the ELF header gives a header size that is not its own");

        ulong shoff = is64 ? U(h, 0x28, 8) : U(h, 0x20, 4);
        ulong shentsize = U(h, is64 ? 0x3A : 0x2E, 2);
        ulong shnum = U(h, is64 ? 0x3C : 0x30, 2);
        ulong shstrndx = U(h, is64 ? 0x3E : 0x32, 2);
        ulong entry = (ulong)(is64 ? 64 : 40);
        // A compiler's object always has sections (at least its symbol and string tables).
        if (shoff == 0)
            return ObjectProblem.Invalid("the ELF header names no section header table");
        if (shentsize != entry)
            return ObjectProblem.Invalid($"section headers of {shentsize} bytes, not {entry}");
        if (!file.Holds(shoff, entry))
            return ObjectProblem.Truncated("the section header table starts past the end of the file");

        // Extended numbering: a count or string table index too large for the header lives in section 0.
        byte[] first = file.Read(shoff, entry)!;
        Section zero = ReadSection(first, 0, is64, little);
        if (shnum == 0)
            shnum = zero.Size;
        if (shstrndx == ShnXIndex)
            shstrndx = zero.Link;
        if (shnum == 0 || shnum > (ulong)file.Length / entry)
            return shnum == 0 ? ObjectProblem.Invalid("the section header table is empty") : ObjectProblem.Truncated($"{shnum} section headers cannot fit in the file");
        byte[]? table = file.Read(shoff, shnum * entry);
        if (table is null)
            return ObjectProblem.Truncated($"the section header table ({shnum} entries) ends past the end of the file");

        var sections = new Section[shnum];
        for (ulong i = 0; i < shnum; i++)
        {
            Section s = sections[i] = ReadSection(table, (long)(i * entry), is64, little);
            if (s.Type != NoBits && !file.Holds(s.Offset, s.Size))
                return ObjectProblem.Truncated($"section {i} ends past the end of the file");
        }

        if (shstrndx >= shnum || sections[shstrndx].Type != StrTab)
            return ObjectProblem.Invalid($"the section name table's index {shstrndx} is not a string table");
        Section names = sections[shstrndx];
        for (ulong i = 1; i < shnum; i++)
        {
            if (sections[i].Name >= names.Size)
                return ObjectProblem.Invalid($"the name of section {i} lies outside the section name table");
        }

        for (ulong i = 0; i < shnum; i++)
        {
            ObjectProblem? problem = sections[i].Type switch
            {
                SymTab => CheckSymbols(file, sections, i, is64, little),
                Rel or Rela => CheckRelocations(file, sections, i, is64, little),
                _ => null,
            };
            if (problem is not null)
                return problem;
        }

        return null;
    }

    private static Section ReadSection(byte[] t, long at, bool is64, bool little)
    {
        ulong U(long offset, int size) => ObjectBytes.UInt(t, at + offset, size, little);
        return is64
            ? new Section { Name = (uint)U(0, 4), Type = (uint)U(4, 4), Offset = U(24, 8), Size = U(32, 8), Link = (uint)U(40, 4), Info = (uint)U(44, 4), EntrySize = U(56, 8) }
            : new Section { Name = (uint)U(0, 4), Type = (uint)U(4, 4), Offset = U(16, 4), Size = U(20, 4), Link = (uint)U(24, 4), Info = (uint)U(28, 4), EntrySize = U(36, 4) };
    }

    private static ObjectProblem? CheckSymbols(ObjectBytes file, Section[] sections, ulong index, bool is64, bool little)
    {
        Section symbols = sections[index];
        ulong entry = (ulong)(is64 ? 24 : 16);
        if (symbols.EntrySize != entry || symbols.Size % entry != 0)
            return ObjectProblem.Invalid($"symbol table {index} has entries of {symbols.EntrySize} bytes, not {entry}");
        if (symbols.Link >= sections.Length || sections[symbols.Link].Type != StrTab)
            return ObjectProblem.Invalid($"symbol table {index} does not link to a string table");
        Section strings = sections[symbols.Link];
        ulong count = symbols.Size / entry;
        if (symbols.Info > count)
            return ObjectProblem.Invalid($"symbol table {index} says {symbols.Info} local symbols of {count}");
        if (strings.Size > 0 && file.Read(strings.Offset + strings.Size - 1, 1)![0] != 0)
            return ObjectProblem.Invalid($"string table {symbols.Link} does not end in a null character");
        byte[] table = file.Read(symbols.Offset, symbols.Size)!;
        for (ulong i = 0; i < count; i++)
        {
            long at = (long)(i * entry);
            ulong name = ObjectBytes.UInt(table, at, 4, little);
            ulong section = ObjectBytes.UInt(table, at + (is64 ? 6 : 14), 2, little);
            if (name != 0 && name >= strings.Size)
                return ObjectProblem.Invalid($"symbol {i} has a name outside its string table");
            if (section >= (ulong)sections.Length && section < ShnLoReserve)
                return ObjectProblem.Invalid($"symbol {i} is defined in section {section}, which does not exist");
        }

        return null;
    }

    private static ObjectProblem? CheckRelocations(ObjectBytes file, Section[] sections, ulong index, bool is64, bool little)
    {
        Section relocations = sections[index];
        bool addends = relocations.Type == Rela;
        ulong entry = (ulong)((is64 ? 16 : 8) + (addends ? (is64 ? 8 : 4) : 0));
        if (relocations.EntrySize != entry || relocations.Size % entry != 0)
            return ObjectProblem.Invalid($"relocation section {index} has entries of {relocations.EntrySize} bytes, not {entry}");
        if (relocations.Info >= sections.Length)
            return ObjectProblem.Invalid($"relocation section {index} applies to section {relocations.Info}, which does not exist");
        if (relocations.Link >= sections.Length || sections[relocations.Link].Type != SymTab)
            return ObjectProblem.Invalid($"relocation section {index} does not link to a symbol table");
        ulong symbols = sections[relocations.Link].Size / (ulong)(is64 ? 24 : 16);
        byte[] table = file.Read(relocations.Offset, relocations.Size)!;
        for (ulong i = 0; i < relocations.Size / entry; i++)
        {
            ulong info = ObjectBytes.UInt(table, (long)(i * entry) + (is64 ? 8 : 4), is64 ? 8 : 4, little);
            ulong symbol = is64 ? info >> 32 : info >> 8;
            if (symbol >= symbols)
                return ObjectProblem.Invalid($"relocation {i} of section {index} names symbol {symbol} of {symbols}");
        }

        return null;
    }
}
