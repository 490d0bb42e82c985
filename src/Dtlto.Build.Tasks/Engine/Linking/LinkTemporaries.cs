using System;
using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Linking;

/// <summary>
/// The files lld writes for its distributor and removes after a link: the job list, every index
/// shard and native object, and archive members extracted to files
/// (<c>lib.a(t2.o at 80).2.1164.o</c>). lld cannot remove them when it is killed, so whoever
/// killed it does.
/// </summary>
public static class LinkTemporaries
{
    public static IEnumerable<string> Of(JobList jobList, string jobListPath)
    {
        yield return jobListPath;
        foreach (BackendJob job in jobList.Jobs)
        {
            yield return jobList.Resolve(job.IndexShard);
            foreach (string output in job.Outputs)
                yield return jobList.Resolve(output);
            foreach (string input in job.Inputs)
            {
                if (ExtractedArchiveMember.Is(Path.GetFileName(input)))
                    yield return jobList.Resolve(input);
            }
        }
    }

    /// <summary>The files in the output's folder now, to tell later which ones a link created.</summary>
    public static HashSet<string> FilesBeside(string outputPath)
    {
        string? folder = Path.GetDirectoryName(outputPath);
        return folder is not null && Directory.Exists(folder)
            ? new HashSet<string>(Directory.GetFiles(folder), StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// Removes what a killed link left: the temporaries its job list names (when it got that
    /// far), and files it created beside its output that are lld's by their names: the job list,
    /// index shards, native objects, extracted archive members, and the output's own temporary
    /// (<c>app.tmpXXXXXX</c>, renamed to the output only when a link completes).
    /// </summary>
    public static void DeleteAfterKilledLink(JobList? jobList, string? jobListPath, string outputPath, HashSet<string> filesBefore)
    {
        var doomed = new List<string>();
        if (jobList is not null && jobListPath is not null)
            doomed.AddRange(Of(jobList, jobListPath));
        string outputName = Path.GetFileName(outputPath);
        foreach (string file in FilesBeside(outputPath))
        {
            string name = Path.GetFileName(file);
            if (!filesBefore.Contains(file) && IsLldTemporary(name, outputName))
                doomed.Add(file);
        }

        // The names carry lld's PID, so one that stays is never trusted or reused by a later link.
        foreach (string path in doomed)
            QuietDelete.File(path);
    }

    private static bool IsLldTemporary(string name, string outputName) =>
        name.EndsWith(".dist-file.json", StringComparison.Ordinal)
        || name.EndsWith(".native.o", StringComparison.Ordinal)
        || name.EndsWith(".native.o.thinlto.bc", StringComparison.Ordinal)
        || name.EndsWith(".native.o.rsp", StringComparison.Ordinal)
        || ExtractedArchiveMember.Is(name)
        || name.StartsWith(outputName + ".tmp", StringComparison.Ordinal);
}
