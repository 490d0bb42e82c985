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
/// real clang-22/lld-22 links through dtlto-distributor with the cache on and with a farm: every
/// link leaves every file the compiles write, because such jobs run here and are not cached.
/// </summary>
[TestClass]
public sealed class SideOutputTests
{
    /// <summary>The .dwo files the program's skeleton units name, each checked to exist and to hold its module's functions.</summary>
    private static void AssertDebugInfoComplete(ThinLtoBuild build, TestDirectory dir, string program)
    {
        CommandResult skeleton = Command.Run(dir.Path, Toolchain.LlvmDwarfdump, "--debug-info", program);
        string[] dwos = Regex.Matches(skeleton.StandardOutput, @"DW_AT_dwo_name\s+\(""([^""]+)""\)").Select(m => m.Groups[1].Value).ToArray();
        Assert.HasCount(5, dwos, skeleton.StandardOutput);
        foreach (string dwo in dwos)
            Assert.IsTrue(File.Exists(dir.File(dwo)), $"{dwo}, which the program names, exists");
        string fib = dwos.Single(d => d.StartsWith("fib.", System.StringComparison.Ordinal));
        StringAssert.Contains(Command.Run(dir.Path, Toolchain.LlvmDwarfdump, "--debug-info", fib).StandardOutput, "DW_AT_name\t(\"fib\")");
    }

    [TestMethod]
    public void SplitDwarfLinksLeaveEveryDwoTheProgramNamesWithTheCacheOn()
    {
        using var dir = new TestDirectory();
        CProgram.Write(dir);
        var build = new ThinLtoBuild(dir.Path);
        foreach (string source in CProgram.Sources)
            ThinLtoBuild.Expect(Command.Run(dir.Path, Toolchain.Clang, "-flto=thin", "-O2", "-g", "-c", source, "-o", Path.ChangeExtension(source, ".o")), "compile");
        string[] options = { "-g", "-Wl,--thinlto-remote-compiler-arg=-gsplit-dwarf", "-Xthinlto-distributor=--cache-dir=" + dir.File("cache"), "-Xthinlto-distributor=--verbose" };

        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);
        foreach (string dwo in Directory.GetFiles(dir.Path, "*.dwo"))
            File.Delete(dwo);
        CommandResult second = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects, options);

        ThinLtoBuild.Expect(first, "first link");
        ThinLtoBuild.Expect(second, "second link");
        StringAssert.Contains(second.StandardError, "backend compiles of this link are not cached: -gsplit-dwarf writes a .dwo file beside each object");
        StringAssert.Contains(second.StandardError, "0 cache hits (0 local, 5 compiled");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        AssertDebugInfoComplete(build, dir, "app");
    }

    [TestMethod]
    public async Task SplitDwarfLinksWithAFarmCompileHereAndLeaveEveryDwo()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var dir = new TestDirectory();
        CProgram.Write(dir);
        var build = new ThinLtoBuild(dir.Path);
        foreach (string source in CProgram.Sources)
            ThinLtoBuild.Expect(Command.Run(dir.Path, Toolchain.Clang, "-flto=thin", "-O2", "-g", "-c", source, "-o", Path.ChangeExtension(source, ".o")), "compile");

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", CProgram.Objects,
            RemoteDistributorTests.Remote(server).Concat(new[] { "-g", "-Wl,--thinlto-remote-compiler-arg=-gsplit-dwarf" }).ToArray());

        ThinLtoBuild.Expect(link, "link");
        StringAssert.Contains(link.StandardError, "backend compiles of this link run on this machine: -gsplit-dwarf writes a .dwo file beside each object");
        Assert.IsEmpty(server.State.Executed, "no action went to the farm, which would bring back the object alone");
        AssertDebugInfoComplete(build, dir, "app");
    }

    [TestMethod]
    public void SaveTempsFilesAreWrittenByEveryLink()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string[] options = { "-Wl,--thinlto-remote-compiler-arg=-save-temps=obj", "-Xthinlto-distributor=--cache-dir=" + dir.File("cache") };
        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, options), "first link");
        foreach (string temporary in Directory.GetFiles(dir.Path, "*.s.*.bc"))
            File.Delete(temporary);

        CommandResult second = build.LinkWith(Toolchain.Distributor, "app", objects, options);

        ThinLtoBuild.Expect(second, "second link");
        StringAssert.Contains(second.StandardError, "-save-temps=obj writes the compile's temporary files");
        foreach (string module in new[] { "main", "squares", "square", "fib", "greeting" })
            Assert.IsTrue(File.Exists(dir.File(module + ".s.5.precodegen.bc")), module + "'s temporaries are there after the second link");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
