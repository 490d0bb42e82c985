using System;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Scheduling;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Scheduling;

[TestClass]
public sealed class DurationHistoryTests
{
    private static JobList List(string directory, params string[] modules) => new(
        "app", new[] { "clang" }, Array.Empty<string>(),
        modules.Select((m, i) => new BackendJob(i, new[] { m }, new[] { m, m + ".bc" }, new[] { m + ".native.o" })).ToArray(),
        directory);

    [TestMethod]
    public void KnowsArchiveMembersAcrossLinksWhateverPidLldGaveThem()
    {
        Assert.AreEqual("lib.a(t2.o at 80)", DurationHistory.ModuleKey("lib.a(t2.o at 80).2.1164.o"));
        Assert.AreEqual("lib.a(t2.o at 80)", DurationHistory.ModuleKey("lib.a(t2.o at 80).7.3A2F.o"));
        Assert.AreEqual("obj/main.o", DurationHistory.ModuleKey("obj/main.o"));
    }

    [TestMethod]
    public void SavesAndLoadsWhatItRecorded()
    {
        using var dir = new TestDirectory();
        JobList list = List(dir.Path, "a.o", "lib.a(b.o at 9).2.77.o");
        var history = DurationHistory.Empty();
        history.Record(list.Jobs.Select((job, i) => new JobResult(job, new[] { "clang" }, JobStatus.Succeeded, null, 0, "", TimeSpan.FromSeconds(i + 0.5))));
        history.Save(dir.File("h/durations.json"));
        history.Save(dir.File("h/durations.json"));

        DurationHistory loaded = DurationHistory.Load(dir.File("h/durations.json"));

        Assert.AreEqual(0.5, loaded.SecondsFor("a.o"));
        Assert.AreEqual(1.5, loaded.SecondsFor("lib.a(b.o at 9).5.1234.o"));
        Assert.IsNull(loaded.SecondsFor("c.o"));
        Assert.HasCount(1, Directory.GetFiles(dir.File("h")), "no temporary left beside the history");
    }

    [TestMethod]
    public void AResultFromACacheLeavesTheModulesCompileTimeAlone()
    {
        using var dir = new TestDirectory();
        JobList list = List(dir.Path, "a.o");
        var history = DurationHistory.Empty();
        history.Record(new[] { new JobResult(list.Jobs[0], new[] { "clang" }, JobStatus.Succeeded, null, 0, "", TimeSpan.FromSeconds(2)) });

        history.Record(new[] { new JobResult(list.Jobs[0], new[] { "clang" }, JobStatus.Succeeded, null, 0, "", TimeSpan.FromMilliseconds(1), Dtlto.Build.Engine.Processes.ResultOrigin.LocalCache) });

        Assert.AreEqual(2.0, history.SecondsFor("a.o"));
    }

    [TestMethod]
    public void AMissingOrDamagedHistoryIsEmpty()
    {
        using var dir = new TestDirectory();
        dir.Write("bad.json", "{ not json");
        Assert.AreEqual(0, DurationHistory.Load(dir.File("bad.json")).Count);
        Assert.AreEqual(0, DurationHistory.Load(dir.File("missing.json")).Count);
    }

    [TestMethod]
    public void MeasuredDurationsOrderTheJobsAndSizesFillTheGaps()
    {
        using var dir = new TestDirectory();
        JobList list = List(dir.Path, "small-but-slow.o", "big.o", "unknown-medium.o");
        File.WriteAllBytes(dir.File("small-but-slow.o"), new byte[100]);
        File.WriteAllBytes(dir.File("big.o"), new byte[10_000]);
        File.WriteAllBytes(dir.File("unknown-medium.o"), new byte[5_000]);
        var history = DurationHistory.Empty();
        history.Record(new[]
        {
            new JobResult(list.Jobs[0], new[] { "clang" }, JobStatus.Succeeded, null, 0, "", TimeSpan.FromSeconds(9)),
            new JobResult(list.Jobs[1], new[] { "clang" }, JobStatus.Succeeded, null, 0, "", TimeSpan.FromSeconds(2)),
        });

        string[] bySize = JobOrder.MostExpensiveFirst(list).Select(j => j.Bitcode).ToArray();
        string[] byHistory = JobOrder.MostExpensiveFirst(list, history).Select(j => j.Bitcode).ToArray();

        CollectionAssert.AreEqual(new[] { "big.o", "unknown-medium.o", "small-but-slow.o" }, bySize);
        CollectionAssert.AreEqual(new[] { "small-but-slow.o", "big.o", "unknown-medium.o" }, byHistory);
    }
}
