using System.IO;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Caching;

/// <summary>Keys depend on what a backend compile reads and runs, never on where the checkout is or on lld's process id.</summary>
[TestClass]
public sealed class BackendCacheKeyTests
{
    /// <summary>A checkout with a module that imports another, linked from build/ as lld with process id <paramref name="pid"/> names things.</summary>
    private static (JobList JobList, string Root) Checkout(TestDirectory dir, string name, int pid, string importedText = "imported bitcode")
    {
        string root = dir.File(name);
        Directory.CreateDirectory(Path.Combine(root, "build"));
        File.WriteAllText(Path.Combine(root, "m.o"), "module bitcode");
        File.WriteAllText(Path.Combine(root, "n.o"), importedText);
        File.WriteAllText(Path.Combine(root, "build", $"m.1.{pid}.native.o.thinlto.bc"), "shard");
        string json = $$"""
            {"common":{"linker_output":"app","args":["{{dir.File("clang").Replace("\\", "\\\\")}}","-c","-O2"],"inputs":[]},
             "jobs":[{"args":["../m.o","-fthinlto-index=m.1.{{pid}}.native.o.thinlto.bc","-o","m.1.{{pid}}.native.o"],
                      "inputs":["../m.o","m.1.{{pid}}.native.o.thinlto.bc","../n.o"],"outputs":["m.1.{{pid}}.native.o"]}]}
            """;
        return (JobListReader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "list.json", Path.Combine(root, "build")), root);
    }

    private static string Key(JobList jobList) => BackendCacheKey.For(jobList, jobList.Jobs[0], "compiler-identity");

    [TestMethod]
    public void TheKeyIsTheSameInAnotherCheckoutAndAnotherLink()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.File("clang"), "a compiler");
        (JobList one, _) = Checkout(dir, "one", 1111);
        (JobList two, _) = Checkout(dir, "two/deeper", 2222);

        Assert.AreEqual(Key(one), Key(two));
    }

    [TestMethod]
    public void AnImportedModuleTheShardOrTheCommandChangesTheKey()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.File("clang"), "a compiler");
        (JobList baseline, _) = Checkout(dir, "base", 1);
        (JobList imported, _) = Checkout(dir, "imported", 1, "changed imported bitcode");
        (JobList shard, string shardRoot) = Checkout(dir, "shard", 1);
        File.WriteAllText(Path.Combine(shardRoot, "build", "m.1.1.native.o.thinlto.bc"), "another shard");

        Assert.AreNotEqual(Key(baseline), Key(imported));
        Assert.AreNotEqual(Key(baseline), Key(shard));
        Assert.AreNotEqual(Key(baseline), BackendCacheKey.For(baseline, baseline.Jobs[0], "another compiler"));
    }
}
