using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// The backend cache through the SDK, with real clang-22/lld-22: relinks compile only the jobs
/// whose inputs changed (no more than lld's own cache would), another checkout compiles nothing,
/// damaged entries never reach a program, concurrent builds share one cache, and a cache that
/// cannot be written costs a warning, not the build.
/// </summary>
[TestClass]
public sealed class SdkBackendCacheTests
{

    private static void AssertBuilt(CommandResult build) => Assert.AreEqual(0, build.ExitCode, build.ToString());

    /// <summary>Jobs, hits, local hits and compiles from the build's summary line.</summary>
    private static (int Jobs, int Hits, int Local, int Compiled) Counts(CommandResult build) => CacheCounts.Of(build.StandardOutput);

    /// <summary>Lines matching a pattern in the build's log, not in the summary of warnings MSBuild repeats at its end.</summary>
    private static int Warnings(CommandResult build, string pattern)
    {
        string output = build.StandardOutput;
        int end = output.IndexOf("\nBuild succeeded.", StringComparison.Ordinal);
        return Regex.Matches(end < 0 ? output : output.Substring(0, end), pattern).Count;
    }

    private static string[] Entries(string cache) =>
        Directory.Exists(Path.Combine(cache, "backend")) ? Directory.GetFiles(Path.Combine(cache, "backend"), "*", SearchOption.AllDirectories) : Array.Empty<string>();

    private static void AssertRuns(NativeWorkspace workspace, string expected = SamplePrograms.AppOutput)
    {
        CommandResult run = Command.Run(workspace.Path, workspace.File("app/bin/Release/app"));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual(expected, run.StandardOutput);
    }

    /// <summary>Links the workspace's bitcode in-process with lld's own cache; returns how many backend compiles lld ran.</summary>
    private static int LldCacheMisses(NativeWorkspace workspace, string lldCache)
    {
        string[] objects = Directory.GetFiles(workspace.File("app/obj/Release"), "*.o").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        return LldCache.Compiles(workspace.Path, Toolchain.ClangXX, lldCache, new[] { "-O2", "-o", workspace.File("inprocess") }.Concat(objects).Append(workspace.File("lib/bin/Release/lib.a")).ToArray());
    }

    [TestMethod]
    public void ARelinkAfterOneModuleChangesCompilesNoMoreThanLldsOwnCache()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteAppWithLibrary(workspace);
        string lldCache = workspace.File("lld-cache");
        CommandResult first = workspace.Build(project, "-c", "Release");
        AssertBuilt(first);
        Assert.AreEqual((4, 0, 0, 4), Counts(first), "main, greet, numbers and the library's scale.o");
        Assert.AreEqual(4, LldCacheMisses(workspace, lldCache));

        string numbers = workspace.File("app/numbers.c");
        File.WriteAllText(numbers, File.ReadAllText(numbers).Replace("int a = 0, b = 1;", "int a = 0, b = 1; if (n < 0) return -1;"));
        File.SetLastWriteTimeUtc(numbers, DateTime.UtcNow.AddSeconds(2));
        CommandResult second = workspace.Build(project, "-c", "Release");

