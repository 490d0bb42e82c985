using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Dtlto.Build.Tasks;

/// <summary>
/// The <c>@(DtltoBackendJob)</c> item of one backend compile: its identity is the native object
/// it must produce, and its metadata say everything needed to run it elsewhere.
/// </summary>
/// <remarks>
/// Metadata: <c>Module</c> (the bitcode as lld named it), <c>Bitcode</c>, <c>IndexShard</c>,
/// <c>ImportedModules</c>, <c>Outputs</c> and <c>SideOutputs</c> (;-lists of full paths), <c>NativeObject</c>,
/// <c>Command</c> (the argument vector as a JSON array), <c>CommandLine</c> (the same quoted for
/// the platform's shell, for Exec), <c>WorkingDirectory</c> (where lld ran,
/// the command's relative paths are relative to it), <c>CommonInputs</c>, <c>JobIndex</c>.
/// </remarks>
public static class BackendJobItems
{
    public static ITaskItem ToItem(JobList jobList, BackendJob job)
    {
        var item = new TaskItem(jobList.Resolve(job.NativeObject));
        item.SetMetadata("Module", job.Bitcode);
        item.SetMetadata("Bitcode", jobList.Resolve(job.Bitcode));
        item.SetMetadata("IndexShard", jobList.Resolve(job.IndexShard));
        item.SetMetadata("ImportedModules", string.Join(";", job.ImportedModules.Select(jobList.Resolve)));
        item.SetMetadata("NativeObject", jobList.Resolve(job.NativeObject));
        item.SetMetadata("Outputs", string.Join(";", job.Outputs.Select(jobList.Resolve)));
        item.SetMetadata("SideOutputs", string.Join(";", job.SideOutputs.Select(jobList.Resolve)));
        item.SetMetadata("CommonInputs", string.Join(";", jobList.CommonInputs.Select(jobList.Resolve)));
        item.SetMetadata("Command", JsonSerializer.Serialize(jobList.CommandFor(job)));
        item.SetMetadata("CommandLine", CommandLineText.Format(jobList.CommandFor(job)));
        item.SetMetadata("WorkingDirectory", jobList.BaseDirectory);
        item.SetMetadata("JobIndex", job.Index.ToString());
        return item;
    }

    /// <summary>Rebuilds a job list from items; throws <see cref="FormatException"/> for an item that lacks what it needs.</summary>
    public static JobList FromItems(IReadOnlyList<ITaskItem> items)
    {
        var jobs = new List<BackendJob>();
        string? directory = null;
        for (int i = 0; i < items.Count; i++)
        {
            ITaskItem item = items[i];
            directory ??= Required(item, "WorkingDirectory");
            string[]? command;
            try
            {
                command = JsonSerializer.Deserialize<string[]>(Required(item, "Command"));
            }
            catch (JsonException e)
            {
                throw new FormatException($"{item.ItemSpec}: Command is not a JSON array of strings: {e.Message}");
            }

            if (command is null || command.Length == 0)
                throw new FormatException($"{item.ItemSpec}: Command is empty");
            // Relative to lld's folder again, as lld named them: index shards name imported
            // modules by such paths, and a remote action must place them the same way.
            var inputs = new List<string> { Required(item, "Bitcode"), Required(item, "IndexShard") };
            inputs.AddRange(List(item, "ImportedModules"));
            inputs = inputs.Select(path => RelativePath.From(directory, path)).ToList();
            string[] outputs = List(item, "Outputs").ToArray();
            string[] sideOutputs = List(item, "SideOutputs").Select(path => RelativePath.From(directory, path)).ToArray();
            jobs.Add(new BackendJob(i, command, inputs, outputs.Length > 0 ? outputs : new[] { item.ItemSpec }, sideOutputs));
        }

        return new JobList("", Array.Empty<string>(), Array.Empty<string>(), jobs, directory ?? Directory.GetCurrentDirectory());
    }

    private static string Required(ITaskItem item, string name)
    {
        string value = item.GetMetadata(name);
        return value.Length > 0 ? value : throw new FormatException($"{item.ItemSpec}: metadata {name} is missing");
    }

    private static IEnumerable<string> List(ITaskItem item, string name) =>
        item.GetMetadata(name).Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
}
