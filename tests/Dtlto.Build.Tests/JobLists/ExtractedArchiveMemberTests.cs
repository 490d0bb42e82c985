using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

[TestClass]
public sealed class ExtractedArchiveMemberTests
{
    [TestMethod]
    public void AMemberIsNamedByItsArchiveAndItsName()
    {
        Assert.IsTrue(ExtractedArchiveMember.Is("lib/libstat.a(parse.c.o at 3344).4.5F9D.o"));
        Assert.AreEqual("lib/libstat.a(parse.c.o at 3344)", ExtractedArchiveMember.Stable("lib/libstat.a(parse.c.o at 3344).4.5F9D.o"));
        Assert.AreEqual("lib/libstat.a(parse.c.o)", ExtractedArchiveMember.Display("lib/libstat.a(parse.c.o at 3344).4.5F9D.o"));
        Assert.AreEqual("lib math (v2).a(sq.o)", ExtractedArchiveMember.Display("lib math (v2).a(sq.o at 80).2.1164.o"));
        Assert.IsFalse(ExtractedArchiveMember.Is("main.o"));
        Assert.AreEqual("main.o", ExtractedArchiveMember.Display("main.o"));
    }

    [TestMethod]
    public void WithoutPlaceRenamesMembersWhereverTheyStand()
    {
        Assert.AreEqual("-fthinlto-index=.dtlto/libx.a(b.o).thinlto.bc", ExtractedArchiveMember.WithoutPlace("-fthinlto-index=.dtlto/libx.a(b.o at 90).2.19B8.o.thinlto.bc"));
        Assert.AreEqual("libx.a(b.o)", ExtractedArchiveMember.WithoutPlace("libx.a(b.o at 90).2.19B8.o"));
        Assert.AreEqual("libx.a(b.o)", ExtractedArchiveMember.WithoutPlace("libx.a(b.o at 90)"));
        Assert.AreEqual("-O2", ExtractedArchiveMember.WithoutPlace("-O2"));
    }
}
