using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tracing;

[TestClass]
public sealed class LinkTraceTests
{
    private static readonly BackendJob A = new(0, new[] { "a.o" }, new[] { "a.o", "a.bc" }, new[] { "a.native.o" });
    private static readonly BackendJob B = new(1, new[] { "b.o" }, new[] { "b.o", "b.bc" }, new[] { "b.native.o" });

    private static JobResult Result(BackendJob job, JobStatus status, double seconds, ResultOrigin origin = ResultOrigin.Here) =>
        new(job, new[] { "clang" }, status, status == JobStatus.Failed ? "the compiler exited with code 1" : null, 0, "", TimeSpan.FromSeconds(seconds), origin);

    [TestMethod]
    public void WritesALaneForPhasesAndOneLanePerWorkerWithASlicePerJob()
    {
        var trace = new LinkTrace();
        DateTime start = DateTime.UtcNow;
        trace.AddPhase("thin link", start, start.AddMilliseconds(30));
        trace.JobStarted(0, A);
        trace.JobStarted(1, B);
        trace.JobFinished(1, Result(B, JobStatus.Succeeded, 0.01));
        trace.JobFinished(0, Result(A, JobStatus.Failed, 0.02));

        using var stream = new MemoryStream();
        trace.Write(stream);
        using JsonDocument document = JsonDocument.Parse(stream.ToArray());

        JsonElement[] events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToArray();
        string[] lanes = events.Where(e => e.GetProperty("ph").GetString() == "M").Select(e => e.GetProperty("args").GetProperty("name").GetString()!).ToArray();
        CollectionAssert.AreEqual(new[] { "link", "worker 2", "worker 1" }, lanes);
        JsonElement[] slices = events.Where(e => e.GetProperty("ph").GetString() == "X").ToArray();
        CollectionAssert.AreEquivalent(new[] { "thin link", "a.o", "b.o" }, slices.Select(s => s.GetProperty("name").GetString()).ToArray());
        JsonElement failed = slices.Single(s => s.GetProperty("name").GetString() == "a.o");
        Assert.AreEqual("the compiler exited with code 1", failed.GetProperty("args").GetProperty("failure").GetString());
        Assert.IsTrue(slices.All(s => s.GetProperty("ts").GetInt64() > 1_600_000_000_000_000), "wall-clock microseconds");
        Assert.AreEqual(30_000, slices.Single(s => s.GetProperty("name").GetString() == "thin link").GetProperty("dur").GetInt64(), 1000);
    }

    [TestMethod]
    public void PartsOfAJobAreDrawnInsideItsSliceOnItsLaneAndWhereItRanIsAnArgument()
    {
        var trace = new LinkTrace();
        trace.JobStarted(2, A);
        DateTime started = DateTime.UtcNow;
        trace.AddJobDetail(A, "upload here", started, started.AddMilliseconds(1));
        // A farm whose clock runs ahead: its parts are clamped into the job's span.
        trace.AddJobDetail(A, "executing on worker-7", started.AddMinutes(-1), started.AddMinutes(1));
        System.Threading.Thread.Sleep(5);
        trace.JobFinished(2, Result(A, JobStatus.Succeeded, 0.005, ResultOrigin.FarmWonRace));

        using var stream = new MemoryStream();
        trace.Write(stream);
        using JsonDocument document = JsonDocument.Parse(stream.ToArray());

        JsonElement[] slices = document.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToArray();
        JsonElement job = slices.Single(s => s.GetProperty("name").GetString() == "a.o");
        Assert.AreEqual("the farm (won the race)", job.GetProperty("args").GetProperty("ran").GetString());
        long jobStart = job.GetProperty("ts").GetInt64();
        long jobEnd = jobStart + job.GetProperty("dur").GetInt64();
        foreach (string part in new[] { "upload here", "executing on worker-7" })
        {
            JsonElement slice = slices.Single(s => s.GetProperty("name").GetString() == part);
            Assert.AreEqual(job.GetProperty("tid").GetInt32(), slice.GetProperty("tid").GetInt32(), part + " is on the job's lane");
            Assert.IsGreaterThanOrEqualTo(jobStart, slice.GetProperty("ts").GetInt64(), part);
            Assert.IsLessThanOrEqualTo(jobEnd, slice.GetProperty("ts").GetInt64() + slice.GetProperty("dur").GetInt64(), part);
        }
    }

    [TestMethod]
    public void TheSummaryLineSaysWhatRanAndTheSlowestModules()
    {
        var result = new BackendCompileResult(new[] { Result(A, JobStatus.Succeeded, 1.5), Result(B, JobStatus.Succeeded, 0.25) }, TimeSpan.FromSeconds(1.6), 2);

        Assert.AreEqual(
            "2 backend jobs, 2 workers, 0 cache hits; CPU 1.80 s, wall 1.60 s; slowest: a.o 1.50 s, b.o 0.25 s",
            LinkSummary.Format(result, TimeSpan.FromSeconds(1.8)));
    }
}
