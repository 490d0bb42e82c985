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
}
