using System;
using System.Collections.Generic;

namespace Dtlto.Build.Engine.Verification;

/// <summary>The object file format of a target.</summary>
public enum ObjectFormat
{
    /// <summary>Not known from the command: an object of either format lld links is accepted.</summary>
    Unknown,
    Elf,
    Coff,
}

/// <summary>
/// What a backend compile's object must be, read from the target triple of its command
/// (<c>--target=x86_64-pc-linux-gnu</c>, which lld always passes): the format, and for the
/// architectures it knows, the machine, the ELF class and the byte order. An object for another
/// target is as wrong as garbage: lld would reject it, or link a program that cannot run.
/// </summary>
public sealed class ObjectTarget
{
    private ObjectTarget(string triple, ObjectFormat format, ushort? elfMachine, bool? is64, bool? littleEndian, ushort? coffMachine)
    {
        Triple = triple;
        Format = format;
        ElfMachine = elfMachine;
        Is64 = is64;
        LittleEndian = littleEndian;
        CoffMachine = coffMachine;
    }

    /// <summary>Any ELF or COFF object, for a command that names no target.</summary>
    public static ObjectTarget Any { get; } = new("", ObjectFormat.Unknown, null, null, null, null);

    public string Triple { get; }

    public ObjectFormat Format { get; }

    /// <summary>e_machine of an ELF object; null when the architecture is not one this check knows.</summary>
    public ushort? ElfMachine { get; }

    /// <summary>ELFCLASS64 rather than ELFCLASS32; null when not known.</summary>
    public bool? Is64 { get; }

    public bool? LittleEndian { get; }

    /// <summary>The Machine field of a COFF object; null when not known.</summary>
    public ushort? CoffMachine { get; }

    // Architecture (the triple's first part) -> ELF machine, class, byte order, COFF machine.
    private static readonly Dictionary<string, (ushort Elf, bool Is64, bool Little, ushort? Coff)> Architectures = new(StringComparer.Ordinal)
    {
        ["x86_64"] = (62, true, true, 0x8664),
        ["amd64"] = (62, true, true, 0x8664),
        ["i386"] = (3, false, true, 0x14C),
        ["i486"] = (3, false, true, 0x14C),
        ["i586"] = (3, false, true, 0x14C),
        ["i686"] = (3, false, true, 0x14C),
        ["aarch64"] = (183, true, true, 0xAA64),
        ["arm64"] = (183, true, true, 0xAA64),
        ["aarch64_be"] = (183, true, false, null),
        ["riscv64"] = (243, true, true, null),
        ["riscv32"] = (243, false, true, null),
        ["ppc64le"] = (21, true, true, null),
        ["ppc64"] = (21, true, false, null),
        ["s390x"] = (22, true, false, null),
        ["loongarch64"] = (258, true, true, null),
    };

    /// <summary>The target of a compiler command: its last <c>--target=</c>, <c>--target</c> or <c>-target</c>; <see cref="Any"/> without one.</summary>
    public static ObjectTarget OfCommand(IReadOnlyList<string> command) => OfCommand(command, Array.Empty<string>());

    /// <summary>The target of the command <paramref name="first"/> then <paramref name="then"/> (a job list's common arguments, then a job's).</summary>
    public static ObjectTarget OfCommand(IReadOnlyList<string> first, IReadOnlyList<string> then)
    {
        string? triple = null;
        int count = first.Count + then.Count;
        string At(int i) => i < first.Count ? first[i] : then[i - first.Count];
        for (int i = 0; i < count; i++)
        {
            string argument = At(i);
            if (argument.StartsWith("--target=", StringComparison.Ordinal))
                triple = argument.Substring("--target=".Length);
            else if ((argument == "-target" || argument == "--target") && i + 1 < count)
                triple = At(++i);
        }

        return triple is null ? Any : OfTriple(triple);
    }

    // A link's jobs share their target: the triple is read once, not once per object checked.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ObjectTarget> Triples = new(StringComparer.Ordinal);

    public static ObjectTarget OfTriple(string triple)
    {
        if (Triples.TryGetValue(triple, out ObjectTarget? known))
            return known;
        ObjectTarget target = Read(triple);
        if (Triples.Count < 64)
            Triples[triple] = target;
        return target;
    }

    private static ObjectTarget Read(string triple)
    {
        string[] parts = triple.ToLowerInvariant().Split('-');
        string arch = parts[0];
        bool windows = Array.Exists(parts, p => p.StartsWith("windows", StringComparison.Ordinal) || p == "win32" || p.StartsWith("mingw", StringComparison.Ordinal) || p.StartsWith("cygwin", StringComparison.Ordinal));
        bool apple = Array.Exists(parts, p => p.StartsWith("darwin", StringComparison.Ordinal) || p.StartsWith("macos", StringComparison.Ordinal) || p.StartsWith("ios", StringComparison.Ordinal) || p == "apple");
        ObjectFormat format = parts[parts.Length - 1] == "elf" ? ObjectFormat.Elf
            : windows ? ObjectFormat.Coff
            : apple ? ObjectFormat.Unknown
            : ObjectFormat.Elf;
        if (arch.StartsWith("armv", StringComparison.Ordinal) || arch.StartsWith("thumbv", StringComparison.Ordinal) || arch is "arm" or "thumb")
            return new ObjectTarget(triple, format, 40, false, true, 0x1C4);
        if (!Architectures.TryGetValue(arch, out var known))
            return new ObjectTarget(triple, format, null, null, null, null);
        // x32: x86-64 code in ELFCLASS32 objects.
        bool is64 = known.Is64 && !Array.Exists(parts, p => p.EndsWith("x32", StringComparison.Ordinal));
        return new ObjectTarget(triple, format, known.Elf, is64, known.Little, known.Coff);
    }

    public override string ToString() => Triple.Length == 0 ? "any target" : Triple;
}
