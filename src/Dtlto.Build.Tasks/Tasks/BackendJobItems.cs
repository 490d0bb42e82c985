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
/// the command's relative paths are relative to it), <c>CommonInputs</c> (the files every job of
/// the link reads besides its own, such as a sample profile: full paths), <c>LinkerOutput</c>
/// (the link's output, full path), <c>CommonArgs</c> (the arguments every job's command starts
/// with, JSON), <c>JobIndex</c>. The items and the job list they came from are the same job list
/// again (<see cref="FromItems"/>): a cache key or a remote action made from either is the same.
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
        item.SetMetadata("LinkerOutput", jobList.LinkerOutput.Length == 0 ? "" : jobList.Resolve(jobList.LinkerOutput));
        item.SetMetadata("CommonArgs", JsonSerializer.Serialize(jobList.CommonArgs));
        item.SetMetadata("Command", JsonSerializer.Serialize(jobList.CommandFor(job)));
        item.SetMetadata("CommandLine", CommandLineText.Format(jobList.CommandFor(job)));
        item.SetMetadata("WorkingDirectory", jobList.BaseDirectory);
        item.SetMetadata("JobIndex", job.Index.ToString());
        return item;
    }

    /// <summary>Rebuilds a job list from items; throws <see cref="FormatException"/> for an item that lacks what it needs.</summary>
    public static JobList FromItems(IReadOnlyList<ITaskItem> items)
    {
        if (items.Count == 0)
            return new JobList("", Array.Empty<string>(), Array.Empty<string>(), Array.Empty<BackendJob>(), Directory.GetCurrentDirectory());
        ITaskItem first = items[0];
        string directory = Required(first, "WorkingDirectory");
        // Relative to lld's folder again, as lld named them: index shards name imported
        // modules by such paths, and a remote action must place them the same way.
        string Relative(string path) => RelativePath.From(directory, path);
        string linkerOutput = first.GetMetadata("LinkerOutput") is { Length: > 0 } output ? Relative(output) : "";
        string[] commonInputs = List(first, "CommonInputs").Select(Relative).ToArray();
        var commands = items.Select(Command).ToList();
        string[] commonArgs = Strings(first, "CommonArgs", first.GetMetadata("CommonArgs")) ?? Array.Empty<string>();
        // A target of the user's may have rewritten a command: then each job keeps its whole command.
        if (!commands.All(command => command.Length >= commonArgs.Length && command.Take(commonArgs.Length).SequenceEqual(commonArgs)))
            commonArgs = Array.Empty<string>();

        var jobs = new List<BackendJob>();
        for (int i = 0; i < items.Count; i++)
        {
            ITaskItem item = items[i];
            if (!string.Equals(item.GetMetadata("WorkingDirectory"), directory, StringComparison.Ordinal) ||
                !List(item, "CommonInputs").SequenceEqual(List(first, "CommonInputs")) ||
                item.GetMetadata("LinkerOutput") != first.GetMetadata("LinkerOutput"))
                throw new FormatException($"{item.ItemSpec}: its WorkingDirectory, CommonInputs or LinkerOutput differ from {first.ItemSpec}'s: the items are of more than one link");
            var inputs = new List<string> { Required(item, "Bitcode"), Required(item, "IndexShard") };
            inputs.AddRange(List(item, "ImportedModules"));
            string[] outputs = List(item, "Outputs").ToArray();
            jobs.Add(new BackendJob(
                i,
                commands[i].Skip(commonArgs.Length).ToArray(),
                inputs.Select(Relative).ToList(),
                (outputs.Length > 0 ? outputs : new[] { item.ItemSpec }).Select(Relative).ToArray(),
                List(item, "SideOutputs").Select(Relative).ToArray()));
        }

        return new JobList(linkerOutput, commonArgs, commonInputs, jobs, directory);
    }

    private static string[] Command(ITaskItem item) =>
        Strings(item, "Command", Required(item, "Command")) is { Length: > 0 } command ? command : throw new FormatException($"{item.ItemSpec}: Command is empty");

    /// <summary>Metadata <paramref name="name"/> (whose value is <paramref name="text"/>) as a JSON array of strings; null when it is empty.</summary>
    private static string[]? Strings(ITaskItem item, string name, string text)
    {
        if (text.Length == 0)
            return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{item.ItemSpec}: {name} is not a JSON array of strings: {e.Message}");
        }
    }

    private static string Required(ITaskItem item, string name)
    {
        string value = item.GetMetadata(name);
        return value.Length > 0 ? value : throw new FormatException($"{item.ItemSpec}: metadata {name} is missing");
    }

    private static IEnumerable<string> List(ITaskItem item, string name) =>
        item.GetMetadata(name).Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
}
