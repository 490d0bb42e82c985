using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// Split mode: lld writes index files and exits (<c>--thinlto-index-only</c>), the build runs
/// the backend compiles from them and links the native objects in a second lld run. It is what
/// an LLVM without DTLTO (19 here) gets, and what DtltoMode=Split asks of any LLVM.
/// </summary>
[TestClass]
public sealed class SdkSplitModeTests
{
    private static void AssertBuilt(CommandResult build) => Assert.AreEqual(0, build.ExitCode, build.ToString());

    private static string Run(NativeWorkspace workspace, string program = "app/bin/Release/app")
    {
        CommandResult run = Command.Run(workspace.Path, workspace.File(program));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        return run.StandardOutput;
    }

    /// <summary>How many backend jobs the thin link made, as its message says in either mode.</summary>
    internal static int JobCount(string thinLinkSection)
    {
        Match match = Regex.Match(thinLinkSection, @": (\d+) (?:backend compiles\.|modules,)");
        Assert.IsTrue(match.Success, "the thin link says how many jobs it made: " + thinLinkSection);
        return int.Parse(match.Groups[1].Value);
    }

    [TestMethod]
    public void Llvm22InSplitModeLinksAProgramThatPrintsWhatTheIntegratedOnePrints()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteAppWithLibrary(workspace);
        (CommandResult integrated, string integratedLog) = workspace.BuildWithBinlog(project, "-c", "Release");
        AssertBuilt(integrated);
        StringAssert.Contains(integrated.StandardOutput, "DTLTO link mode: Integrated (DtltoMode=Auto, LLVM 22)");
        string integratedOutput = Run(workspace);

        (CommandResult split, string log) = workspace.BuildWithBinlog(project, "-c", "Release", "-p:DtltoMode=Split");

