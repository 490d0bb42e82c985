using System;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The key of a backend compile's result: the compiler, the command, and the content of the
/// module's bitcode, of its index shard, of every module it imports from and of the link's
/// common inputs (a sample profile), so that it is the same in every checkout, in Integrated and
/// Split links, and in the SDK and the distributor. The shard records the hashes of the module
/// and of every module it imports from, and what it imports, so one changed module changes the
/// keys of the jobs that read it and of no other.
/// </summary>
/// <remarks>
/// Modules are taken by their content, not by their paths, as lld's own cache keys take them: a
/// source the build compiles into two targets, or one member in two archives, is compiled once,
/// and a relink compiles exactly the jobs lld's <c>--thinlto-cache-dir</c> compiles. The
/// compile's own file names (its bitcode, shard and outputs, all derived from the module's path)
/// become placeholders in the command, and the shard is read with its modules by their hashes
/// (<see cref="IndexShardDigest"/>). A command that writes side outputs is the exception: the
/// object records their names (split DWARF's <c>.dwo</c>), which come from the module's path, so
/// such a key keeps every path, under <see cref="StableJob"/> names (an archive member lld
/// extracted by its archive and member, <see cref="ExtractedArchiveMember.WithoutPlace"/>; an
/// input named by an absolute path by that path, a key that holds for one checkout). Common
/// inputs stay by their names in every key: the command names them.
/// </remarks>
public static class BackendCacheKey
{
    private const string Version = "dtlto-backend-cache-2";

    /// <summary>The key of a job as lower-case hex; throws <see cref="IOException"/> when an input cannot be read.</summary>
    /// <param name="digests">The link's file digests.</param>
    public static string For(JobList jobList, BackendJob job, string compilerIdentity, FileHasher digests)
    {
        StableJob stable = StableJob.Of(jobList, job, out _, keepAbsolute: true)!;
        bool byContent = stable.SideOutputs.Count == 0;
        // lld names an archive member after its place and its own process id: a key by path names
        // it by the archive and the member.
        bool members = job.Inputs.Any(ExtractedArchiveMember.Is);
        Func<string, string> name = byContent ? argument => Placeholders(argument, stable) : members ? ExtractedArchiveMember.WithoutPlace : static n => n;
        // The module and the modules it imports come first in the stable inputs; the common inputs follow.
        int modules = job.Inputs.Count - 1;
        using var text = new MemoryStream();
        using (var writer = new BinaryWriter(text, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(compilerIdentity);
            writer.Write(byContent ? "modules by content" : "modules by path");
            writer.Write(stable.WorkingDirectory);
            writer.Write(stable.Arguments.Count);
            foreach (string argument in stable.Arguments)
                writer.Write(name(argument));
            // Extracted members live for one link: their digests are not worth keeping either.
            var inputs = stable.Inputs.Select(input => (input.Name, Digest: digests.Of(input.Local, keep: !ExtractedArchiveMember.Is(input.Name)))).ToList();
            writer.Write(inputs.Count);
            if (byContent)
            {
                Write(writer, "", inputs[0].Digest);
                foreach (FileDigest imported in inputs.Skip(1).Take(modules - 1).Select(i => i.Digest).OrderBy(d => d.Hash, StringComparer.Ordinal))
                    Write(writer, "", imported);
                foreach ((string input, FileDigest digest) in inputs.Skip(modules))
                    Write(writer, input, digest);
            }
            else
            {
                foreach ((string input, FileDigest digest) in inputs)
                    Write(writer, name(input), digest);
            }

            // The shard is named after lld's process id: its digest is not worth keeping between links.
            FileDigest shard = byContent || members ? IndexShardDigest.Of(stable.Shard.Local, modulesByContent: byContent) : digests.Of(stable.Shard.Local, keep: false);
            Write(writer, byContent ? "<shard>" : name(stable.Shard.Name), shard);
            writer.Write(stable.Outputs.Count);
            foreach ((string output, _) in stable.Outputs)
                writer.Write(name(output));
            if (stable.SideOutputs.Count > 0)
            {
                writer.Write(stable.SideOutputs.Count);
                foreach ((string output, _) in stable.SideOutputs)
                    writer.Write(name(output));
            }
        }

        text.Position = 0;
        return FileDigests.OfStream(text);
    }

    /// <summary>An argument with the compile's own file names (the module's bitcode, shard and outputs) as placeholders.</summary>
    private static string Placeholders(string argument, StableJob stable)
    {
        for (int i = 0; i < stable.Outputs.Count; i++)
            argument = argument.Replace(stable.Outputs[i].Name, $"<output {i}>");
        argument = argument.Replace(stable.Shard.Name, "<shard>");
        return argument == stable.Inputs[0].Name ? "<module>" : argument;
    }

    private static void Write(BinaryWriter writer, string name, FileDigest digest)
    {
        writer.Write(name);
        writer.Write(digest.Hash);
        writer.Write(digest.Size);
    }
}
