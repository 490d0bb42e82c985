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

    /// <summary>Link's AdditionalLibraryDirectories.</summary>
    public string[] LibraryDirectories { get; set; } = Array.Empty<string>();

    /// <summary>Link's AdditionalDependencies: library names (m, dl) or paths.</summary>
    public string[] Libraries { get; set; } = Array.Empty<string>();

    /// <summary>Options of the configuration (LTO, -shared).</summary>
    public string[] Options { get; set; } = Array.Empty<string>();

    /// <summary>Link's AdditionalOptions, as the user wrote them.</summary>
    public string? AdditionalOptions { get; set; }

    [Required]
    public string OutputFile { get; set; } = "";

    [Required]
    public string WorkingDirectory { get; set; } = "";

    protected string OutputPath => Path.GetFullPath(Path.Combine(WorkingDirectory, OutputFile));

    protected List<string> CommandWith(IEnumerable<string> extraOptions) =>
        LinkCommand.Build(
            Driver,
            // Relative to where lld runs: lld records module paths in the index shards it writes,
            // where paths relative to the link stay the same from one checkout to another, and
            // lld 22 garbles non-ASCII characters of absolute ones.
            Inputs.Select(input => RelativePath.From(WorkingDirectory, input.GetMetadata("FullPath"))),
            LibraryDirectories.Where(d => d.Length > 0),
            Libraries.Where(l => l.Length > 0 && !l.StartsWith("%(", StringComparison.Ordinal)),
            Options.Concat(CommandLineSplitter.Split(AdditionalOptions)).Concat(extraOptions),
            OutputPath);

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
            Log.LogWarning($"could not remove {OutputPath}: {e.Message}");
        }
    }

    /// <summary>Logs how a link ended; returns whether it succeeded.</summary>
    protected bool ReportLink(ProcessResult result, IReadOnlyList<string>? command)
    {
        if (command is not null)
            Log.LogMessage(MessageImportance.Low, CommandLineText.Format(command));
        if (result.StartError is not null)
        {
            LogError("DTLTO3002", $"cannot link {OutputFile}: {result.StartError}");
            return false;
        }

        int errors = LogToolOutput(result.Output, "DTLTO3201");
        if (result.ExitCode == 0 && File.Exists(OutputPath))
            return true;
        DeleteOutput();
        if (errors == 0 && !result.Stopped)
            LogError("DTLTO3201", $"the link of {OutputFile} failed (exit code {result.ExitCode})");
        return false;
    }
}
