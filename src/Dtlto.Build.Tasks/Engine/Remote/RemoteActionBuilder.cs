using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Action = Dtlto.Build.Engine.Remote.Protocol.Action;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Turns a backend job into an action whose digest depends only on the contents of its inputs,
/// the command and the compiler, never on where the checkout lives or on lld's process id: the
/// job under its <see cref="StableJob"/> names, in an input root whose working directory mirrors
/// lld's, with the compiler's content digest as the action's salt, so results of different
/// compilers never mix.
/// </summary>
internal sealed class RemoteActionBuilder
{
    private readonly RemoteSettings _settings;
    private readonly RemoteToolchain? _toolchain;
    private readonly ByteString _salt;

    // The inputs of a link do not change while it runs, and a module imported by hundreds of jobs
    // is an input of each: its blob is made (stat, link resolution, digest), its place in the
    // input root named and its Directory entry encoded once per link, and kept by the input's
    // number in its job list (an array read per input of every action), or by its file for a job
    // that is not its list's own.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<InputNumbers, InputFile?[]> _numbered = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InputFile> _inputs = new(StringComparer.Ordinal);

    /// <summary>An input's entry (name, blob), and its place in the input root under <see cref="WorkingDirectory"/>.</summary>
    private sealed record InputFile(FileEntry Entry, string WorkingDirectory, string[] Place)
    {
        public static InputFile Of(string path, string workingDirectory, string[] place, Caching.FileHasher digests) =>
            new(new FileEntry(place[place.Length - 1], Blob.FromFile(path, digests), executable: false), workingDirectory, place);
    }

    private readonly Caching.FileHasher _digests;

    /// <param name="digests">The link's file digests.</param>
    public RemoteActionBuilder(RemoteSettings settings, string compiler, RemoteToolchain? toolchain, Caching.FileHasher digests)
    {
        _settings = settings;
        _toolchain = toolchain;
        _digests = digests;
        _salt = ByteString.CopyFrom(Encoding.UTF8.GetBytes("compiler:" + ContentDigest.OfFile(compiler, digests).Hash));
    }

    /// <summary>The action of a job, or null with the reason when the job cannot run remotely (an input named by an absolute path).</summary>
    public (RemoteAction? Action, string? Reason) Build(JobList jobList, BackendJob job)
    {
        StableJob? stable = StableJob.Of(jobList, job, out string? reason);
        if (stable is null)
            return (null, reason + ", which a worker does not have");

        string workingDirectory = stable.WorkingDirectory;
        var tree = new InputTree();
        IReadOnlyList<int>? numbers = stable.InputNumbers;
        InputFile?[]? files = numbers is null ? null : _numbered.GetValue(jobList.InputNumbers, all => new InputFile?[all.Count]);
        for (int i = 0; i < stable.Inputs.Count; i++)
        {
            (string name, string local) = stable.Inputs[i];
            InputFile input = files is null
                ? _inputs.GetOrAdd(local, path => InputFile.Of(path, workingDirectory, Under(workingDirectory, name).Split('/'), _digests))
                : Volatile.Read(ref files[numbers![i]]) ?? Keep(ref files[numbers[i]], InputFile.Of(local, workingDirectory, Under(workingDirectory, name).Split('/'), _digests));
            if (input.WorkingDirectory == workingDirectory)
                tree.Add(input.Place, input.Entry);
            else
                tree.Add(Under(workingDirectory, name).Split('/'), input.Entry.Content);
        }
        tree.Add(Under(workingDirectory, stable.Shard.Name), Blob.FromFile(stable.Shard.Local, digests: null));
        var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string local) in stable.Outputs.Concat(stable.SideOutputs))
            outputs[name] = local;

        List<string> arguments = stable.Arguments.ToList();
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

    /// <summary>The input kept in <paramref name="slot"/>: <paramref name="made"/>, unless another action kept one first.</summary>
    private static InputFile Keep(ref InputFile? slot, InputFile made) => Interlocked.CompareExchange(ref slot, made, null) ?? made;

    private Platform PlatformMessage()
    {
        var platform = new Platform();
        // The API asks for properties sorted by name, then by value.
        foreach (KeyValuePair<string, string> property in _settings.Platform.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
            platform.Properties.Add(new Platform.Types.Property { Name = property.Key, Value = property.Value });
        return platform;
    }

    private static string Under(string workingDirectory, string relative)
    {
        string joined = workingDirectory.Length == 0 ? relative : workingDirectory + "/" + relative;
        return StableJob.Normalize(joined)!;
    }
}
