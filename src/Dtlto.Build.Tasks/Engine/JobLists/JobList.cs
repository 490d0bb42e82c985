using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// The DTLTO job list lld hands to a distributor: the compiler invocation shared by every
/// backend compile, and one <see cref="BackendJob"/> per bitcode module.
/// </summary>
public sealed class JobList
{
    public JobList(
        string linkerOutput,
        IReadOnlyList<string> commonArgs,
        IReadOnlyList<string> commonInputs,
        IReadOnlyList<BackendJob> jobs,
        string baseDirectory)
    {
        LinkerOutput = linkerOutput;
        CommonArgs = commonArgs;
        CommonInputs = commonInputs;
        Jobs = jobs;
        BaseDirectory = Path.GetFullPath(baseDirectory);
    }

    /// <summary>The file lld is linking, as lld named it.</summary>
    public string LinkerOutput { get; }

    /// <summary>The compiler followed by the options every backend compile shares.</summary>
    public IReadOnlyList<string> CommonArgs { get; }

    /// <summary>Files every backend compile reads besides its own inputs (e.g. a sample profile).</summary>
    public IReadOnlyList<string> CommonInputs { get; }

    public IReadOnlyList<BackendJob> Jobs { get; }

    /// <summary>
    /// The directory relative paths in the list are relative to: the one lld ran the
    /// distributor in. Backend compiles run there too.
    /// </summary>
    public string BaseDirectory { get; }

    /// <summary>The full argument vector of a job, compiler first.</summary>
    public IReadOnlyList<string> CommandFor(BackendJob job) => CommonArgs.Concat(job.Args).ToList();

    /// <summary>What a job's object must be: the target its command compiles for.</summary>
    public Verification.ObjectTarget TargetOf(BackendJob job) => Verification.ObjectTarget.OfCommand(CommonArgs, job.Args);

    /// <summary>The list's distinct inputs numbered (as the reader found them, or counted on first use).</summary>
    internal InputNumbers InputNumbers
    {
        get => System.Threading.LazyInitializer.EnsureInitialized(ref _inputNumbers, () => InputNumbers.For(CommonInputs, Jobs))!;
        set => _inputNumbers = value;
    }

    private InputNumbers? _inputNumbers;

    /// <summary>An absolute path for a path as written in the list.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
