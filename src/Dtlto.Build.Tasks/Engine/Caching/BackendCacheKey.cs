using System;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The key of a backend compile's result: what the remote executor's action is made of (the
/// compiler, the command under its <see cref="StableJob"/> names, the working directory's name,
/// and the content of the bitcode, the index shard and every imported module), so that it is the
/// same in every checkout, in Integrated and Split links, and in the SDK and the distributor.
/// An input named by an absolute path keeps that path in the key, which then holds for one checkout;
/// an archive member lld extracted is named by its archive and member (<see cref="ExtractedArchiveMember.WithoutPlace"/>).
/// The shard records the hashes of the module and of every module it imports from, and what it
/// imports, so one changed module changes the keys of the jobs that read it and of no other.
/// </summary>
public static class BackendCacheKey
{
    private const string Version = "dtlto-backend-cache-1";

    /// <summary>The key of a job as lower-case hex; throws <see cref="IOException"/> when an input cannot be read.</summary>
    public static string For(JobList jobList, BackendJob job, string compilerIdentity)
    {
        // lld names an archive member after its place and its own process id: the key names it by
        // the archive and the member, and reads the shard that lists it the same way.
        bool members = job.Inputs.Any(ExtractedArchiveMember.Is);
        Func<string, string> name = members ? ExtractedArchiveMember.WithoutPlace : static n => n;
        using var text = new MemoryStream();
        using (var writer = new BinaryWriter(text, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(compilerIdentity);
            StableJob stable = StableJob.Of(jobList, job, out _, keepAbsolute: true)!;
            writer.Write(stable.WorkingDirectory);
            writer.Write(stable.Arguments.Count);
            foreach (string argument in stable.Arguments)
                writer.Write(name(argument));
            writer.Write(stable.Inputs.Count);
            // Extracted members live for one link: their digests are not worth keeping either.
            foreach ((string input, string local) in stable.Inputs)
                Write(writer, name(input), FileDigests.Of(local, keep: !ExtractedArchiveMember.Is(input)));
            // The shard is named after lld's process id: its digest is not worth keeping between links.
            Write(writer, name(stable.Shard.Name), members ? IndexShardDigest.Of(stable.Shard.Local) : FileDigests.Of(stable.Shard.Local, keep: false));
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

    private static void Write(BinaryWriter writer, string name, FileDigest digest)
    {
        writer.Write(name);
        writer.Write(digest.Hash);
        writer.Write(digest.Size);
    }
}
