using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>The inputs every native link task takes, as the SDK's Link item metadata provides them.</summary>
public abstract class LinkTask : DtltoTask
{
    /// <summary>The clang driver (clang++) that runs lld.</summary>
    [Required]
    public string Driver { get; set; } = "";

    /// <summary>Objects and archives, in link order.</summary>
    public ITaskItem[] Inputs { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// The project's folder. Relative library folders and library paths in the project's
    /// settings are relative to it, as in Visual C++, not to the folder lld runs in.
    /// </summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>Link's AdditionalLibraryDirectories.</summary>
    public string[] LibraryDirectories { get; set; } = Array.Empty<string>();

    /// <summary>Link's AdditionalDependencies: library names (m, dl) or paths.</summary>
    public string[] Libraries { get; set; } = Array.Empty<string>();

    /// <summary>Options of the configuration (LTO, -shared).</summary>
    public string[] Options { get; set; } = Array.Empty<string>();

    /// <summary>Link's AdditionalOptions, as the user wrote them.</summary>
    public string? AdditionalOptions { get; set; }

    /// <summary>
    /// Options of the linker itself, as a .vcxproj's Link AdditionalOptions holds them
    /// (<c>/opt:ref</c>); each goes to lld through the driver with -Xlinker.
    /// </summary>
    public string? LinkerSwitches { get; set; }

    [Required]
    public string OutputFile { get; set; } = "";

    [Required]
    public string WorkingDirectory { get; set; } = "";

    protected string OutputPath => Path.GetFullPath(Path.Combine(WorkingDirectory, OutputFile));

    /// <param name="inputs">The inputs as they go on the command line; by default <see cref="Inputs"/>.</param>
    protected List<string> CommandWith(IEnumerable<string> extraOptions, IEnumerable<string>? inputs = null) =>
        LinkCommand.Build(
            Driver,
            inputs ?? Inputs.Select(InputArgument),
            LibraryDirectories.Where(d => d.Length > 0).Select(FromProject),
            Libraries.Where(l => l.Length > 0 && !l.StartsWith("%(", StringComparison.Ordinal))
                .Select(l => l.IndexOfAny(new[] { '/', '\\' }) >= 0 ? FromProject(l) : l),
            Options.Concat(CommandLineSplitter.Split(AdditionalOptions))
                .Concat(CommandLineSplitter.Split(LinkerSwitches).SelectMany(s => new[] { "-Xlinker", s }))
                .Concat(extraOptions),
            OutputPath);

    /// <summary>
    /// An input relative to where lld runs: lld records module paths in the index shards it
    /// writes, where paths relative to the link stay the same from one checkout to another, and
    /// lld 22 garbles non-ASCII characters of absolute ones. An item with <c>LinkerOption</c>
    /// metadata true is an option placed among the inputs (a lazy group's start or end).
    /// </summary>
    protected string InputArgument(ITaskItem input) =>
        string.Equals(input.GetMetadata("LinkerOption"), "true", StringComparison.OrdinalIgnoreCase)
            ? input.ItemSpec
            : RelativePath.From(WorkingDirectory, input.GetMetadata("FullPath"));

    private string FromProject(string path) =>
        string.IsNullOrEmpty(ProjectDirectory) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ProjectDirectory!, path));

    /// <summary>Prepares the output folder and removes an old output, so a failed link leaves none.</summary>
    protected void PrepareOutput()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OutputPath)!);
        DeleteOutput();
    }

    protected void DeleteOutput()
    {
        try
        {
            File.Delete(OutputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWarning("DTLTO3203", $"could not remove {OutputPath}, left by the failed link: {e.Message}");
        }
    }

    /// <summary>Logs how a link ended; returns whether it succeeded.</summary>
    /// <param name="expectOutput">false for a thin link that writes index files instead of an output.</param>
    protected bool ReportLink(ProcessResult result, IReadOnlyList<string>? command, bool expectOutput = true)
    {
        if (command is not null)
            Log.LogMessage(MessageImportance.Low, CommandLineText.Format(command));
        if (result.StartError is not null)
        {
            LogError("DTLTO3002", $"cannot link {OutputFile}: {result.StartError}");
            return false;
        }

        int errors = LogToolOutput(result.Output, "DTLTO3201");
        if (result.ExitCode == 0 && (!expectOutput || File.Exists(OutputPath)))
            return true;
        DeleteOutput();
        if (errors == 0 && !result.Stopped)
            LogError("DTLTO3201", $"the link of {OutputFile} failed (exit code {result.ExitCode})");
        return false;
    }
}
