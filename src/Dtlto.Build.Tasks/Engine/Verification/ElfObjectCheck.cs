using System;

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
    private const uint SymTab = 2;
    private const uint StrTab = 3;
    private const uint Rela = 4;
    private const uint NoBits = 8;
    private const uint Rel = 9;
    private const ulong ShnLoReserve = 0xFF00;
    private const ulong ShnXIndex = 0xFFFF;

    public static bool IsElf(ReadOnlySpan<byte> h) => h.Length >= 4 && h[0] == 0x7F && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F';

    private struct Section
    {
        public ulong Name;
        public uint Type;
        public ulong Offset;
        public ulong Size;
        public ulong Link;
        public ulong Info;
        public ulong EntrySize;
    }

    public static ObjectProblem? Check(ObjectBytes file, ReadOnlySpan<byte> ident, ObjectTarget target)
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
        if (!file.Holds(0, (ulong)headerSize))
            return ObjectProblem.Truncated("the ELF header ends past the end of the file");
        ReadOnlySpan<byte> h = file.Span(0, (ulong)headerSize);

        if (target.Is64 is bool wantedClass && wantedClass != is64)
            return ObjectProblem.Invalid($"a {(is64 ? 64 : 32)}-bit ELF object, not the {(wantedClass ? 64 : 32)}-bit one {target} needs");
        if (target.LittleEndian is bool wantedOrder && wantedOrder != little)
            return ObjectProblem.Invalid($"a {(little ? "little" : "big")}-endian ELF object, not what {target} needs");
        ulong type = ObjectBytes.U16(h, 16, little);
        if (type != 1)
            return ObjectProblem.Invalid($"ELF type {type} is not a relocatable object (ET_REL)");
        ulong machine = ObjectBytes.U16(h, 18, little);
        if (target.ElfMachine is ushort wantedMachine && machine != wantedMachine)
            return ObjectProblem.Invalid($"an ELF object for machine {machine}, not {wantedMachine} ({target})");
        if (ObjectBytes.U16(h, is64 ? 52 : 40, little) != (ulong)headerSize)
            return ObjectProblem.Invalid("the ELF header gives a header size that is not its own");

        ulong shoff = is64 ? ObjectBytes.U64(h, 0x28, little) : ObjectBytes.U32(h, 0x20, little);
        ulong shentsize = ObjectBytes.U16(h, is64 ? 0x3A : 0x2E, little);
        ulong shnum = ObjectBytes.U16(h, is64 ? 0x3C : 0x30, little);
        ulong shstrndx = ObjectBytes.U16(h, is64 ? 0x3E : 0x32, little);
        ulong entry = (ulong)(is64 ? 64 : 40);
        // A compiler's object always has sections (at least its symbol and string tables).
        if (shoff == 0)
            return ObjectProblem.Invalid("the ELF header names no section header table");
        if (shentsize != entry)
            return ObjectProblem.Invalid($"section headers of {shentsize} bytes, not {entry}");
        if (!file.Holds(shoff, entry))
            return ObjectProblem.Truncated("the section header table starts past the end of the file");

        // Extended numbering: a count or string table index too large for the header lives in section 0.
        Section zero = ReadSection(file.Span(shoff, entry), 0, is64, little);
        if (shnum == 0)
            shnum = zero.Size;
        if (shstrndx == ShnXIndex)
            shstrndx = zero.Link;
        if (shnum == 0)
            return ObjectProblem.Invalid("the section header table is empty");
        if (shnum > (ulong)file.Length / entry || !file.Holds(shoff, shnum * entry))
            return ObjectProblem.Truncated($"the section header table ({shnum} entries) ends past the end of the file");
        ReadOnlySpan<byte> table = file.Span(shoff, shnum * entry);

        var sections = new Section[shnum];
        for (int i = 0; i < sections.Length; i++)
        {
            Section s = sections[i] = ReadSection(table, i * (int)entry, is64, little);
            if (s.Type != NoBits && !file.Holds(s.Offset, s.Size))
                return ObjectProblem.Truncated($"section {i} ends past the end of the file");
        }

        if (shstrndx >= shnum || sections[shstrndx].Type != StrTab)
            return ObjectProblem.Invalid($"the section name table's index {shstrndx} is not a string table");
        ulong namesSize = sections[shstrndx].Size;
        for (int i = 1; i < sections.Length; i++)
        {
            if (sections[i].Name >= namesSize)
                return ObjectProblem.Invalid($"the name of section {i} lies outside the section name table");
        }

        for (int i = 0; i < sections.Length; i++)
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

    private static Section ReadSection(ReadOnlySpan<byte> t, int at, bool is64, bool little) => is64
        ? new Section
        {
            Name = ObjectBytes.U32(t, at, little), Type = (uint)ObjectBytes.U32(t, at + 4, little), Offset = ObjectBytes.U64(t, at + 24, little), Size = ObjectBytes.U64(t, at + 32, little),
            Link = ObjectBytes.U32(t, at + 40, little), Info = ObjectBytes.U32(t, at + 44, little), EntrySize = ObjectBytes.U64(t, at + 56, little),
        }
        : new Section
        {
            Name = ObjectBytes.U32(t, at, little), Type = (uint)ObjectBytes.U32(t, at + 4, little), Offset = ObjectBytes.U32(t, at + 16, little), Size = ObjectBytes.U32(t, at + 20, little),
            Link = ObjectBytes.U32(t, at + 24, little), Info = ObjectBytes.U32(t, at + 28, little), EntrySize = ObjectBytes.U32(t, at + 36, little),
        };

    private static ObjectProblem? CheckSymbols(ObjectBytes file, Section[] sections, int index, bool is64, bool little)
    {
        Section symbols = sections[index];
        ulong entry = (ulong)(is64 ? 24 : 16);
        if (symbols.EntrySize != entry || symbols.Size % entry != 0)
            return ObjectProblem.Invalid($"symbol table {index} has entries of {symbols.EntrySize} bytes, not {entry}");
        if (symbols.Link >= (ulong)sections.Length || sections[symbols.Link].Type != StrTab)
            return ObjectProblem.Invalid($"symbol table {index} does not link to a string table");
        Section strings = sections[symbols.Link];
        ulong count = symbols.Size / entry;
        if (symbols.Info > count)
            return ObjectProblem.Invalid($"symbol table {index} says {symbols.Info} local symbols of {count}");
        if (strings.Size > 0 && file.Span(strings.Offset + strings.Size - 1, 1)[0] != 0)
            return ObjectProblem.Invalid($"string table {symbols.Link} does not end in a null character");
        ReadOnlySpan<byte> table = file.Span(symbols.Offset, symbols.Size);
        int step = (int)entry;
        int sectionField = is64 ? 6 : 14;
        ulong sectionCount = (ulong)sections.Length;
        for (int at = 0, i = 0; at < table.Length; at += step, i++)
        {
            ulong name = ObjectBytes.U32(table, at, little);
            ulong section = ObjectBytes.U16(table, at + sectionField, little);
            if (name >= strings.Size && name != 0)
                return ObjectProblem.Invalid($"symbol {i} has a name outside its string table");
            if (section >= sectionCount && section < ShnLoReserve)
                return ObjectProblem.Invalid($"symbol {i} is defined in section {section}, which does not exist");
        }

        return null;
    }

    private static ObjectProblem? CheckRelocations(ObjectBytes file, Section[] sections, int index, bool is64, bool little)
    {
        Section relocations = sections[index];
        bool addends = relocations.Type == Rela;
        ulong entry = (ulong)((is64 ? 16 : 8) + (addends ? (is64 ? 8 : 4) : 0));
        if (relocations.EntrySize != entry || relocations.Size % entry != 0)
            return ObjectProblem.Invalid($"relocation section {index} has entries of {relocations.EntrySize} bytes, not {entry}");
        if (relocations.Info >= (ulong)sections.Length)
            return ObjectProblem.Invalid($"relocation section {index} applies to section {relocations.Info}, which does not exist");
        if (relocations.Link >= (ulong)sections.Length || sections[relocations.Link].Type != SymTab)
            return ObjectProblem.Invalid($"relocation section {index} does not link to a symbol table");
        ulong symbols = sections[relocations.Link].Size / (ulong)(is64 ? 24 : 16);
        ReadOnlySpan<byte> table = file.Span(relocations.Offset, relocations.Size);
        int step = (int)entry;
        for (int at = 0, i = 0; at < table.Length; at += step, i++)
        {
            ulong symbol = is64 ? ObjectBytes.U64(table, at + 8, little) >> 32 : ObjectBytes.U32(table, at + 4, little) >> 8;
            if (symbol >= symbols)
                return ObjectProblem.Invalid($"relocation {i} of section {index} names symbol {symbol} of {symbols}");
        }

        return null;
    }
}
