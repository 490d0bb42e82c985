using System;
using System.Linq;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tracing;

/// <summary>The one line of a link at default verbosity counts each job once, by where its result came from.</summary>
[TestClass]
public sealed class LinkHeadlineTests
{
    private static JobResult Job(int index, JobStatus status, ResultOrigin origin = ResultOrigin.Here) =>
        new(new BackendJob(index, new[] { $"m{index}.o" }, new[] { $"m{index}.o" }, new[] { $"m{index}.native.o" }), new[] { "clang" }, status, status == JobStatus.Failed ? "exit code 1" : null, 0, "", TimeSpan.FromSeconds(1), origin);

    [TestMethod]
    public void EveryOriginIsCountedAndNamedWithItsPlace()
    {
        var result = new BackendCompileResult(new[]
        {
            Job(0, JobStatus.Succeeded), Job(1, JobStatus.Succeeded, ResultOrigin.LocalCache), Job(2, JobStatus.Succeeded, ResultOrigin.LocalCache),
            Job(3, JobStatus.Succeeded, ResultOrigin.Farm), Job(4, JobStatus.Succeeded, ResultOrigin.FarmCache), Job(5, JobStatus.Failed), Job(6, JobStatus.NotCompleted),
        }, TimeSpan.FromSeconds(2.5), 2);

        string line = LinkHeadline.Format("stats", "Integrated", result, "/srv/cache", "grpc://farm:8980");

        Assert.AreEqual("stats: DTLTO Integrated, 7 backend jobs, 1 compiled here, 2 from the local cache (/srv/cache), 1 compiled on the farm (grpc://farm:8980), 1 from the farm's cache, 1 failed, 1 not completed, 2.50 s", line);
    }

    [TestMethod]
    public void AFolderInTheHomeIsWrittenAsAShellUserWritesIt()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var result = new BackendCompileResult(Enumerable.Range(0, 1).Select(i => Job(i, JobStatus.Succeeded, ResultOrigin.LocalCache)).ToList(), TimeSpan.FromSeconds(0.1), 1);

        string line = LinkHeadline.Format("stats", "Split", result, home + "/.cache/dtlto", null);

        Assert.AreEqual("stats: DTLTO Split, 1 backend job, 1 from the local cache (~/.cache/dtlto), 0.10 s", line);
    }
}
