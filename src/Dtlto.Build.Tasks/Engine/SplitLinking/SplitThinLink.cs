using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// Split ThinLTO, for linkers without DTLTO (LLVM before 21): lld runs only the thin link
/// (<c>--thinlto-index-only</c>), the job list is built here from the index files it wrote, and
/// a second, plain lld run links the native objects. Index shards live under stable names and
/// change only with their content, so an unchanged module's object stays up to date.
/// </summary>
public sealed class SplitThinLink
{
    private readonly SplitLinkLayout _layout;
    private readonly LinkerFlavor _flavor;
    private readonly ExtractedArchives _archives;

    public SplitThinLink(SplitLinkLayout layout, LinkerFlavor flavor, string llvmAr)
    {
        _layout = layout;
        _flavor = flavor;
        _archives = new ExtractedArchives(layout.WorkingDirectory, layout.Archives, llvmAr);
    }

    /// <summary>The link's inputs with every static library that holds bitcode extracted.</summary>
    /// <param name="inputs">Link inputs in order, relative to where lld runs.</param>
    public async Task<IReadOnlyList<SplitLinkInput>> PrepareInputsAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        // Index files of an earlier thin link must not pass for this one's.
        string staging = _layout.Full(_layout.Staging);
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return await _archives.ExtractAsync(inputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The linker options that make lld stop after the thin link.</summary>
    public IReadOnlyList<string> IndexOnlyOptions => SplitLinkFlags.IndexOnly(_flavor, _layout);

    public IReadOnlyList<SplitFinalLinkInputs.Argument> ThinLinkInputs(IEnumerable<SplitLinkInput> inputs) =>
        SplitFinalLinkInputs.ForThinLink(_flavor, inputs);

    /// <summary>After the thin link: publishes the index shards and returns the modules with their job list.</summary>
    public (IReadOnlyList<SplitModule> Modules, JobList JobList) CollectJobs(string compiler, IEnumerable<string> backendOptions, string linkerOutput)
    {
        IReadOnlyList<SplitModule> modules = SplitIndexReader.Read(_layout);
        return (modules, SplitJobListBuilder.Build(_layout, modules, compiler, backendOptions, linkerOutput));
    }

    /// <summary>The final link's inputs: native objects in place of the bitcode they came from.</summary>
    public IReadOnlyList<SplitFinalLinkInputs.Argument> FinalLinkInputs(IEnumerable<SplitLinkInput> inputs, JobList jobList)
    {
        Dictionary<string, string> natives = jobList.Jobs.ToDictionary(job => job.Bitcode, job => job.NativeObject);
        return SplitFinalLinkInputs.ForFinalLink(_flavor, inputs, natives, file => BitcodeFile.Is(_layout.Full(file)));
    }

}
