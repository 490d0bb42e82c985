using System;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Execution;

/// <summary>What the out-of-process batch sends the build, one JSON line each, comes back whole.</summary>
[TestClass]
public sealed class JobResultLineTests
{
    private static readonly JobList List = new("app", new[] { "clang", "-c", "-O2" }, Array.Empty<string>(),
        new[] { new BackendJob(0, new[] { "a.o", "-o", "a.native.o" }, new[] { "a.o", "a.thinlto.bc" }, new[] { "a.native.o" }) }, "/tmp");

    [TestMethod]
    public void AResultASummaryAStatusAWarningAndAnErrorRoundTrip()
    {
        var failed = new JobResult(List.Jobs[0], List.CommandFor(List.Jobs[0]), JobStatus.Failed, "exit code 1", 1, "a.c:1: error\n", TimeSpan.FromSeconds(1.5), ResultOrigin.FarmCache);

        (JobResult? result, string? summary, string? status, string? warning, string? error) = JobResultLine.Read(JobResultLine.Write(failed), List);

        Assert.IsNotNull(result);
        Assert.IsNull(summary);
        Assert.IsNull(status);
        Assert.IsNull(warning);
        Assert.IsNull(error);
        Assert.AreEqual((JobStatus.Failed, "exit code 1", (int?)1, "a.c:1: error\n", 1.5, ResultOrigin.FarmCache), (result.Status, result.Failure, result.ExitCode, result.Output, result.Elapsed.TotalSeconds, result.Origin));
        CollectionAssert.AreEqual(new[] { "clang", "-c", "-O2", "a.o", "-o", "a.native.o" }, (System.Collections.ICollection)result.Command);
        Assert.AreEqual("5 backend jobs", JobResultLine.Read(JobResultLine.WriteSummary("5 backend jobs"), List).Summary);
        Assert.AreEqual("waiting for the remote execution server", JobResultLine.Read(JobResultLine.WriteStatus("waiting for the remote execution server"), List).Status);
        Assert.AreEqual("warning: a farm \"down\"", JobResultLine.Read(JobResultLine.WriteWarning("warning: a farm \"down\""), List).Warning);
        Assert.AreEqual("--remote-jobs: not a number", JobResultLine.Read(JobResultLine.WriteError("--remote-jobs: not a number"), List).Error);
        Assert.AreEqual(default, JobResultLine.Read("dtlto-distributor: warning: words on standard error", List));
    }

    [TestMethod]
    public void EveryOriginRoundTrips()
    {
        foreach (ResultOrigin origin in Enum.GetValues<ResultOrigin>())
        {
            var result = new JobResult(List.Jobs[0], List.CommandFor(List.Jobs[0]), JobStatus.Succeeded, null, 0, "", TimeSpan.FromSeconds(1), origin);
            Assert.AreEqual(origin, JobResultLine.Read(JobResultLine.Write(result), List).Result?.Origin);
        }
    }

    [TestMethod]
    public void AJobWhoseCompileNeverRanComesBackWithoutACommand()
    {
        var notRun = new JobResult(List.Jobs[0], Array.Empty<string>(), JobStatus.Failed, "cannot use the remote execution server", null, "", TimeSpan.Zero);

        JobResult? result = JobResultLine.Read(JobResultLine.Write(notRun), List).Result;

        Assert.IsNotNull(result);
        Assert.AreEqual(0, result.Command.Count, "no command to rerun, as in the process that ran it");
    }
}
