using System.Linq;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tasks;

/// <summary>A job list through @(DtltoBackendJob) items and back, as the SDK's targets pass it from the thin link to the backend compiles.</summary>
[TestClass]
public sealed class BackendJobItemsTests
{
    [TestMethod]
    public void AJobKeepsItsCommandOutputsAndSideOutputsThroughItems()
    {
        using var dir = new Support.TestDirectory();
        var list = SideOutputs.Declare(new JobList("bin/app", new[] { "clang", "-c", "-gsplit-dwarf" }, new string[0],
            new[] { new BackendJob(0, new[] { "m.o", "-fthinlto-index=m.1.9.native.o.thinlto.bc", "-o", "bin/m.1.9.native.o" }, new[] { "m.o", "m.1.9.native.o.thinlto.bc" }, new[] { "bin/m.1.9.native.o" }) },
            dir.Path));

        JobList back = BackendJobItems.FromItems(list.Jobs.Select(job => BackendJobItems.ToItem(list, job)).ToList());

        BackendJob job = back.Jobs.Single();
        CollectionAssert.AreEqual(list.CommandFor(list.Jobs[0]).ToArray(), back.CommandFor(job).ToArray());
        Assert.AreEqual(list.Resolve("bin/m.1.9.native.o"), back.Resolve(job.NativeObject));
        Assert.AreEqual(list.Resolve("bin/app_dwo/m.o.dwo"), back.Resolve(job.SideOutputs.Single()));
        Assert.AreEqual("m.o", job.Bitcode, "inputs are relative to lld's folder again");
    }

    [TestMethod]
    public void TheJobListComesBackAsLldWroteIt()
    {
        using var dir = new Support.TestDirectory();
        var list = new JobList("../bin/app", new[] { "/usr/bin/clang", "-c", "-O2", "-fprofile-sample-use=../prof.txt" }, new[] { "../prof.txt" }, new[]
        {
            new BackendJob(0, new[] { "a.o", "-fthinlto-index=a.1.9.native.o.thinlto.bc", "-o", "a.1.9.native.o" }, new[] { "a.o", "a.1.9.native.o.thinlto.bc", "b.o" }, new[] { "a.1.9.native.o" }),
            new BackendJob(1, new[] { "lib/b.o", "-fthinlto-index=b.2.9.native.o.thinlto.bc", "-o", "b.2.9.native.o" }, new[] { "lib/b.o", "b.2.9.native.o.thinlto.bc" }, new[] { "b.2.9.native.o", "b.2.9.native.o.yaml" }, new[] { "b.dwo" }),
        }, dir.File("obj"));

        JobList back = BackendJobItems.FromItems(list.Jobs.Select(job => BackendJobItems.ToItem(list, job)).ToList());

        Assert.AreEqual(Json(list), Json(back), "every field lld wrote: the linker output, the common arguments and inputs, each job's arguments, inputs and outputs");
        Assert.AreEqual(list.BaseDirectory, back.BaseDirectory);
        CollectionAssert.AreEqual(list.Jobs.Select(j => string.Join(" ", j.SideOutputs)).ToArray(), back.Jobs.Select(j => string.Join(" ", j.SideOutputs)).ToArray());
    }

    [TestMethod]
    public void ACommandAUsersTargetRewroteIsKeptWholeWithTheCommonInputs()
    {
        using var dir = new Support.TestDirectory();
        var list = new JobList("app", new[] { "clang", "-c", "-fprofile-sample-use=prof.txt" }, new[] { "prof.txt" },
            new[] { new BackendJob(0, new[] { "a.o", "-o", "a.native.o" }, new[] { "a.o", "a.thinlto.bc" }, new[] { "a.native.o" }) }, dir.Path);
        var item = BackendJobItems.ToItem(list, list.Jobs[0]);
        item.SetMetadata("Command", "[\"/opt/clang\",\"-c\",\"-fprofile-sample-use=prof.txt\",\"a.o\",\"-o\",\"a.native.o\"]");

        JobList back = BackendJobItems.FromItems(new[] { item });

        CollectionAssert.AreEqual(new[] { "/opt/clang", "-c", "-fprofile-sample-use=prof.txt", "a.o", "-o", "a.native.o" }, back.CommandFor(back.Jobs[0]).ToArray());
        CollectionAssert.AreEqual(new[] { "prof.txt" }, back.CommonInputs.ToArray(), "the profile is still an input of every job");
        Assert.AreEqual("app", back.LinkerOutput);
    }

    [TestMethod]
    public void ItemsOfTwoLinksAreRefused()
    {
        using var one = new Support.TestDirectory();
        JobList List(string profile) => new("app", new[] { "clang", "-c" }, new[] { profile },
            new[] { new BackendJob(0, new[] { "a.o" }, new[] { "a.o", "a.thinlto.bc" }, new[] { "a.native.o" }) }, one.Path);

        Assert.ThrowsExactly<System.FormatException>(() => BackendJobItems.FromItems(new[]
        {
            BackendJobItems.ToItem(List("one.prof"), List("one.prof").Jobs[0]), BackendJobItems.ToItem(List("two.prof"), List("two.prof").Jobs[0]),
        }));
    }

    private static string Json(JobList list)
    {
        using var stream = new System.IO.MemoryStream();
        JobListWriter.Write(list, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
