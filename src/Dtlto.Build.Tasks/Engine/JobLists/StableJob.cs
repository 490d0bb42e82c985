using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// A backend job under names that are the same in every checkout and in every link, which is
/// what lets a cache (on this machine or a farm's) serve one checkout's result to another:
/// <list type="bullet">
/// <item>inputs keep their paths relative to lld's working directory, because index shards name
/// the modules they import by those paths; the working directory itself is named after its last
/// folders, as deep as the deepest <c>../</c>;</item>
/// <item>the index shard and the outputs, which lld names after its process id, get names
/// derived from the module's path, and the command is rewritten to match.</item>
/// </list>
/// </summary>
public sealed class StableJob
{
    /// <summary>Where the stable shard and output names live, under the working directory.</summary>
    public const string Folder = ".dtlto";

    private StableJob(
        string workingDirectory,
        IReadOnlyList<(string Name, string Local)> inputs,
        (string Name, string Local) shard,
        IReadOnlyList<(string Name, string Local)> outputs,
        IReadOnlyList<(string Name, string Local)> sideOutputs,
        IReadOnlyList<string> arguments)
    {
        WorkingDirectory = workingDirectory;
        Inputs = inputs;
        Shard = shard;
        Outputs = outputs;
        SideOutputs = sideOutputs;
        Arguments = arguments;
    }

    /// <summary>lld's working directory named by its last folders ('/'-separated; empty when no input is above it).</summary>
    public string WorkingDirectory { get; }

    /// <summary>The module, the modules it imports and the common inputs: each relative to lld's working directory in '/' form, and its file.</summary>
    public IReadOnlyList<(string Name, string Local)> Inputs { get; }

    public (string Name, string Local) Shard { get; }

    /// <summary>The outputs in the job's order, the native object first.</summary>
    public IReadOnlyList<(string Name, string Local)> Outputs { get; }

    /// <summary>
    /// The files the command writes besides its outputs (<see cref="BackendJob.SideOutputs"/>), in
    /// the job's order: each where the stable command writes it, and its file here.
    /// </summary>
    public IReadOnlyList<(string Name, string Local)> SideOutputs { get; }

    /// <summary>The command with the shard and the outputs at their stable names, compiler first.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>
    /// The job under stable names, or null with the reason when an input is named by an absolute
    /// path, which only this machine has; with <paramref name="keepAbsolute"/>, such an input keeps
    /// its path as its name instead (a key that holds for this checkout only).
    /// </summary>
    public static StableJob? Of(JobList jobList, BackendJob job, out string? reason, bool keepAbsolute = false)
    {
        NameMemo memo = Memos.GetValue(jobList, list => new NameMemo(list.InputNumbers));
        int[]? jobNumbers = memo.Numbers.Of(job);
        int count = job.Inputs.Count - 1 + jobList.CommonInputs.Count;
        var inputs = new List<(string Name, string Local)>(count);
        var numbers = jobNumbers is null ? null : new int[count];
        int up = 0;
        for (int i = 0; i < job.Inputs.Count + jobList.CommonInputs.Count; i++)
        {
            // The shard (the second input) is the job's own, and named apart.
            if (i == 1)
                continue;
            bool common = i >= job.Inputs.Count;
            string input = common ? jobList.CommonInputs[i - job.Inputs.Count] : job.Inputs[i];
            int number = jobNumbers is null ? -1 : common ? memo.Numbers.Common[i - job.Inputs.Count] : jobNumbers[i];
            InputName name = number < 0
                ? memo.ByPath.GetOrAdd(input, path => new InputName(Normalize(path), jobList.Resolve(path)))
                : memo.Named(number, input, jobList);
            string? normal = name.Normal ?? (keepAbsolute ? name.Local.Replace('\\', '/') : null);
            if (normal is null)
            {
                reason = $"'{input}' is an absolute path";
                return null;
            }

            if (numbers is not null)
                numbers[inputs.Count] = number;
            inputs.Add((normal, name.Local));
            up = Math.Max(up, name.Normal is null ? LeadingParents(normal) : name.Up);
        }

        string key = NameFor(inputs[0].Name);
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        (string Name, string Local) shard = ($"{Folder}/{key}.thinlto.bc", jobList.Resolve(job.IndexShard));
        renames[shard.Local] = shard.Name;
        var outputs = new List<(string Name, string Local)>();
        for (int i = 0; i < job.Outputs.Count; i++)
        {
            (string Name, string Local) output = (i == 0 ? $"{Folder}/{key}.native.o" : $"{Folder}/{key}.{i}.out", jobList.Resolve(job.Outputs[i]));
            renames[output.Local] = output.Name;
            outputs.Add(output);
        }

        List<string> arguments = jobList.CommandFor(job).Select(a => CommandRewrite.Argument(a, jobList, renames)).ToList();
        // The stable command writes its side outputs where its own options say (beside the stable object, for -save-temps=obj).
        IReadOnlyList<string> sideNames = JobLists.SideOutputs.Of(arguments, inputs[0].Name);
        if (sideNames.Count != job.SideOutputs.Count)
        {
            reason = "its command writes files that cannot be named under stable names";
            return null;
        }

        var sideOutputs = new List<(string Name, string Local)>();
        for (int i = 0; i < sideNames.Count; i++)
        {
            string? normal = Normalize(sideNames[i]) ?? (keepAbsolute ? jobList.Resolve(sideNames[i]).Replace('\\', '/') : null);
            if (normal is null)
            {
                reason = $"'{sideNames[i]}', which the compile writes, is an absolute path";
                return null;
            }

            sideOutputs.Add((normal, jobList.Resolve(job.SideOutputs[i])));
        }

        foreach ((string name, _) in sideOutputs)
            up = Math.Max(up, LeadingParents(name));
        reason = null;
        return new StableJob(
            memo.Folders.GetOrAdd(up, depth => WorkingDirectoryName(jobList.BaseDirectory, depth)),
            inputs,
            shard,
            outputs,
            sideOutputs,
            arguments)
        {
            InputNumbers = numbers,
        };
    }

