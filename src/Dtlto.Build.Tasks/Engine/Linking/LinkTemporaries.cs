using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
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
    private static readonly Regex ExtractedArchiveMember = new(@"\(.+ at \d+\)\.\d+\.[0-9A-Fa-f]+\.o$", RegexOptions.CultureInvariant);

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
                if (ExtractedArchiveMember.IsMatch(Path.GetFileName(input)))
                    yield return jobList.Resolve(input);
            }
        }
    }

    public static void Delete(JobList jobList, string jobListPath)
    {
        foreach (string path in Of(jobList, jobListPath))
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a later link overwrites nothing of these (their names carry lld's PID).
            }
        }
    }
}
