using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Makes a static library with llvm-ar. In a ThinLTO build its members are bitcode, and a link
/// that consumes it distributes their backend compiles like any other module's.
/// </summary>
public sealed class ArchiveObjects : DtltoTask
{
    [Required]
    public string LlvmAr { get; set; } = "";

    public ITaskItem[] Objects { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputFile { get; set; } = "";

    protected override bool ExecuteCore()
    {
        string output = Path.GetFullPath(OutputFile);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        // llvm-ar adds to an existing archive; starting anew drops members of removed sources.
        if (!QuietDelete.File(output))
        {
            LogError("DTLTO4001", $"cannot replace {OutputFile}: it could not be deleted");
            return false;
        }

        var command = new List<string> { LlvmAr, "rcs", output };
        command.AddRange(Objects.Select(o => o.GetMetadata("FullPath")));
        Log.LogMessage(MessageImportance.Normal, $"Archiving {OutputFile}");
        Log.LogMessage(MessageImportance.Low, CommandLineText.Format(command));

        ProcessResult result = ProcessRunner.RunAsync(command, Path.GetDirectoryName(output)!, CancellationToken).GetAwaiter().GetResult();
        if (result.StartError is not null || result.ExitCode != 0)
        {
            QuietDelete.File(output);
            LogError("DTLTO4001", $"llvm-ar could not create {OutputFile}: {result.StartError ?? result.Output.Trim()}");
            return false;
        }

        return true;
    }
}
