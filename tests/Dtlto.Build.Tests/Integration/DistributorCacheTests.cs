using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>dtlto-distributor's backend cache with real clang-22/lld-22 links: hits, another folder, --no-cache, bad sizes, damaged entries.</summary>
[TestClass]
public sealed class DistributorCacheTests
{
    private static (int Hits, int Local, int Compiled) Summary(CommandResult link)
    {
        (int jobs, int hits, int local, int compiled) = CacheCounts.Of(link.StandardError);
        Assert.AreEqual(5, jobs);
        return (hits, local, compiled);
    }

    [TestMethod]
    public void ASecondLinkAndALinkOfACopyElsewhereComeFromTheCache()
    {
        using var dir = new TestDirectory();
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string copyFolder = Directory.CreateDirectory(dir.File("elsewhere/deeper")).FullName;
        foreach (string o in objects)
            File.Copy(dir.File(o), Path.Combine(copyFolder, o));
        var copy = new ThinLtoBuild(copyFolder);

        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--verbose", cache);
        CommandResult second = build.LinkWith(Toolchain.Distributor, "again", objects, "-Xthinlto-distributor=--verbose", cache);
        CommandResult elsewhere = copy.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--verbose", cache);
        CommandResult off = build.LinkWith(Toolchain.Distributor, "off", objects, "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--no-cache", cache);

        ThinLtoBuild.Expect(first, "first link");
        Assert.AreEqual((0, 0, 5), Summary(first));
        Assert.AreEqual((5, 5, 0), Summary(second));
        StringAssert.Matches(second.StandardError, new Regex(@"; from a cache: (main|squares|square|fib|greeting)\.o(, (main|squares|square|fib|greeting)\.o){4}\n"), "the summary names the results that came from the cache");
        Assert.IsFalse(first.StandardError.Contains("from a cache"), "nothing came from it in the first link");
        Assert.AreEqual((5, 5, 0), Summary(elsewhere), "the keys do not depend on where the objects are");
        StringAssert.Matches(off.StandardError, new Regex(@"5 backend jobs, \d+ workers, 0 cache hits; "), "no cache at all");
        foreach (string program in new[] { "app", "again", "off" })
            Assert.AreEqual(CProgram.Output, build.Run(program).StandardOutput);
        Assert.AreEqual(CProgram.Output, copy.Run("app").StandardOutput);
    }

    [TestMethod]
    public void ACacheSizeThatIsNotOneIsAUsageError()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--cache-max-size=huge");

        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardError, "dtlto-distributor: error: --cache-max-size: 'huge' is not a size (e.g. 10G, 500M or a number of bytes)");
        Assert.IsFalse(File.Exists(dir.File("app")));
    }
}
