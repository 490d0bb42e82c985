using System;
using System.IO;

namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// Decides whether a file is a whole, well-formed native object of the link's target before it is
/// trusted: before a compile's object is kept in a cache, before one from a cache or a farm is
/// moved into place, and after every backend compile. A compiler that exits 0 after writing
/// garbage (a crashed wrapper, a disk or memory fault) or a farm that returns the wrong bytes
/// under the right digest fails here, instead of in the final link or, worse, in every later link
/// that a poisoned cache serves. The check reads the headers and tables, not the section data:
/// it costs microseconds per object (see docs/caching.md).
/// </summary>
public static class ObjectVerifier
{
    /// <summary>What is wrong with the object at <paramref name="path"/> for <paramref name="target"/>; null when nothing is.</summary>
    public static ObjectProblem? Problem(string path, ObjectTarget target)
    {
        try
        {
            using var file = new ObjectBytes(path);
            return Problem(file, target);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ObjectProblem.Missing;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ObjectProblem.Invalid("it cannot be read: " + e.Message);
        }
    }

    /// <summary>What is wrong with an object whose bytes are <paramref name="contents"/> (as just written to its file); null when nothing is.</summary>
    internal static ObjectProblem? Problem(ReadOnlyMemory<byte> contents, ObjectTarget target)
    {
        using var file = new ObjectBytes(contents);
        return Problem(file, target);
    }

    private static ObjectProblem? Problem(ObjectBytes file, ObjectTarget target)
    {
        if (file.Length == 0)
            return ObjectProblem.Empty;
        ReadOnlySpan<byte> start = file.Span(0, (ulong)Math.Min(file.Length, 64));
        if (ElfObjectCheck.IsElf(start))
            return target.Format == ObjectFormat.Coff ? ObjectProblem.Invalid($"an ELF object, not the COFF object {target} needs") : ElfObjectCheck.Check(file, start, target);
        if (CoffObjectCheck.IsCoff(start))
            return target.Format == ObjectFormat.Elf ? ObjectProblem.Invalid($"a COFF object, not the ELF object {target} needs") : CoffObjectCheck.Check(file, start, target);
        return ObjectProblem.Invalid(target.Format switch
        {
            ObjectFormat.Elf => $"its first bytes ({Describe(start)}) are not an ELF header",
            ObjectFormat.Coff => $"its first bytes ({Describe(start)}) are not a COFF header",
            _ => $"its first bytes ({Describe(start)}) are neither an ELF nor a COFF header",
        });
    }

    private static string Describe(ReadOnlySpan<byte> start)
    {
        int shown = Math.Min(start.Length, 4);
        return BitConverter.ToString(start.Slice(0, shown).ToArray()).Replace("-", " ").ToLowerInvariant();
    }
}