    /// <summary>The number of each of <see cref="Inputs"/> in its job list (<see cref="JobLists.InputNumbers"/>), or null for a job not of the list.</summary>
    internal IReadOnlyList<int>? InputNumbers { get; private init; }

    // A module imported by hundreds of jobs is named (normalised, resolved) once per job list, not once per job.
    private static readonly ConditionalWeakTable<JobList, NameMemo> Memos = new();

    private sealed class NameMemo
    {
        private readonly InputName?[] _byNumber;

        public NameMemo(InputNumbers numbers)
        {
            Numbers = numbers;
            _byNumber = new InputName?[numbers.Count];
        }

        public InputNumbers Numbers { get; }

        /// <summary>Names of the inputs of jobs that are not the list's own (<see cref="InputNumbers.Of"/> is null).</summary>
        public ConcurrentDictionary<string, InputName> ByPath { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<int, string> Folders { get; } = new();

        /// <summary>The name of input number <paramref name="number"/>, worked out by the first job that asks.</summary>
        public InputName Named(int number, string path, JobList jobList)
        {
            InputName? known = Volatile.Read(ref _byNumber[number]);
            if (known is not null)
                return known;
            var name = new InputName(Normalize(path), jobList.Resolve(path));
            return Interlocked.CompareExchange(ref _byNumber[number], name, null) ?? name;
        }
    }

    /// <summary>An input's stable name (null when absolute), its file, and the '../' its name starts with.</summary>
    private sealed class InputName
    {
        public InputName(string? normal, string local)
        {
            Normal = normal;
            Local = local;
            Up = normal is null ? 0 : LeadingParents(normal);
        }

        public string? Normal { get; }

        public string Local { get; }

        public int Up { get; }
    }

    /// <summary>A path relative to lld's working directory in '/' form with '.' and inner '..' resolved; null for an absolute path.</summary>
    public static string? Normalize(string path)
    {
        if (Path.IsPathRooted(path))
            return null;
        var parts = new List<string>();
        foreach (string part in path.Split('/', '\\'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else
                parts.Add(part);
        }

        return string.Join("/", parts);
    }

    private static int LeadingParents(string normal)
    {
        int count = 0;
        while (count * 3 + 2 <= normal.Length && normal[count * 3] == '.' && normal[count * 3 + 1] == '.' && (normal.Length == count * 3 + 2 || normal[count * 3 + 2] == '/'))
            count++;
        return count;
    }

    /// <summary>The last <paramref name="depth"/> folder names of lld's working directory: deep enough for every '../', and the same in every checkout.</summary>
    internal static string WorkingDirectoryName(string baseDirectory, int depth)
    {
        string[] names = Path.GetFullPath(baseDirectory).Split(new[] { '/', '\\' }, StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> last = names.Skip(Math.Max(0, names.Length - depth));
        // Above the file system's root there are no names; any stand-in keeps the relative structure.
        IEnumerable<string> padding = Enumerable.Repeat("up", Math.Max(0, depth - names.Length));
        return string.Join("/", padding.Concat(last).Select(n => n.TrimEnd(':')));
    }

    /// <summary>A file name for a module's stable shard and object: its path with '/' and '..' spelled out.</summary>
    private static string NameFor(string module) => module.Replace("../", "up~").Replace('/', '~');
}
