using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// `dotnet build` of native projects through the packed SDK, with real clang-22 and lld-22; every
/// program built is run.
/// </summary>
[TestClass]
public sealed class SdkLinkTests
{
    private static void AssertBuilt(CommandResult build) => Assert.AreEqual(0, build.ExitCode, build.ToString());

    /// <summary>The DtltoBackendJob items the thin link's task returned (not the same jobs listed again by their shards).</summary>
    private static int CountJobItems(string log)
    {
        string section = NativeWorkspace.TargetSection(log, "DtltoThinLink");
        int byShard = section.IndexOf("_DtltoBackendJobByShard=", System.StringComparison.Ordinal);
        return Regex.Matches(byShard < 0 ? section : section.Substring(0, byShard), @"^\s+JobIndex=\d+\s*$", RegexOptions.Multiline).Count;
    }

    private static bool IsBitcode(string path) => File.ReadAllBytes(path).Take(4).SequenceEqual(new byte[] { (byte)'B', (byte)'C', 0xC0, 0xDE });

    [TestMethod]
    public void ReleaseLinksInThreePhasesWithOneBackendJobPerModule()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(build);
        foreach (string phase in new[] { "DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink" })
            Assert.IsTrue(NativeWorkspace.TargetRan(log, phase), $"{phase} ran");
        Assert.AreEqual(3, CountJobItems(log), "one DtltoBackendJob item per module");
        Assert.IsTrue(IsBitcode(workspace.File("app/obj/Release/main.o")), "Release objects are ThinLTO bitcode");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void DebugCompilesNativeObjectsWithoutLto()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project);

        AssertBuilt(build);
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoThinLink"));
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "_DtltoNativeLink"));
        Assert.IsFalse(IsBitcode(workspace.File("app/obj/Debug/main.o")));
        StringAssert.Contains(File.ReadAllText(workspace.File("app/obj/Debug/main.o.cmd")), "-O0\n-g\n");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Debug/app")).StandardOutput);
    }

    [TestMethod]
    public void DtltoEnabledFalseLinksThinLtoInsideLld()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoEnabled>false</DtltoEnabled>");

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(build);
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoThinLink"));
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "_DtltoNativeLink"));
        Assert.IsTrue(IsBitcode(workspace.File("app/obj/Release/main.o")));
        StringAssert.Contains(File.ReadAllText(workspace.File("app/obj/Release/app.link-options")), "option=-Wl,--thinlto-jobs=all");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void AStaticLibraryProjectReferenceIsLinkedAndItsBitcodeDistributed()
    {
        using var workspace = new NativeWorkspace();
        workspace.Write("lib/shapes.cpp", "#include \"shapes.h\"\nint square_area(int side) { return side * side; }\n");
        workspace.Write("lib/more.cpp", "#include \"shapes.h\"\nint rect_area(int w, int h) { return w * h; }\n");
        workspace.Write("lib/shapes.h", "int square_area(int side);\nint rect_area(int w, int h);\n");
        workspace.WriteProject("lib/shapes.clangproj", """
              <PropertyGroup><ConfigurationType>StaticLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="shapes.cpp" /><ClCompile Include="more.cpp" /></ItemGroup>
            """);
        workspace.Write("app/main.cpp", "#include <cstdio>\n#include \"shapes.h\"\nint main() { std::printf(\"%d %d\\n\", square_area(5), rect_area(2, 3)); }\n");
        string app = workspace.WriteProject("app/app.clangproj", """
              <ItemDefinitionGroup><ClCompile><AdditionalIncludeDirectories>../lib</AdditionalIncludeDirectories></ClCompile></ItemDefinitionGroup>
              <ItemGroup><ClCompile Include="main.cpp" /></ItemGroup>
              <ItemGroup><ProjectReference Include="../lib/shapes.clangproj" /></ItemGroup>
            """);

        // lld's own handling of archive members, not the extraction a cache asks for.
        (CommandResult build, string log) = workspace.BuildWithBinlog(app, "-c", "Release", "-p:DtltoExtractArchives=false");

        AssertBuilt(build);
        Assert.IsTrue(File.Exists(workspace.File("lib/bin/Release/shapes.a")));
        Assert.AreEqual(3, CountJobItems(log), "the archive's two bitcode members are distributed too");
        StringAssert.Contains(NativeWorkspace.TargetSection(log, "DtltoThinLink"), "shapes.a(shapes.o");
        Assert.AreEqual("25 6\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ADynamicLibraryIsLinkedThroughDtltoAndLoadedByTheProgram()
    {
        using var workspace = new NativeWorkspace();
        workspace.Write("lib/plugin.cpp", "extern \"C\" int plugin_answer() { return 42; }\n");
        string lib = workspace.WriteProject("lib/plugin.clangproj", """
              <PropertyGroup><ConfigurationType>DynamicLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="plugin.cpp" /></ItemGroup>
            """);
        workspace.Write("app/main.cpp", "#include <cstdio>\nextern \"C\" int plugin_answer();\nint main() { std::printf(\"answer %d\\n\", plugin_answer()); }\n");
        string app = workspace.WriteProject("app/app.clangproj", """
              <ItemGroup><ClCompile Include="main.cpp" /></ItemGroup>
              <ItemGroup><ProjectReference Include="../lib/plugin.clangproj" /></ItemGroup>
            """);

        (CommandResult libBuild, string libLog) = workspace.BuildWithBinlog(lib, "-c", "Release");
        AssertBuilt(libBuild);
        Assert.IsTrue(NativeWorkspace.TargetRan(libLog, "DtltoFinalLink"), "the shared library's own link is a DTLTO link");
        AssertBuilt(workspace.Build(app, "-c", "Release"));

        string so = workspace.File("lib/bin/Release/plugin.so");
        CommandResult symbols = Command.Run(workspace.Path, Path.Combine(Toolchain.BinDirectory, "llvm-nm"), "-D", "--defined-only", so);
        StringAssert.Contains(symbols.StandardOutput, "plugin_answer");
        Assert.AreEqual("answer 42\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ALinkWithNoBitcodeFinishesInTheThinLinkPhase()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><ClCompile><AdditionalOptions>-fno-lto</AdditionalOptions></ClCompile></ItemDefinitionGroup>
            """);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(build);
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "DtltoThinLink"));
        Assert.AreEqual(0, CountJobItems(log));
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoBackendCompile"));
        StringAssert.Contains(build.StandardOutput, "lld needed no backend compiles");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ALinkServedFromLldsCacheHasNoBackendJobs()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-cache-dir=$(MSBuildProjectDirectory)/lto-cache</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        File.Delete(workspace.File("app/bin/Release/app"));

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(build);
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "DtltoThinLink"), "the link reran");
        Assert.AreEqual(0, CountJobItems(log), "every module came from lld's cache");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ProjectDefaultsComeFromItemDefinitionGroupsAsInAVcxproj()
    {
        using var workspace = new NativeWorkspace(" dir ü");
        workspace.Write("app/main.c", """
            #include <math.h>
            #include <stdio.h>
            #include "config.h"
            int main(void) { printf("%s %d %.1f\n", NAME, LEVEL, sqrt(VALUE)); return 0; }
            """);
        workspace.Write("app/inc dir/config.h", "#define VALUE 16.0\n");
        string project = workspace.WriteProject("app/app.clangproj", """
              <ItemDefinitionGroup>
                <ClCompile>
                  <AdditionalIncludeDirectories>inc dir</AdditionalIncludeDirectories>
                  <PreprocessorDefinitions>LEVEL=3;%(PreprocessorDefinitions)</PreprocessorDefinitions>
                  <AdditionalOptions>-DNAME="\"a b\"" -Wall</AdditionalOptions>
                </ClCompile>
                <Link><AdditionalDependencies>m;%(AdditionalDependencies)</AdditionalDependencies></Link>
              </ItemDefinitionGroup>
              <ItemGroup><ClCompile Include="main.c" /></ItemGroup>
            """);

        AssertBuilt(workspace.Build(project, "-c", "Release"));

        Assert.AreEqual("a b 3 4.0\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
        StringAssert.Contains(File.ReadAllText(workspace.File("app/obj/Release/app.link-options")), "libraries=m");
    }

    [TestMethod]
    public void TheSdkCanBeNamedWithItsVersionInTheProjectInsteadOfGlobalJson()
    {
        using var workspace = new NativeWorkspace();
        workspace.Write("global.json", """{ "sdk": { "version": "10.0.100", "rollForward": "latestFeature" } }""");
        workspace.Write("app/main.c", "#include <stdio.h>\nint main(void) { puts(\"versioned\"); return 0; }\n");
        string project = workspace.Write("app/app.clangproj", $"""
            <Project Sdk="Dtlto.Build.Sdk/{SdkPackage.Version}">
              <ItemGroup><ClCompile Include="main.c" /></ItemGroup>
            </Project>
            """);

        AssertBuilt(workspace.Build(project, "-c", "Release"));

        Assert.AreEqual("versioned\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ALinkWritesItsTimelineAndSummaryAndKeepsModuleDurations()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoTraceFile>$(MSBuildProjectDirectory)/link-trace.json</DtltoTraceFile>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        AssertBuilt(build);
        StringAssert.Matches(build.StandardOutput, new Regex(@"Backend compiles: 3 backend jobs, \d+ workers, 0 cache hits \(0 local, 3 compiled\); CPU \d+\.\d\d s, wall \d+\.\d\d s; slowest: "));
        StringAssert.Contains(build.StandardOutput, "[3/3] ");
        using (var trace = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(workspace.File("app/link-trace.json"))))
        {
            string[] names = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.GetProperty("ph").GetString() == "X").Select(e => e.GetProperty("name").GetString()!).ToArray();
            CollectionAssert.IsSubsetOf(new[] { "thin link", "backend compiles", "final link" }, names);
            Assert.AreEqual(3, names.Count(n => n.EndsWith(".o")), string.Join(", ", names));
        }

        AssertBuilt(workspace.Dotnet("clean", project, "-c", "Release"));
        Assert.IsFalse(File.Exists(workspace.File("app/link-trace.json")), "Clean removes the timeline");
    }
}
