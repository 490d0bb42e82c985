using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Action = Dtlto.Build.Engine.Remote.Protocol.Action;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Turns a backend job into an action whose digest depends only on the contents of its inputs,
/// the command and the compiler, never on where the checkout lives or on lld's process id:
/// <list type="bullet">
/// <item>inputs keep their paths relative to lld's working directory, which the action's
/// working directory mirrors (as deep as the deepest <c>../</c>, named after the last folders of
/// the real one), because index shards name the modules they import by those paths;</item>
/// <item>the index shard and the outputs, which lld names after its process id, get stable
/// names derived from the module's path, and the command is rewritten to match;</item>
/// <item>the compiler's content digest is the action's salt, so results of different compilers never mix.</item>
/// </list>
/// </summary>
internal sealed class RemoteActionBuilder
{
    /// <summary>Where the stable shard and output names live, under the action's working directory.</summary>
    internal const string StableFolder = ".dtlto";

    private readonly RemoteSettings _settings;
    private readonly RemoteToolchain? _toolchain;
    private readonly ByteString _salt;

    // The inputs of a link do not change while it runs, and a module imported by hundreds of jobs
    // is an input of each: its blob is made (stat, link resolution, digest) once per link.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Blob> _inputs = new(StringComparer.Ordinal);

    public RemoteActionBuilder(RemoteSettings settings, string compiler, RemoteToolchain? toolchain)
    {
        _settings = settings;
        _toolchain = toolchain;
        _salt = ByteString.CopyFrom(Encoding.UTF8.GetBytes("compiler:" + ContentDigest.OfFile(compiler).Hash));
    }

    /// <summary>The action of a job, or null with the reason when the job cannot run remotely (an input named by an absolute path).</summary>
    public (RemoteAction? Action, string? Reason) Build(JobList jobList, BackendJob job)
    {
        // The module, the modules it imports and the common inputs keep their own paths: index
        // shards name imported modules by them.
        var placed = new List<(string Relative, string Local)>();
        foreach (string input in job.Inputs.Where((_, i) => i != 1).Concat(jobList.CommonInputs))
        {
            string? normal = Normalize(input);
            if (normal is null)
                return (null, $"'{input}' is an absolute path, which a worker does not have");
            placed.Add((normal, jobList.Resolve(input)));
        }

        string workingDirectory = WorkingDirectory(jobList.BaseDirectory, placed.Max(p => LeadingParents(p.Relative)));
        var tree = new InputTree();
        foreach ((string relative, string local) in placed)
            tree.Add(Under(workingDirectory, relative), _inputs.GetOrAdd(local, Blob.FromFile));

        // The shard and the outputs: at stable names, found in the command by the files they name.
        string key = StableKey(placed[0].Relative);
        var rewrites = new Dictionary<string, string>(StringComparer.Ordinal);
        string shard = $"{StableFolder}/{key}.thinlto.bc";
        tree.Add(Under(workingDirectory, shard), Blob.FromFile(jobList.Resolve(job.IndexShard)));
        rewrites[jobList.Resolve(job.IndexShard)] = shard;
        var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < job.Outputs.Count; i++)
        {
            string stable = i == 0 ? $"{StableFolder}/{key}.native.o" : $"{StableFolder}/{key}.{i}.out";
            rewrites[jobList.Resolve(job.Outputs[i])] = stable;
            outputs[stable] = jobList.Resolve(job.Outputs[i]);
        }

        List<string> arguments = jobList.CommandFor(job).Select(a => CommandRewrite.Argument(a, jobList, rewrites)).ToList();
        if (_toolchain is not null)
            arguments[0] = _toolchain.AddTo(tree, workingDirectory);

        var command = new Command { WorkingDirectory = workingDirectory };
        command.Arguments.AddRange(arguments);
        // output_paths for servers of API 2.1 and newer, output_files for older ones.
        command.OutputPaths.AddRange(outputs.Keys);
        command.OutputFiles.AddRange(outputs.Keys);
        Platform platform = PlatformMessage();
        command.Platform = platform;

        (Digest root, IReadOnlyList<Blob> treeBlobs) = tree.Build();
        Blob commandBlob = Blob.FromBytes(command.ToByteArray());
        var action = new Action { CommandDigest = commandBlob.Digest, InputRootDigest = root, Salt = _salt, Platform = platform };
        if (_settings.ActionTimeout is TimeSpan timeout)
            action.Timeout = Duration.FromTimeSpan(timeout);
        Blob actionBlob = Blob.FromBytes(action.ToByteArray());
        return (new RemoteAction(action, command, treeBlobs, commandBlob, actionBlob, outputs), null);
    }

    private Platform PlatformMessage()
    {
        var platform = new Platform();
        // The API asks for properties sorted by name, then by value.
        foreach (KeyValuePair<string, string> property in _settings.Platform.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
            platform.Properties.Add(new Platform.Types.Property { Name = property.Key, Value = property.Value });
        return platform;
    }

    /// <summary>A path relative to lld's working directory in '/' form with '.' and inner '..' resolved; null for an absolute path.</summary>
    internal static string? Normalize(string path)
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

    private static int LeadingParents(string normal) => normal.Split('/').TakeWhile(p => p == "..").Count();

    /// <summary>The last <paramref name="depth"/> folder names of lld's working directory: deep enough for every '../', and the same in every checkout.</summary>
    internal static string WorkingDirectory(string baseDirectory, int depth)
    {
        string[] names = Path.GetFullPath(baseDirectory).Split(new[] { '/', '\\' }, StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> last = names.Skip(Math.Max(0, names.Length - depth));
        // Above the file system's root there are no names; any stand-in keeps the relative structure.
        IEnumerable<string> padding = Enumerable.Repeat("up", Math.Max(0, depth - names.Length));
        return string.Join("/", padding.Concat(last).Select(n => n.TrimEnd(':')));
    }

    private static string Under(string workingDirectory, string relative)
    {
        string joined = workingDirectory.Length == 0 ? relative : workingDirectory + "/" + relative;
        return Normalize(joined)!;
    }

    /// <summary>A file name for a module's stable shard and object: its path with '/' and '..' spelled out.</summary>
    internal static string StableKey(string module) => module.Replace("../", "up~").Replace('/', '~');
}
