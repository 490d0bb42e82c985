using System.Linq;
using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

/// <summary>
/// Which files a backend command writes besides its object, and the stable .dwo names split DWARF
/// jobs get (real links through the cache and a farm: SideOutputTests).
/// </summary>
[TestClass]
public sealed class SideOutputsTests
{
    private static readonly string[] Common = { "clang", "-c", "--target=x86_64-pc-linux-gnu", "-O2" };

    private static JobList ListWith(string linkerOutput, params string[] options) =>
        new(linkerOutput, Common.Concat(options).ToArray(), new string[0],
            new[]
            {
                new BackendJob(0, new[] { "lib/m.o", "-fthinlto-index=m.1.77.native.o.thinlto.bc", "-o", "m.1.77.native.o" }, new[] { "lib/m.o", "m.1.77.native.o.thinlto.bc" }, new[] { "m.1.77.native.o" }),
                new BackendJob(1, new[] { "../up.o", "-fthinlto-index=up.2.77.native.o.thinlto.bc", "-o", "up.2.77.native.o" }, new[] { "../up.o", "up.2.77.native.o.thinlto.bc" }, new[] { "up.2.77.native.o" }),
            },
            "/work/build");

    [TestMethod]
    [DataRow("-fsave-optimization-record=yaml", "-fsave-optimization-record=yaml writes an optimization record")]
    [DataRow("-ftime-trace", "-ftime-trace writes a time trace")]
    [DataRow("-fstack-usage", "-fstack-usage writes a .su file")]
    [DataRow("-MD", "-MD writes a dependency file")]
    public void OptionsWhoseFilesCannotBeNamedAreSaid(string option, string reason) =>
        Assert.AreEqual(reason, SideOutputs.Unknown(Common.Concat(new[] { option, "m.o", "-o", "m.native.o" }).ToArray()));

    [TestMethod]
    public void SplitDwarfAndSaveTempsAreKnown()
    {
        Assert.IsNull(SideOutputs.Unknown(new[] { "clang", "-c", "-gsplit-dwarf", "m.o", "-o", "m.native.o" }));
        Assert.IsNull(SideOutputs.Unknown(new[] { "clang", "-c", "-save-temps=obj", "m.o", "-o", "m.native.o" }));
        Assert.IsNull(SideOutputs.Unknown(new[] { "clang", "-c", "-ftime-trace-granularity=100", "m.o", "-o", "m.native.o" }));
        StringAssert.Contains(SideOutputs.Unknown(new[] { "clang", "-c", "-gsplit-dwarf", "-save-temps", "m.o" }), "with -save-temps");
    }

    [TestMethod]
    public void ACommandThatWritesOnlyItsObjectHasNoSideOutputs()
    {
        Assert.IsEmpty(SideOutputs.Of(new[] { "clang", "-c", "-O2", "-g", "m.o", "-o", "m.native.o" }, "m.o"));
        Assert.IsEmpty(SideOutputs.Of(new[] { "clang", "-c", "-gsplit-dwarf", "-gno-split-dwarf", "m.o" }, "m.o"), "the last of -gsplit-dwarf and -gno-split-dwarf decides");
        Assert.IsEmpty(SideOutputs.Of(new[] { "clang", "-c", "-gsplit-dwarf=single", "m.o" }, "m.o"), "single-file split DWARF keeps it in the object");
        JobList plain = ListWith("app");
        Assert.AreSame(plain, SideOutputs.Declare(plain), "a list without side outputs is left as it is");
    }

    [TestMethod]
    public void SplitDwarfJobsGetADwoNamedAfterTheProgramAndTheModule()
    {
        JobList list = SideOutputs.Declare(ListWith("bin/app", "-gsplit-dwarf"));

        CollectionAssert.AreEqual(new[] { "bin/app_dwo/lib~m.o.dwo" }, list.Jobs[0].SideOutputs.ToArray());
        CollectionAssert.AreEqual(new[] { "bin/app_dwo/up~up.o.dwo" }, list.Jobs[1].SideOutputs.ToArray());
        CollectionAssert.IsSubsetOf(new[] { "-split-dwarf-file", "bin/app_dwo/lib~m.o.dwo", "-split-dwarf-output" }, list.CommandFor(list.Jobs[0]).ToArray());
        Assert.AreSame(list, SideOutputs.Declare(list), "declaring twice changes nothing");
        JobList again = SideOutputs.Declare(new JobList("elsewhere/batch", list.CommonArgs, list.CommonInputs,
            list.Jobs.Select(j => new BackendJob(j.Index, j.Args, j.Inputs, j.Outputs)).ToList(), list.BaseDirectory));
        CollectionAssert.AreEqual(list.CommandFor(list.Jobs[0]).ToArray(), again.CommandFor(again.Jobs[0]).ToArray(), "a list written again for another distributor keeps the names its commands give");
        CollectionAssert.AreEqual(list.Jobs[0].SideOutputs.ToArray(), again.Jobs[0].SideOutputs.ToArray());
    }

    [TestMethod]
    public void AnAbsoluteOutputBelowTheWorkingDirectoryGivesARelativeDwo() =>
        CollectionAssert.AreEqual(new[] { "out/app_dwo/lib~m.o.dwo" }, SideOutputs.Declare(ListWith("/work/build/out/app", "-gsplit-dwarf")).Jobs[0].SideOutputs.ToArray());

    [TestMethod]
    public void SaveTempsFilesAreNamedAfterTheModuleInTheWorkingDirectoryOrBesideTheObject()
    {
        string[] suffixes = { ".s", ".s.0.preopt.bc", ".s.1.promote.bc", ".s.2.internalize.bc", ".s.3.import.bc", ".s.4.opt.bc", ".s.5.precodegen.bc", ".s.resolution.txt" };
        CollectionAssert.AreEqual(suffixes.Select(s => "m" + s).ToArray(), SideOutputs.Of(new[] { "clang", "-c", "--save-temps", "lib/m.o", "-o", "out/m.1.77.native.o" }, "lib/m.o").ToArray());
        CollectionAssert.AreEqual(suffixes.Select(s => "out/m" + s).ToArray(), SideOutputs.Of(new[] { "clang", "-c", "-save-temps=obj", "lib/m.o", "-o", "out/m.1.77.native.o" }, "lib/m.o").ToArray());
    }

    [TestMethod]
    public void AStableJobWritesItsSideOutputsWhereItsOwnCommandSays()
    {
        JobList list = SideOutputs.Declare(ListWith("app", "-save-temps=obj"));
        StableJob stable = StableJob.Of(list, list.Jobs[0], out string? reason)!;

        Assert.IsNull(reason);
        Assert.AreEqual(".dtlto/m.s.5.precodegen.bc", stable.SideOutputs[6].Name, "beside the stable object");
        Assert.AreEqual("/work/build/m.s.5.precodegen.bc", stable.SideOutputs[6].Local);

        JobList split = SideOutputs.Declare(ListWith("app", "-gsplit-dwarf"));
        StableJob dwarf = StableJob.Of(split, split.Jobs[0], out _)!;
        Assert.AreEqual(("app_dwo/lib~m.o.dwo", "/work/build/app_dwo/lib~m.o.dwo"), dwarf.SideOutputs.Single(), "the .dwo keeps its name: the object's skeleton names it");
    }
}
