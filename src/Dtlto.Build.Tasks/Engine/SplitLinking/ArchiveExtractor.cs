using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// Extracts the members of a static library with llvm-ar. Split ThinLTO needs bitcode members
/// as files of their own: lld names a member's index files after its virtual path,
/// <c>lib.a(m.o at 78)</c>, which no backend compile can read.
/// </summary>
public sealed class ArchiveExtractor
{
    private readonly string _llvmAr;

    public ArchiveExtractor(string llvmAr) => _llvmAr = llvmAr;

    /// <summary>
    /// Extracts <paramref name="archive"/> into <paramref name="directory"/> (emptied first) and
    /// returns the member files in archive order, or null when no member is bitcode, in which
    /// case the archive is best linked as it is.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ExtractAsync(string archive, string directory, CancellationToken cancellationToken)
    {
        // Extracted before from the same archive: the members are already there (two llvm-ar runs saved per link).
        string stamp = directory.TrimEnd('/', '\\') + ".extracted";
        string archiveStamp = Stamp(archive);
        (IReadOnlyList<string>? kept, bool valid) = Reuse(stamp, archiveStamp, directory);
        if (valid)
            return kept;
        QuietDelete.File(stamp);
        IReadOnlyList<string>? extracted = await ExtractAgainAsync(archive, directory, cancellationToken).ConfigureAwait(false);
        File.WriteAllLines(stamp, new[] { archiveStamp }.Concat(extracted is null ? new[] { "native" } : extracted.Select(m => Path.GetFileName(m))));
        return extracted;
    }

    /// <summary>The archive's size and time stamp, which a rebuilt archive changes.</summary>
    private static string Stamp(string archive)
    {
        var file = new FileInfo(archive);
        return file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@" + file.LastWriteTimeUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What the stamp says was extracted, when it was from this very archive and every member is still there.</summary>
    private static (IReadOnlyList<string>? Members, bool Valid) Reuse(string stamp, string archiveStamp, string directory)
    {
        try
        {
            string[] lines = File.Exists(stamp) ? File.ReadAllLines(stamp) : Array.Empty<string>();
            if (lines.Length < 2 || lines[0] != archiveStamp)
                return (null, false);
            if (lines.Length == 2 && lines[1] == "native")
                return (null, true);
            List<string> members = lines.Skip(1).Select(m => Path.Combine(directory, m)).ToList();
            return members.All(File.Exists) ? (members, true) : (null, false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, false);
        }
    }

    private async Task<IReadOnlyList<string>?> ExtractAgainAsync(string archive, string directory, CancellationToken cancellationToken)
    {
        ProcessResult listing = await RunAsync(new[] { _llvmAr, "t", archive }, Path.GetDirectoryName(archive)!, cancellationToken).ConfigureAwait(false);
        string[] members = listing.Output.Split(new[] { '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        await RunAsync(new[] { _llvmAr, "x", archive }, directory, cancellationToken).ConfigureAwait(false);

        List<string> files = members.Select(m => Path.Combine(directory, m)).ToList();
        string? missing = files.FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
            throw new SplitLinkException($"llvm-ar did not extract {Path.GetFileName(missing)} from {archive}");
        if (!files.Any(BitcodeFile.Is))
        {
            // Native code only (a COFF import library, whose members all share the DLL's name, is one).
            Directory.Delete(directory, recursive: true);
            return null;
        }

        // Members of the same name overwrite each other when extracted.
        string? duplicate = members.GroupBy(m => m, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new SplitLinkException($"{archive} has two members named '{duplicate}'; split mode extracts the members and needs their names to differ");
        return files;
    }

    private static async Task<ProcessResult> RunAsync(string[] command, string directory, CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync(command, directory, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (result.StartError is not null || result.ExitCode != 0)
            throw new SplitLinkException($"'{string.Join(" ", command)}' failed: {result.StartError ?? result.Output.Trim()}");
        return result;
    }
}
