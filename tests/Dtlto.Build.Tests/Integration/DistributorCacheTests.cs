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
    public void OneModuleInTwoTargetsOfTwoProgramsIsCompiledOnceAsLldsOwnCacheDoes()
    {
        using var dir = new TestDirectory();
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");
        var build = new ThinLtoBuild(dir.Path);
        dir.Write("twice.c", "int twice(int x) { return 2 * x; }\nint thrice(int x) { return 3 * x; }\n");
        dir.Write("one.c", "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n");
        dir.Write("two.c", "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"%d\\n\", twice(4)); return 0; }\n");
        build.Compile("twice.c", "one.c", "two.c");
        // As CMake builds one source into two libraries: the same bitcode under two names.
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File("b"));
        File.Copy(dir.File("twice.o"), dir.File("a/twice.o"));
        File.Copy(dir.File("twice.o"), dir.File("b/twice.o"));
        build.Archive("liba.a", thin: false, "a/twice.o");
        build.Archive("libb.a", thin: false, "b/twice.o");
        string lldCache = dir.File("lld-cache");

        CommandResult first = build.LinkWith(Toolchain.Distributor, "one", new[] { "one.o", "liba.a" }, cache);
        CommandResult second = build.LinkWith(Toolchain.Distributor, "two", new[] { "two.o", "libb.a" }, cache);
        CommandResult third = build.LinkWith(Toolchain.Distributor, "three", new[] { "two.o", "b/twice.o" }, cache);
        int lldFirst = LldCache.Compiles(dir.Path, Toolchain.Clang, lldCache, "-O2", "-o", "one-inprocess", "one.o", "liba.a");
        int lldSecond = LldCache.Compiles(dir.Path, Toolchain.Clang, lldCache, "-O2", "-o", "two-inprocess", "two.o", "libb.a");

        ThinLtoBuild.Expect(first, "first link");
        Assert.AreEqual((2, 0, 0, 2), CacheCounts.Of(first.StandardError));
        Assert.AreEqual((2, 1, 1, 1), CacheCounts.Of(second.StandardError), "libb.a(twice.o) is liba.a(twice.o) by content: " + second.StandardError);
        Assert.AreEqual((2, 2, 2, 0), CacheCounts.Of(third.StandardError), "and so is b/twice.o outside an archive");
        Assert.AreEqual((2, 1), (lldFirst, lldSecond), "lld's own cache compiles the same");
        Assert.AreEqual("42\n", build.Run("one").StandardOutput);
        Assert.AreEqual("8\n", build.Run("two").StandardOutput);
        Assert.AreEqual("8\n", build.Run("three").StandardOutput);
    }

    [TestMethod]
    public void AChangedSampleProfileCompilesEveryJobAgain()
    {
        using var dir = new TestDirectory();
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        const string profile = "-fprofile-sample-use=prof.txt";
        dir.Write("prof.txt", "main:100:1\n 1: 10\n");

        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", objects, profile, cache);
        CommandResult same = build.LinkWith(Toolchain.Distributor, "app", objects, profile, cache);
        dir.Write("prof.txt", "fib:5000:50\n 1: 500\n 2: 4000\n");
        CommandResult changed = build.LinkWith(Toolchain.Distributor, "app", objects, profile, cache);

        ThinLtoBuild.Expect(first, "first link");
        Assert.AreEqual((0, 0, 5), Summary(first));
        Assert.AreEqual((5, 5, 0), Summary(same));
        Assert.AreEqual((0, 0, 5), Summary(changed), "the profile is an input of every job: " + changed.StandardError);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void ArchiveMembersComeFromTheCacheWhateverTheirPlaceInTheArchive()
    {
        using var dir = new TestDirectory();
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");
        string lldCache = dir.File("lld-cache");
        (ThinLtoBuild build, _) = ThinLtoBuild.CompileCProgram(dir);
        build.Archive("libmath.a", thin: false, "squares.o", "square.o");
        build.Archive("libmisc.a", thin: false, "fib.o", "greeting.o");
        string[] inputs = { "main.o", "libmath.a", "libmisc.a" };

        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", inputs, cache);
        CommandResult second = build.LinkWith(Toolchain.Distributor, "app", inputs, cache);
        Assert.AreEqual(5, LldCache.Compiles(dir.Path, Toolchain.ClangXX, lldCache, inputs.Concat(new[] { "-O2", "-o", "inprocess" }).ToArray()));
        // squares.o grows, so square.o, after it in libmath.a, moves to another offset.
        dir.Write("squares.c", """
            int square(int x);
            int table[40] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
            int sum_squares(int n) { int s = table[39]; for (int i = 1; i <= n; i++) s += square(i); return s; }
            """);
        long before = new FileInfo(dir.File("squares.o")).Length;
        build.Compile("squares.c");
        Assert.AreNotEqual(before, new FileInfo(dir.File("squares.o")).Length, "the member changed size");
        File.Delete(dir.File("libmath.a"));
        build.Archive("libmath.a", thin: false, "squares.o", "square.o");
        CommandResult third = build.LinkWith(Toolchain.Distributor, "app", inputs, cache);
        int lldCompiled = LldCache.Compiles(dir.Path, Toolchain.ClangXX, lldCache, inputs.Concat(new[] { "-O2", "-o", "inprocess" }).ToArray());

        ThinLtoBuild.Expect(first, "first link");
        Assert.AreEqual((0, 0, 5), Summary(first));
        Assert.AreEqual((5, 5, 0), Summary(second), "lld names each member after its own process id, which is not in the key: " + second.StandardError);
        foreach (string member in new[] { "libmath.a(squares.o)", "libmath.a(square.o)", "libmisc.a(fib.o)", "libmisc.a(greeting.o)" })
            StringAssert.Contains(second.StandardError, member, "members are named by their archive and their name");
        Assert.IsFalse(second.StandardError.Contains(" at "), "without lld's offsets and process ids: " + second.StandardError);
        (int hits, int local, int compiled) = Summary(third);
        Assert.AreEqual(lldCompiled, compiled, $"lld's own cache compiled {lldCompiled}: {third.StandardError}");
        Assert.IsTrue(compiled is >= 1 and < 5, third.StandardError);
        Assert.AreEqual((5 - compiled, 5 - compiled), (hits, local));
        StringAssert.Matches(third.StandardError, new Regex(@"from a cache: .*libmath\.a\(square\.o\)"), "the moved member is among the hits");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
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
