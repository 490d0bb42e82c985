using System.Collections.Generic;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// A link in one step: the Debug link, and the in-process ThinLTO link when DtltoEnabled is
/// false (lld runs the backend compiles on its own threads).
/// </summary>
public sealed class NativeLink : LinkTask
{
    protected override bool ExecuteCore()
    {
        PrepareOutput();
        List<string> command = CommandWith(new string[0]);
        Log.LogMessage(MessageImportance.Normal, $"Linking {OutputFile}");
        ProcessResult result = WhileYielded(() => ProcessRunner.RunAsync(command, WorkingDirectory, CancellationToken));
        return ReportLink(result, command);
    }
}