        AssertBuilt(second);
        int lldCompiled = LldCacheMisses(workspace, lldCache);
        (int jobs, int hits, int local, int compiled) = Counts(second);
        Assert.AreEqual(4, jobs);
        Assert.AreEqual(lldCompiled, compiled, $"lld's cache compiled {lldCompiled}: " + second.StandardOutput);
        Assert.IsTrue(compiled is >= 1 and < 4, second.StandardOutput);
        Assert.AreEqual(4 - compiled, hits);
        Assert.AreEqual(hits, local);
        StringAssert.Contains(second.StandardOutput, $"4 backend compiles, {hits} of them from the backend cache.", "the hits are served when lld hands the job list over");
        StringAssert.Contains(second.StandardOutput, $"Running {compiled} backend compiles on", "the batch runs only the rest");
        AssertRuns(workspace);
    }

    [TestMethod]
    public void ASecondCheckoutAtAnotherPathCompilesNothing()
    {
        using var cacheFolder = new TestDirectory();
        string cache = cacheFolder.File("shared");
        using var one = new NativeWorkspace("-one");
        using var two = new NativeWorkspace("-two-at-a-longer-path");

        CommandResult first = one.Build(SamplePrograms.WriteAppWithLibrary(one), "-c", "Release", "-p:DtltoCacheDirectory=" + cache);
        CommandResult second = two.Build(SamplePrograms.WriteAppWithLibrary(two), "-c", "Release", "-p:DtltoCacheDirectory=" + cache);

        AssertBuilt(first);
        AssertBuilt(second);
        Assert.AreEqual((4, 0, 0, 4), Counts(first));
        Assert.AreEqual((4, 4, 4, 0), Counts(second), second.StandardOutput);
        Assert.IsFalse(second.StandardOutput.Contains("Running 4 backend compiles"), "every module came from the cache: no batch ran");
        Assert.AreEqual(4, Entries(cache).Length);
        AssertRuns(two);
    }

    [TestMethod]
    public void SplitModeLinksShareResultsButNotWithLinksThatCompiledWithOtherOptions()
    {
        using var cacheFolder = new TestDirectory();
        string cache = cacheFolder.File("shared");
        using var integrated = new NativeWorkspace("-integrated");
        using var split = new NativeWorkspace("-split");
        using var splitAgain = new NativeWorkspace("-split-again");

        CommandResult first = integrated.Build(SamplePrograms.WriteApp(integrated), "-c", "Release", "-p:DtltoCacheDirectory=" + cache, "-p:DtltoMode=Integrated");
        CommandResult second = split.Build(SamplePrograms.WriteApp(split), "-c", "Release", "-p:DtltoCacheDirectory=" + cache, "-p:DtltoMode=Split");
        CommandResult third = splitAgain.Build(SamplePrograms.WriteApp(splitAgain), "-c", "Release", "-p:DtltoCacheDirectory=" + cache, "-p:DtltoMode=Split");

        AssertBuilt(first);
        AssertBuilt(second);
        AssertBuilt(third);
        // The index shards are the same, but lld gives its backend compiles options (-faddrsig, -fpic)
        // that a split link's compiles do not have: their objects differ, and so do their keys.
        Assert.AreEqual((3, 0, 0, 3), Counts(second), second.StandardOutput);
        Assert.AreEqual((3, 3, 3, 0), Counts(third), third.StandardOutput);
        StringAssert.Contains(first.StandardOutput, "app: DTLTO Integrated, 3 backend jobs, 3 compiled here, ");
        StringAssert.Contains(third.StandardOutput, $"app: DTLTO Split, 3 backend jobs, 3 from the local cache ({cache}), ");
        Assert.AreEqual(6, Entries(cache).Length);
        AssertRuns(splitAgain);
    }

    [TestMethod]
    public void ADamagedEntryIsCompiledAgainAndNeverReachesTheProgram()
    {
        using var workspace = new NativeWorkspace();
        string cache = workspace.File("cache");
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + cache));
        string[] entries = Entries(cache);
        Assert.AreEqual(3, entries.Length);
        // One bit of each object's code flipped, as a failing disk would; the sizes stay the same.
        foreach (string entry in entries)
        {
            byte[] bytes = File.ReadAllBytes(entry);
            bytes[bytes.Length - 200] ^= 0x10;
            File.WriteAllBytes(entry, bytes);
        }

        CommandResult rebuild = workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache);

        AssertBuilt(rebuild);
        Assert.AreEqual((3, 0, 0, 3), Counts(rebuild), rebuild.StandardOutput);
        Assert.AreEqual(3, Warnings(rebuild, @"warning DTLTO3111: the cached result of \S+ in .* was damaged"), rebuild.StandardOutput);
        StringAssert.Contains(rebuild.StandardOutput, "3 damaged entries discarded");
        AssertRuns(workspace);
        CommandResult again = workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache);
        Assert.AreEqual((3, 3, 3, 0), Counts(again), "the damaged entries were replaced: " + again.StandardOutput);
        AssertRuns(workspace);
    }

    [TestMethod]
    public void TwoBuildsSharingAnEmptyCacheAtOnceBothSucceedAndLeaveWholeEntries()
    {
        using var cacheFolder = new TestDirectory();
        string cache = cacheFolder.File("shared");
        using var one = new NativeWorkspace("-one");
        using var two = new NativeWorkspace("-two");
        string projectOne = SamplePrograms.WriteApp(one);
        string projectTwo = SamplePrograms.WriteApp(two);

        Task<CommandResult> first = Task.Run(() => one.Build(projectOne, "-c", "Release", "-p:DtltoCacheDirectory=" + cache));
        Task<CommandResult> second = Task.Run(() => two.Build(projectTwo, "-c", "Release", "-p:DtltoCacheDirectory=" + cache));
        Task.WaitAll(first, second);

        AssertBuilt(first.Result);
        AssertBuilt(second.Result);
        AssertRuns(one);
        AssertRuns(two);
        Assert.AreEqual(3, Entries(cache).Length, string.Join("\n", Entries(cache)));
        using var three = new NativeWorkspace("-three");
        CommandResult third = three.Build(SamplePrograms.WriteApp(three), "-c", "Release", "-p:DtltoCacheDirectory=" + cache);
        Assert.AreEqual((3, 3, 3, 0), Counts(third), third.StandardOutput);
        AssertRuns(three);
    }

    [TestMethod]
    public void EachKindOfCacheWarningHasItsOwnCode()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler-arg=-ftime-trace</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        string open = Directory.CreateDirectory(workspace.File("open-cache")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + open);

        AssertBuilt(build);
        Assert.AreEqual(1, Warnings(build, @"warning DTLTO3112: the backend cache folder \S+ can be written by other users"), build.StandardOutput);
        Assert.AreEqual(1, Warnings(build, @"warning DTLTO3113: backend compiles of this link are not cached: -ftime-trace"), build.StandardOutput);
        Assert.AreEqual(0, Warnings(build, "DTLTO3109"), "the cache could be written: " + build.StandardOutput);
        AssertRuns(workspace);
    }

    [TestMethod]
    public void AFullCacheDiskCostsOneWarningAndTheBuildWorks()
    {
        using var workspace = new NativeWorkspace();
        using var disk = new SmallFileSystem(workspace.File("small-disk"), "4k");
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + disk.Path);

        AssertBuilt(build);
        Assert.AreEqual(1, Warnings(build, @"warning DTLTO3109: the backend cache in \S+ cannot be written \(No space left on device"), build.StandardOutput);
        Assert.AreEqual((3, 0, 0, 3), Counts(build));
        Assert.IsFalse(Entries(disk.Path).Any(e => e.EndsWith(".tmp", StringComparison.Ordinal)), "no temporary is left on the full disk");
        AssertRuns(workspace);
    }

    [TestMethod]
    public void AReadOnlyCacheCostsOneWarningAndTheBuildWorks()
    {
        using var workspace = new NativeWorkspace();
        using var disk = new SmallFileSystem(workspace.File("read-only"), "1m", readOnly: true);
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + disk.Path);

        AssertBuilt(build);
        Assert.AreEqual(1, Warnings(build, @"warning DTLTO3109: the backend cache in \S+ cannot be written \(.*[Rr]ead-only file system"), build.StandardOutput);
        AssertRuns(workspace);
    }

    [TestMethod]
    public void DtltoCacheFalseNeitherUsesNorFillsTheCache()
    {
        using var workspace = new NativeWorkspace();
        string cache = workspace.File("cache");
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + cache));

        CommandResult off = workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache, "-p:DtltoCache=false");

        AssertBuilt(off);
        StringAssert.Contains(off.StandardOutput, "3 backend jobs");
        StringAssert.Contains(off.StandardOutput, " 0 cache hits;");
        Assert.AreEqual(3, Entries(cache).Length);
        AssertRuns(workspace);
    }

    [TestMethod]
    public void ACacheSizeThatIsNotOneIsAnError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoCacheMaxSize=lots");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3108: DtltoCacheMaxSize: 'lots' is not a size (e.g. 10G, 500M or a number of bytes)");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no program is left behind");
    }

    [TestMethod]
    public void TheTraceMarksJobsServedFromTheCache()
    {
        using var workspace = new NativeWorkspace();
        string cache = workspace.File("cache");
        string trace = workspace.File("trace.json");
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + cache));

        AssertBuilt(workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache, "-p:DtltoTraceFile=" + trace));

        Assert.AreEqual(3, Regex.Matches(File.ReadAllText(trace), "\"ran\":\\s*\"local cache\"").Count, File.ReadAllText(trace));
    }
}
