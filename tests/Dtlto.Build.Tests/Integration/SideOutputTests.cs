using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Remote;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>
/// Backend compiles that write more than their object (split DWARF's .dwo, -save-temps files), in
/// real clang-22/lld-22 links through dtlto-distributor: a cache hit and a farm's result bring
/// back every file the compile writes.
/// </summary>
[TestClass]
public sealed class SideOutputTests
{
    private static readonly string[] Modules = { "main", "squares", "square", "fib", "greeting" };

    /// <summary>The .dwo files the program's skeleton units name, each checked to exist and to hold its module's functions.</summary>
    private static void AssertDebugInfoComplete(TestDirectory dir, string program)
    {
        CommandResult skeleton = Command.Run(dir.Path, Toolchain.LlvmDwarfdump, "--debug-info", program);
        string[] dwos = Regex.Matches(skeleton.StandardOutput, @"DW_AT_dwo_name\s+\(""([^""]+)""\)").Select(m => m.Groups[1].Value).ToArray();
        Assert.HasCount(5, dwos, skeleton.StandardOutput);
        foreach (string dwo in dwos)
        {
            StringAssert.StartsWith(dwo, program + "_dwo/", "every link of the program names the same .dwo");
            Assert.IsTrue(File.Exists(dir.File(dwo)), $"{dwo}, which the program names, exists");
        }

        string fib = dwos.Single(d => d.EndsWith("/fib.o.dwo", System.StringComparison.Ordinal));
        StringAssert.Contains(Command.Run(dir.Path, Toolchain.LlvmDwarfdump, "--debug-info", fib).StandardOutput, "DW_AT_name\t(\"fib\")");
    }

    private static bool IsSaveTempsFile(string path) => Regex.IsMatch(Path.GetFileName(path), @"\.s($|\.)");

    private static ThinLtoBuild CompileWithDebugInfo(TestDirectory dir)
    {
        CProgram.Write(dir);
        foreach (string source in CProgram.Sources)
            ThinLtoBuild.Expect(Command.Run(dir.Path, Toolchain.Clang, "-flto=thin", "-O2", "-g", "-c", source, "-o", Path.ChangeExtension(source, ".o")), "compile");
        return new ThinLtoBuild(dir.Path);
    }

    [TestMethod]
    public void ACacheHitBringsBackEveryDwoTheProgramNames()
    {
        using var dir = new TestDirectory();
        ThinLtoBuild build = CompileWithDebugInfo(dir);
        string[] options = { "-g", "-Wl,--thinlto-remote-compiler-arg=-gsplit-dwarf", "-Xthinlto-distributor=--cache-dir=" + dir.File("cache"), "-Xthinlto-distributor=--verbose" };

        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);
        ThinLtoBuild.Expect(first, "first link");
        AssertDebugInfoComplete(dir, "app");
        Directory.Delete(dir.File("app_dwo"), recursive: true);
        CommandResult second = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);

        ThinLtoBuild.Expect(second, "second link");
        StringAssert.Contains(second.StandardError, "5 cache hits (5 local, 0 compiled");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        AssertDebugInfoComplete(dir, "app");
    }

    [TestMethod]
    public async Task AFarmAndItsActionCacheBringBackEveryDwo()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        ThinLtoBuild build = CompileWithDebugInfo(dir);
        string[] options = RemoteDistributorTests.Remote(server).Concat(new[] { "-g", "-Wl,--thinlto-remote-compiler-arg=-gsplit-dwarf", "-Xthinlto-distributor=--verbose" }).ToArray();

        CommandResult cold = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);
        ThinLtoBuild.Expect(cold, "cold link");
        Assert.HasCount(5, server.State.Executed, "every job ran on the farm: " + cold.StandardError);
        AssertDebugInfoComplete(dir, "app");
        Directory.Delete(dir.File("app_dwo"), recursive: true);
        CommandResult warm = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);

        ThinLtoBuild.Expect(warm, "warm link");
        Assert.HasCount(5, server.State.Executed, "the second link was served from the action cache: " + warm.StandardError);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        AssertDebugInfoComplete(dir, "app");
    }

    [TestMethod]
    [DataRow("-save-temps=obj")]
    [DataRow("-save-temps")]
    public void ACacheHitBringsBackEverySaveTempsFile(string option)
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string[] options = { "-Wl,--thinlto-remote-compiler-arg=" + option, "-Xthinlto-distributor=--cache-dir=" + dir.File("cache"), "-Xthinlto-distributor=--verbose" };
        string[] before = Directory.GetFiles(dir.Path);
        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, options), "first link");
        string[] written = Directory.GetFiles(dir.Path).Except(before).Where(IsSaveTempsFile).OrderBy(f => f, System.StringComparer.Ordinal).ToArray();
        Assert.HasCount(Modules.Length * 8, written, "each compile wrote its eight temporaries: " + string.Join(" ", written));
        foreach (string temporary in written)
            File.Delete(temporary);

        CommandResult second = build.LinkWith(Toolchain.Distributor, "app", objects, options);

        ThinLtoBuild.Expect(second, "second link");
        StringAssert.Contains(second.StandardError, "5 cache hits (5 local, 0 compiled");
        CollectionAssert.AreEqual(written, Directory.GetFiles(dir.Path).Where(IsSaveTempsFile).Intersect(written).OrderBy(f => f, System.StringComparer.Ordinal).ToArray(), "the hits brought back every file the compiles wrote");
        Assert.IsTrue(File.Exists(dir.File("fib.s.5.precodegen.bc")));
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
