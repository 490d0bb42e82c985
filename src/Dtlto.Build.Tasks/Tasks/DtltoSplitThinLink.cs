using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.SplitLinking;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Phase 1 of a split-mode link (target DtltoThinLink with an lld that has no DTLTO): runs
/// lld's thin link alone, publishes the index shards, and returns the same
/// <c>@(DtltoBackendJob)</c> items an integrated link hands over, plus the inputs of the final
/// link (native objects in place of bitcode, in the project's order).
/// </summary>
public sealed class DtltoSplitThinLink : LinkTask
{
    [Required]
    public string LlvmAr { get; set; } = "";

    /// <summary><c>Elf</c> (ld.lld) or <c>Coff</c> (lld-link).</summary>
    public string LinkerFlavor { get; set; } = nameof(Engine.Linking.LinkerFlavor.Elf);

    /// <summary>The clang that runs the backend compiles.</summary>
    [Required]
    public string BackendCompiler { get; set; } = "";

    /// <summary>Code generation options of the backend compiles (target, optimisation level, relocation model).</summary>
    public string[] BackendOptions { get; set; } = Array.Empty<string>();

    /// <summary>The folder of the link's split-mode files, relative to <see cref="LinkTask.WorkingDirectory"/>.</summary>
    [Required]
    public string SplitDirectory { get; set; } = "";

    [Output]
    public ITaskItem[] BackendJobs { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The final link's inputs in order; items with LinkerOption metadata are options.</summary>
    [Output]
    public ITaskItem[] FinalLinkInputs { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>
    /// True once the thin link succeeded. An output of the task rather than a property set beside
    /// it, because MSBuild sets such properties even when it skips the target as up to date.
    /// </summary>
    [Output]
    public bool ThinLinkSucceeded { get; private set; }

    /// <summary>The index shards and native objects of this link, for Clean.</summary>
    [Output]
    public ITaskItem[] SplitFiles { get; private set; } = Array.Empty<ITaskItem>();

    protected override bool ExecuteCore()
    {
        var flavor = (Engine.Linking.LinkerFlavor)Enum.Parse(typeof(Engine.Linking.LinkerFlavor), LinkerFlavor, ignoreCase: true);
        var layout = new SplitLinkLayout(WorkingDirectory, SplitDirectory);
        var split = new SplitThinLink(layout, flavor, LlvmAr);
        PrepareOutput();
        Log.LogMessage(MessageImportance.Normal, $"Thin link of {OutputFile} (split mode)");
        try
        {
            IReadOnlyList<SplitLinkInput> inputs = WhileYielded(() => split.PrepareInputsAsync(Inputs.Select(InputArgument).ToList(), CancellationToken));
            List<string> command = CommandWith(split.IndexOnlyOptions, split.ThinLinkInputs(inputs).Select(a => a.Text));
            ProcessResult result = WhileYielded(() => ProcessRunner.RunAsync(command, WorkingDirectory, CancellationToken));
            if (!ReportLink(result, command, expectOutput: false))
                return false;

            (IReadOnlyList<SplitModule> modules, JobList jobList) = split.CollectJobs(BackendCompiler, BackendOptions, OutputFile);
            BackendJobs = jobList.Jobs.Select(job => BackendJobItems.ToItem(jobList, job)).ToArray();
            FinalLinkInputs = split.FinalLinkInputs(inputs, jobList).Select(argument => ToItem(layout, argument)).ToArray();
            SplitFiles = jobList.Jobs.SelectMany(job => new[] { job.IndexShard, job.NativeObject })
                .Select(path => (ITaskItem)new TaskItem(jobList.Resolve(path))).ToArray();
            ThinLinkSucceeded = true;
            Log.LogMessage(MessageImportance.Normal, $"{OutputFile}: {modules.Count} modules, {modules.Count(m => m.ShardChanged)} with a new or changed index shard.");
            return true;
        }
        catch (Exception e) when (e is SplitLinkException or IOException or UnauthorizedAccessException)
        {
            LogError("DTLTO3006", $"split-mode thin link of {OutputFile}: {e.Message}");
            return false;
        }
    }

    private static ITaskItem ToItem(SplitLinkLayout layout, SplitFinalLinkInputs.Argument argument)
    {
        if (argument.IsFile)
            return new TaskItem(layout.Full(argument.Text));
        var option = new TaskItem(argument.Text);
        option.SetMetadata("LinkerOption", "true");
        return option;
    }
}
