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
    /// <param name="module">The module's path in the checkout.</param>
    /// <param name="option">A further option of the backend compiles.</param>
    private static (JobList JobList, string Root) Checkout(TestDirectory dir, string name, int pid, string importedText = "imported bitcode", string module = "m.o", string option = "-O2")
    {
        string root = dir.File(name);
        Directory.CreateDirectory(Path.Combine(root, "build"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, module))!);
        File.WriteAllText(Path.Combine(root, module), "module bitcode");
        File.WriteAllText(Path.Combine(root, "n.o"), importedText);
        File.WriteAllText(Path.Combine(root, "build", $"m.1.{pid}.native.o.thinlto.bc"), "shard");
        string json = $$"""
            {"common":{"linker_output":"app","args":["{{dir.File("clang").Replace("\\", "\\\\")}}","-c","{{option}}"],"inputs":[]},
             "jobs":[{"args":["../{{module}}","-fthinlto-index=m.1.{{pid}}.native.o.thinlto.bc","-o","m.1.{{pid}}.native.o"],
                      "inputs":["../{{module}}","m.1.{{pid}}.native.o.thinlto.bc","../n.o"],"outputs":["m.1.{{pid}}.native.o"]}]}
            """;
        return (SideOutputs.Declare(JobListReader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "list.json", Path.Combine(root, "build"))), root);
    }

    private static string Key(JobList jobList) => BackendCacheKey.For(jobList, jobList.Jobs[0], "compiler-identity", FileHasher.ForOneLink());

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
        Assert.AreNotEqual(Key(baseline), BackendCacheKey.For(baseline, baseline.Jobs[0], "another compiler", FileHasher.ForOneLink()));
    }

    [TestMethod]
    public void AModuleIsTakenByItsContentNotItsPath()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.File("clang"), "a compiler");
        (JobList here, _) = Checkout(dir, "here", 1);
        (JobList inAnotherTarget, _) = Checkout(dir, "other", 2, module: "CMakeFiles/other.dir/m.o");
        (JobList inAnArchive, _) = Checkout(dir, "archive", 3, module: "libx.a(m.o at 90).4.1A2B.o");

        Assert.AreEqual(Key(here), Key(inAnotherTarget), "the same source compiled into another target, as lld's own cache keys take it");
        Assert.AreEqual(Key(here), Key(inAnArchive), "the same module as an archive member");
    }

    [TestMethod]
    public void ACompileThatWritesSideOutputsKeepsItsModulesPath()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.File("clang"), "a compiler");
        (JobList here, _) = Checkout(dir, "here", 1, option: "-gsplit-dwarf");
        (JobList elsewhere, _) = Checkout(dir, "elsewhere", 2, option: "-gsplit-dwarf");
        (JobList inAnotherTarget, _) = Checkout(dir, "other", 3, module: "CMakeFiles/other.dir/m.o", option: "-gsplit-dwarf");

        Assert.AreEqual(1, here.Jobs[0].SideOutputs.Count, "split DWARF writes a .dwo beside the object");
        Assert.AreEqual(Key(here), Key(elsewhere), "another checkout");
        Assert.AreNotEqual(Key(here), Key(inAnotherTarget), "the object names its .dwo, whose name comes from the module's path");
    }
}
