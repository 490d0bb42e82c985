using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>Real clang-22/lld-22 links whose backend compiles run through dtlto-distributor.</summary>
[TestClass]
public sealed class DistributorLinkTests
{
    private const string Verbose = "-Xthinlto-distributor=--verbose";

    [TestMethod]
    public void LinksAMultiModuleCProgram()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, Verbose);

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "5 backend jobs, 2 workers");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.native.o"), "lld removes the distributor's objects after the link");
    }

    [TestMethod]
    public void LinksAMultiModuleCppProgramWithCrossModuleInlining()
    {
        using var dir = new TestDirectory();
        dir.Write("shape.h", """
            struct Shape { virtual ~Shape() = default; virtual int area() const = 0; };
            Shape *make_square(int side);
            extern "C" int twice(int x);
            """);
        dir.Write("main.cpp", """
            #include <cstdio>
            #include <memory>
            #include "shape.h"
            int main() {
              std::unique_ptr<Shape> s(make_square(7));
              std::printf("area=%d twice=%d\n", s->area(), twice(21));
            }
            """);
        dir.Write("square.cpp", """
            #include "shape.h"
            namespace { struct Square : Shape { int side; explicit Square(int s) : side(s) {} int area() const override { return side * side; } }; }
            Shape *make_square(int side) { return new Square(side); }
            """);
        dir.Write("twice.cpp", "extern \"C\" int twice(int x) { return 2 * x; }\n");
        var build = new ThinLtoBuild(dir.Path);
        string[] objects = build.Compile("main.cpp", "square.cpp", "twice.cpp");

        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects), "link");

        Assert.AreEqual("area=49 twice=42\n", build.Run("app").StandardOutput);
        CommandResult main = Command.Run(dir.Path, Toolchain.LlvmObjdump, "-d", "--no-show-raw-insn", "--disassemble-symbols=main", "app");
        ThinLtoBuild.Expect(main, "objdump");
        StringAssert.Contains(main.StandardOutput, "<main>:");
        Assert.IsFalse(main.StandardOutput.Contains("<twice>"), "twice() from another module is inlined into main:\n" + main.StandardOutput);
    }

    [TestMethod]
    public void LinksBitcodeFromAStaticArchiveAndAThinArchive()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, _) = ThinLtoBuild.CompileCProgram(dir);
        build.Archive("libmath.a", thin: false, "squares.o", "square.o");
        build.Archive("libmisc.a", thin: true, "fib.o", "greeting.o");

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", new[] { "main.o", "libmath.a", "libmisc.a" }, Verbose);

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "5 backend jobs");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void LinksInADirectoryWithASpaceAndNonAsciiCharacters()
    {
        using var dir = new TestDirectory(" Ünïcødé (dir) 名前");
        (ThinLtoBuild build, _) = ThinLtoBuild.CompileCProgram(dir);
        // The directory holds the non-ASCII characters: lld 22 garbles non-ASCII archive file
        // names in the module paths it records in index shards (see the README).
        build.Archive("lib math (v2).a", thin: false, "squares.o", "square.o");

        CommandResult link = build.LinkWith(Toolchain.Distributor, "my app", new[] { "main.o", "lib math (v2).a", "fib.o", "greeting.o" }, Verbose);

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "5 backend jobs");
        Assert.AreEqual(CProgram.Output, build.Run("my app").StandardOutput);
    }

    [TestMethod]
    public void ASecondLinkServedFromLldsCacheDoesNotRunTheDistributor()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string log = dir.File("distributor.log");
        string wrapper = Scripts.Write(dir.File("logging-distributor.sh"), $"echo run >> '{log}'\nexec '{Toolchain.Distributor}' \"$@\"\n");

        ThinLtoBuild.Expect(build.LinkWith(wrapper, "app", objects, "-Wl,--thinlto-cache-dir=cache"), "first link");
        File.Delete(dir.File("app"));
        ThinLtoBuild.Expect(build.LinkWith(wrapper, "app", objects, "-Wl,--thinlto-cache-dir=cache"), "second link");

        Assert.HasCount(1, File.ReadAllLines(log), "only the first link runs the distributor");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void AFailingBackendCompileFailsTheLinkWithClangsErrorVisible()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Wl,--thinlto-remote-compiler-arg=--no-such-clang-flag");

        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardError, "unknown argument: '--no-such-clang-flag'");
        StringAssert.Contains(link.StandardError, "dtlto-distributor: error: backend compile of '");
        StringAssert.Contains(link.StandardError, "dtlto-distributor: command: /usr/lib/llvm-22/bin/clang");
        StringAssert.Contains(link.StandardError, "--no-such-clang-flag");
        Assert.IsFalse(File.Exists(dir.File("app")));
    }

    [TestMethod]
    public void HonoursTheJobsOptionPassedThroughClang()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--jobs=1", Verbose);

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "5 backend jobs, 1 workers");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void WritesATimelineAndASummaryAndStartsTheLargestModulesFirst()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--trace=trace.json");
        double linkSeconds = clock.Elapsed.TotalSeconds;

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Matches(link.StandardError, new System.Text.RegularExpressions.Regex(@"dtlto-distributor: 5 backend jobs, 2 workers, 0 cache hits \(0 local, 5 compiled\); CPU \d+\.\d\d s, wall \d+\.\d\d s; slowest: \S+\.o \d"));
        using (var trace = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(dir.File("trace.json"))))
        {
            string[] names = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.GetProperty("ph").GetString() == "X").Select(e => e.GetProperty("name").GetString()!).ToArray();
            CollectionAssert.IsSubsetOf(new[] { "thin link", "backend compiles", "main.o", "fib.o", "greeting.o", "square.o", "squares.o" }, names);
            double thinLink = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Single(e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("name").GetString() == "thin link").GetProperty("dur").GetInt64() / 1e6;
            Assert.IsLessThan(linkSeconds, thinLink, "lld's start, to 1/100 s: the thin link is part of the link");
        }

        // --history, which earlier versions took, is accepted and ignored with a warning.
        CommandResult plan = Command.Run(dir.Path, Toolchain.Distributor, "--dry-run", "--history=durations.json", WriteJobList(dir));
        Assert.AreEqual(0, plan.ExitCode, plan.ToString());
        StringAssert.Contains(plan.StandardError, "dtlto-distributor: warning: --history is ignored: jobs start largest first");
        long[] sizes = plan.StandardOutput.Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Select(line => long.Parse(line.Split('\t')[1])).ToArray();
        Assert.HasCount(5, sizes);
        CollectionAssert.AreEqual(sizes.OrderByDescending(s => s).ToArray(), sizes, "largest first:\n" + plan.StandardOutput);
        Assert.IsGreaterThan(0L, sizes[^1], "each module's bitcode and shard are sized");
        Assert.IsFalse(File.Exists(dir.File("durations.json")));
    }

    /// <summary>A job list of the C program's modules, as lld would write it, for --dry-run.</summary>
    private static string WriteJobList(TestDirectory dir)
    {
        string jobs = string.Join(",", CProgram.Objects.Select(o => $$"""{"args":["{{o}}"],"inputs":["{{o}}","{{o}}.bc"],"outputs":["{{o}}.native.o"]}"""));
        dir.Write("plan.json", $$"""{"common":{"linker_output":"app","args":["clang"],"inputs":[]},"jobs":[{{jobs}}]}""");
        return "plan.json";
    }
}
