using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// A link's inputs with every static library that holds bitcode replaced by its extracted
/// members, which the link then takes as a lazy group (<c>--start-lib</c>): the same members are
/// loaded, but each has a stable file name. lld names the members it extracts itself after the
/// archive, the member's offset and its process id (<c>lib.a(m.o at 90).3.61D3.o</c>), so the
/// index shards that name them never repeat, which split mode cannot read and a cache cannot hit.
/// </summary>
public sealed class ExtractedArchives
{
    private readonly string _workingDirectory;
    private readonly string _folder;
    private readonly ArchiveExtractor _extractor;

    /// <param name="workingDirectory">Where lld runs; inputs and the folder are relative to it.</param>
    /// <param name="folder">Where members are extracted, e.g. <c>app.dtlto/archives/</c>.</param>
    public ExtractedArchives(string workingDirectory, string folder, string llvmAr)
    {
        _workingDirectory = Path.GetFullPath(workingDirectory);
        _folder = folder.Replace('\\', '/').TrimEnd('/') + "/";
        _extractor = new ArchiveExtractor(llvmAr);
    }

    /// <param name="inputs">Link inputs in order, relative to where lld runs.</param>
    public async Task<IReadOnlyList<SplitLinkInput>> ExtractAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var prepared = new List<SplitLinkInput>();
        for (int i = 0; i < inputs.Count; i++)
        {
            string input = inputs[i];
            string full = Path.GetFullPath(Path.Combine(_workingDirectory, input));
            // A thin archive's members are files already; lld names them by their own paths.
            if (!BitcodeFile.IsArchive(full))
            {
                prepared.Add(SplitLinkInput.File(input));
                continue;
            }

            string folder = _folder + i + "-" + Path.GetFileNameWithoutExtension(full) + "/";
            IReadOnlyList<string>? members = await _extractor.ExtractAsync(full, Path.GetFullPath(Path.Combine(_workingDirectory, folder)), cancellationToken).ConfigureAwait(false);
            prepared.Add(members is null
                ? SplitLinkInput.File(input)
                : SplitLinkInput.Archive(input, members.Select(m => folder + Path.GetFileName(m)).ToList()));
        }

        return prepared;
    }
}
