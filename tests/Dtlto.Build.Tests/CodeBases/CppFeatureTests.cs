using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.CodeBases;

/// <summary>
/// What C++ brings to a distributed ThinLTO link (COMDATs, inline functions and templates across
/// modules, static initialisers, RTTI, exceptions across modules, -g debug info), through the
/// SDK and through dtlto-distributor, with real clang-22/lld-22: the program runs and prints what
/// in-process lld's link of it prints, and its debug info describes every module.
/// </summary>
[TestClass]
public sealed class CppFeatureTests
{
    /// <summary>Every module has its compile unit in the DWARF, and main's address maps to main.cpp.</summary>
    private static void AssertDebugInfoOfEveryModule(string directory, string program)
    {
        string dwarf = Command.Run(directory, Toolchain.LlvmDwarfdump, "--debug-info", program).StandardOutput;
        foreach (string source in CppProgram.Sources)
            Assert.IsTrue(Regex.IsMatch(dwarf, $@"DW_TAG_compile_unit[^\n]*\n(?:[^\n]*\n)*?\s+DW_AT_name\s+\(""[^""]*{Regex.Escape(source)}""\)"), $"{source} has a compile unit:\n{dwarf}");
        StringAssert.Contains(dwarf, "(\"make_square\")", "functions of other modules are described");

        string symbols = Command.Run(directory, Toolchain.LlvmNm, program).StandardOutput;
        Match main = Regex.Match(symbols, @"^([0-9a-f]+) T main$", RegexOptions.Multiline);
        Assert.IsTrue(main.Success, symbols);
        string place = Command.Run(directory, Toolchain.LlvmSymbolizer, "--obj=" + program, "0x" + main.Groups[1].Value).StandardOutput;
        StringAssert.Contains(place, "main.cpp:", "line tables map main to its source");
    }

    [TestMethod]
    public void CppFeaturesAndDebugInfoSurviveTheSdksDtltoLink()
    {
        using var workspace = new NativeWorkspace();
        CppProgram.Write(workspace.Write, "app/");
        string items = string.Concat(CppProgram.Sources.Select(s => $"<ClCompile Include=\"{s}\" />"));
        string project = workspace.WriteProject("app/app.clangproj", $"""
              <ItemDefinitionGroup><ClCompile><AdditionalOptions>-std=c++17 -g</AdditionalOptions></ClCompile></ItemDefinitionGroup>
              <ItemGroup>{items}</ItemGroup>
            """);

        CommandResult build = workspace.Build(project, "-c", "Release", "-p:DtltoCache=false");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, $"app: {CppProgram.Sources.Length} backend compiles");
        string program = workspace.File("app/bin/Release/app");
        CommandResult run = Command.Run(workspace.Path, program);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual(CppProgram.Output, run.StandardOutput);
        AssertDebugInfoOfEveryModule(workspace.Path, program);
    }

    [TestMethod]
    public void CppFeaturesAndDebugInfoSurviveTheDistributorsLinkAsInProcessLldsDo()
    {
        using var dir = new TestDirectory();
        CppProgram.Write(dir.Write);
        string[] objects = CppProgram.Sources.Select(source =>
        {
            string obj = Path.ChangeExtension(source, ".o");
            ThinLtoBuild.Expect(Command.Run(dir.Path, Toolchain.ClangXX, "-std=c++17", "-g", "-flto=thin", "-O2", "-c", source, "-o", obj), "compile " + source);
            return obj;
        }).ToArray();
        var build = new ThinLtoBuild(dir.Path);

        CommandResult distributed = build.LinkWith(Toolchain.Distributor, "distributed", objects, "-g", "-Xthinlto-distributor=--no-cache");
        ThinLtoBuild.Expect(Command.Run(dir.Path, Toolchain.ClangXX, new[] { "-flto=thin", "-O2", "-g", "-fuse-ld=lld", "-o", "in-process" }.Concat(objects)), "in-process link");

        Assert.AreEqual(0, distributed.ExitCode, distributed.ToString());
        StringAssert.Contains(distributed.All, $"{CppProgram.Sources.Length} backend jobs");
        Assert.AreEqual(CppProgram.Output, build.Run("in-process").StandardOutput, "the program as in-process lld links it");
        Assert.AreEqual(CppProgram.Output, build.Run("distributed").StandardOutput);
        AssertDebugInfoOfEveryModule(dir.Path, dir.File("distributed"));
    }
}