        AssertBuilt(split);
        StringAssert.Contains(split.StandardOutput, "DTLTO link mode: Split (DtltoMode=Split, LLVM 22)");
        Assert.AreEqual(SamplePrograms.AppOutput, integratedOutput);
        Assert.AreEqual(integratedOutput, Run(workspace), "split and integrated programs print the same");
        string thinLink = NativeWorkspace.TargetSection(log, "DtltoThinLink", "app.clangproj");
        StringAssert.Contains(thinLink, "--thinlto-index-only=app.dtlto/modules.txt");
        StringAssert.Contains(thinLink, "--start-lib app.dtlto/archives/");
        Assert.AreEqual(4, JobCount(thinLink), "main, greet, numbers and the one library member the link loads");
        Assert.AreEqual(JobCount(NativeWorkspace.TargetSection(integratedLog, "DtltoThinLink", "app.clangproj")), JobCount(thinLink), "the same modules in both modes");
        StringAssert.Contains(NativeWorkspace.TargetSection(log, "DtltoBackendCompile", "app.clangproj"), "Running 4 backend compiles");
        string finalLink = NativeWorkspace.TargetSection(log, "DtltoFinalLink", "app.clangproj");
        StringAssert.Matches(finalLink, new Regex(@"app\.dtlto/native/main\.o\.native\.o .*--start-lib app\.dtlto/native/app\.dtlto/archives/\d+-lib/scale\.o\.native\.o -Xlinker --end-lib"));
        Assert.IsFalse(finalLink.Contains("offset.o"), "a member the thin link did not load is not linked");
    }

    [TestMethod]
    public void Llvm19WithoutDtltoLinksInSplitModeAndItsProgramRuns()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteAppWithLibrary(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release", "-p:LLVMInstallDir=" + Toolchain.Llvm19InstallDir);

        AssertBuilt(build);
        StringAssert.Contains(build.StandardOutput, "DTLTO link mode: Split (DtltoMode=Auto, LLVM 19)");
        StringAssert.Contains(build.StandardOutput, "app: DTLTO Split (the lld of LLVM 19 has no DTLTO; LLVM 21 or newer links Integrated), 4 backend jobs, 4 compiled here, ");
        foreach (string phase in new[] { "DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink" })
            Assert.IsTrue(NativeWorkspace.TargetRan(log, phase, "app.clangproj"), phase + " ran");
        StringAssert.Contains(NativeWorkspace.TargetSection(log, "DtltoThinLink", "app.clangproj"), "/usr/lib/llvm-19/bin/clang++");
        Assert.AreEqual(SamplePrograms.AppOutput, Run(workspace));
    }

    [TestMethod]
    public void IntegratedModeWithAnLldWithoutDtltoIsACodedErrorAndAnUnknownModeToo()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, $"<LLVMInstallDir>{Toolchain.Llvm19InstallDir}</LLVMInstallDir>");

        CommandResult integrated = workspace.Build(project, "-c", "Release", "-p:DtltoMode=Integrated");
        CommandResult unknown = workspace.Build(project, "-c", "Release", "-p:DtltoMode=Distributed");

        Assert.AreNotEqual(0, integrated.ExitCode);
        StringAssert.Contains(integrated.StandardOutput, "error DTLTO1003: The DTLTO link needs lld 21 or newer, but LLVM 19 at /usr/lib/llvm-19");
        Assert.AreNotEqual(0, unknown.ExitCode);
        StringAssert.Contains(unknown.StandardOutput, "app.clangproj : error DTLTO1006: DtltoMode is 'Distributed'; use Auto, Integrated or Split.");
    }

    [TestMethod]
    public void AChangedModuleRecompilesOnlyTheModulesWhoseIndexShardChanged()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, $"<LLVMInstallDir>{Toolchain.Llvm19InstallDir}</LLVMInstallDir>");
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        string greetShard = workspace.File("app/obj/Release/app.dtlto/index/greet.o.thinlto.bc");
        string greetObject = workspace.File("app/obj/Release/app.dtlto/native/greet.o.native.o");
        DateTime shardWritten = File.GetLastWriteTimeUtc(greetShard);
        DateTime objectWritten = File.GetLastWriteTimeUtc(greetObject);

        (CommandResult unchanged, string unchangedLog) = workspace.BuildWithBinlog(project, "-c", "Release");
        AssertBuilt(unchanged);
        Assert.IsFalse(NativeWorkspace.TargetRan(unchangedLog, "DtltoThinLink"), "nothing changed: the link is up to date");
        Assert.IsFalse(NativeWorkspace.TargetRan(unchangedLog, "DtltoFinalLink"));

        string numbers = workspace.File("app/numbers.c");
        File.WriteAllText(numbers, File.ReadAllText(numbers).Replace("return a * b;", "return a * b + 1;"));
        File.SetLastWriteTimeUtc(numbers, DateTime.UtcNow.AddSeconds(2));
        (CommandResult changed, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(changed);
        string thinLink = NativeWorkspace.TargetSection(log, "DtltoThinLink", "app.clangproj");
        StringAssert.Contains(thinLink, "3 modules, 2 with a new or changed index shard", "numbers.o changed, and main.o imports from it");
        string backend = NativeWorkspace.TargetSection(log, "DtltoBackendCompile", "app.clangproj");
        StringAssert.Contains(backend, "partially");
        StringAssert.Contains(backend, "Running 2 backend compiles");
        Assert.IsFalse(Regex.IsMatch(backend, @"\] [^\n]*greet\.o"), "greet.o's backend compile was skipped: " + backend);
        Assert.AreEqual(shardWritten, File.GetLastWriteTimeUtc(greetShard), "an unchanged shard keeps its time stamp");
        Assert.AreEqual(objectWritten, File.GetLastWriteTimeUtc(greetObject));
        Assert.AreEqual("hello from greet, 6*7=43, fib(20)=6765\n", Run(workspace));
    }

    [TestMethod]
    public void BitcodeInALibraryDependencyCannotBeSplitAndSaysSo()
    {
        using var workspace = new NativeWorkspace();
        workspace.Write("extra/extra.c", "int extra(int x) { return x * 5; }\n");
        CommandResult compile = Command.Run(workspace.Path, Toolchain.Clang, "-flto=thin", "-O2", "-c", workspace.File("extra/extra.c"), "-o", workspace.File("extra/extra.o"));
        Assert.AreEqual(0, compile.ExitCode, compile.ToString());
        CommandResult archive = Command.Run(workspace.Path, Toolchain.LlvmAr, "rcs", workspace.File("extra/libextra.a"), workspace.File("extra/extra.o"));
        Assert.AreEqual(0, archive.ExitCode, archive.ToString());
        string project = SamplePrograms.WriteApp(workspace, "<DtltoMode>Split</DtltoMode>", $"""
              <ItemDefinitionGroup><Link><AdditionalDependencies>{workspace.File("extra/libextra.a")}</AdditionalDependencies></Link></ItemDefinitionGroup>
            """);
        string main = workspace.File("app/main.cpp");
        File.WriteAllText(main, File.ReadAllText(main).Replace("#include \"app.h\"", "#include \"app.h\"\nextern \"C\" int extra(int);\nint (*keep)(int) = extra;"));

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3006: split-mode thin link of");
        StringAssert.Contains(build.StandardOutput, "libextra.a(extra.o");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no program is left behind");
    }
}
