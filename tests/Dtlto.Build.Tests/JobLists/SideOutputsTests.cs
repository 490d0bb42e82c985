using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

/// <summary>Which backend commands write files lld's job list does not name (the integration tests run them: SideOutputTests).</summary>
[TestClass]
public sealed class SideOutputsTests
{
    [TestMethod]
    [DataRow("-gsplit-dwarf", "-gsplit-dwarf writes a .dwo file beside each object")]
    [DataRow("-gsplit-dwarf=split", "-gsplit-dwarf writes a .dwo file beside each object")]
    [DataRow("-save-temps=obj", "-save-temps=obj writes the compile's temporary files")]
    [DataRow("--save-temps", "--save-temps writes the compile's temporary files")]
    [DataRow("-fsave-optimization-record=yaml", "-fsave-optimization-record=yaml writes an optimization record")]
    [DataRow("-ftime-trace", "-ftime-trace writes a time trace")]
    [DataRow("-MD", "-MD writes a dependency file")]
    public void OptionsThatWriteMoreAreNamed(string option, string reason) =>
        Assert.AreEqual(reason, SideOutputs.Reason(new[] { "clang", "-c", "--target=x86_64-pc-linux-gnu", "-O2", option, "m.o", "-o", "m.native.o" }));

    [TestMethod]
    public void ACommandThatWritesOnlyItsObjectHasNoReason()
    {
        Assert.IsNull(SideOutputs.Reason(new[] { "clang", "-c", "-O2", "-g", "-ftime-trace-granularity=100", "m.o", "-o", "m.native.o" }));
        Assert.IsNull(SideOutputs.Reason(new[] { "clang", "-c", "-gsplit-dwarf", "-gno-split-dwarf", "m.o" }), "the last of -gsplit-dwarf and -gno-split-dwarf decides");
        Assert.IsNull(SideOutputs.Reason(new[] { "clang", "-c", "-gsplit-dwarf=single", "m.o" }), "single-file split DWARF keeps it in the object");
    }
}
