using System;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.CMake;

/// <summary>
/// Dtlto.cmake from the installed tool, added to a CMake project (an executable and a shared
/// library) on the configure line only, built with Ninja and real clang-22/lld-22.
/// </summary>
[TestClass]
public sealed class CMakeModuleTests
{
    private static void WriteProject(TestDirectory dir)
    {
        dir.Write("src/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.20)
            project(shapes C CXX)
            add_library(area SHARED area.cpp)
            add_executable(app main.cpp report.c)
            target_link_libraries(app PRIVATE area)
            """);
        dir.Write("src/area.cpp", "extern \"C\" int area(int w, int h) { return w * h; }\n");
        dir.Write("src/report.c", "int report(int x) { return x + 1; }\n");
        dir.Write("src/main.cpp", """
            #include <cstdio>
            extern "C" int area(int, int);
            extern "C" int report(int);
            int main() { std::printf("area %d\n", report(area(6, 7))); }
            """);
    }

    /// <summary>The module as it is in the source tree (the installed tool's copy is the same file).</summary>
    internal static string SourceModule => Path.Combine(RepositoryPaths.Root, "src", "Dtlto.Build.Distributor", "cmake", "Dtlto.cmake");

    /// <summary>CMake wraps the text of its errors; the assertions read it as one line.</summary>
    internal static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    internal static CommandResult Configure(TestDirectory dir, string module, params string[] extra) =>
        Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "build", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DCMAKE_PROJECT_INCLUDE=" + module }.Concat(extra), TimeSpan.FromMinutes(2));

    [TestMethod]
    public void AProjectConfiguredWithTheModuleLinksThroughDtltoAndRuns()
    {
        using var dir = new TestDirectory();
        string distributor = DistributorTool.Install(dir);
        string module = Command.Run(dir.Path, distributor, "--cmake-module").StandardOutput.Trim();
        Assert.IsTrue(File.Exists(module), "dtlto-distributor --cmake-module names the installed module: " + module);
        WriteProject(dir);

        CommandResult configure = Configure(dir, module, "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX,
            "-DDTLTO_JOBS=2", "-DDTLTO_DISTRIBUTOR_OPTIONS=--verbose");
        Assert.AreEqual(0, configure.ExitCode, configure.ToString());
        StringAssert.Contains(configure.StandardOutput, "DTLTO: links through " + distributor, "found beside the module's tool install");
        CommandResult build = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--verbose" }, TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "-flto=thin");
        StringAssert.Contains(build.StandardOutput, "-fthinlto-distributor=" + distributor);
        StringAssert.Contains(build.StandardOutput, "-Xthinlto-distributor=--jobs=2");
        // The shared library (one module) and the program (two) were linked through the distributor.
        StringAssert.Contains(build.StandardOutput, "dtlto-distributor: 1 backend jobs");
        StringAssert.Contains(build.StandardOutput, "dtlto-distributor: 2 backend jobs");
        CommandResult run = Command.Run(dir.Path, dir.File("build/app"));
        Assert.AreEqual("area 43\n", run.StandardOutput, run.ToString());
    }

    [TestMethod]
    public void DtltoConfigurationsLeavesTheOtherConfigurationsOfAMultiConfigBuildWithoutLto()
    {
        using var dir = new TestDirectory();
        WriteProject(dir);

        CommandResult configure = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "build", "-G", "Ninja Multi-Config",
            "-DCMAKE_PROJECT_INCLUDE=" + SourceModule, "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX,
            "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor, "-DDTLTO_CONFIGURATIONS=Release;RelWithDebInfo" }, TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, configure.ExitCode, configure.ToString());
        CommandResult debug = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--config", "Debug", "--verbose" }, TimeSpan.FromMinutes(3));
        CommandResult release = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--config", "Release", "--verbose" }, TimeSpan.FromMinutes(3));

        StringAssert.Contains(configure.StandardOutput, "in Release;RelWithDebInfo");
        Assert.AreEqual(0, debug.ExitCode, debug.ToString());
        Assert.IsFalse(debug.StandardOutput.Contains("-flto") || debug.All.Contains("dtlto-distributor"), debug.StandardOutput);
        Assert.AreEqual(0, release.ExitCode, release.ToString());
        StringAssert.Contains(release.StandardOutput, "-fthinlto-distributor=" + Toolchain.Distributor);
        StringAssert.Contains(release.All, "dtlto-distributor: 2 backend jobs");
        Assert.AreEqual("area 43\n", Command.Run(dir.Path, dir.File("build/Debug/app")).StandardOutput);
        Assert.AreEqual("area 43\n", Command.Run(dir.Path, dir.File("build/Release/app")).StandardOutput);

        // A single-configuration build tree of another configuration says so at configure time.
        CommandResult single = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "debug-build", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug",
            "-DCMAKE_PROJECT_INCLUDE=" + SourceModule, "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX,
            "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor, "-DDTLTO_CONFIGURATIONS=Release" }, TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, single.ExitCode, single.ToString());
        StringAssert.Contains(single.StandardOutput, "DTLTO: CMAKE_BUILD_TYPE 'Debug' is not in DTLTO_CONFIGURATIONS (Release): this build tree links without ThinLTO");
    }

    private static void WriteStaticLibraryProject(TestDirectory dir)
    {
        dir.Write("src/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.20)
            project(stats C)
            add_library(stat STATIC parse.c mean.c)
            add_executable(stats main.c)
            target_link_libraries(stats PRIVATE stat)
            """);
        dir.Write("src/parse.c", "int parse(const char *s) { int v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }\n");
        dir.Write("src/mean.c", "int mean(const int *v, int n) { int s = 0; for (int i = 0; i < n; i++) s += v[i]; return n ? s / n : 0; }\n");
        dir.Write("src/main.c", """
            #include <stdio.h>
            int parse(const char *s);
            int mean(const int *v, int n);
            int main(void) { int v[3] = { parse("10"), parse("20"), parse("33") }; printf("mean %d\n", mean(v, 3)); return 0; }
            """);
    }

    [TestMethod]
    public void AStaticLibrarysMembersComeFromTheCacheAfterACleanInANewBuildTreeAndAfterAnEdit()
    {
        using var dir = new TestDirectory();
        WriteStaticLibraryProject(dir);
        string[] options = { "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor, "-DDTLTO_DISTRIBUTOR_OPTIONS=--cache-dir=" + dir.File("cache") };
        CommandResult Build(string tree, params string[] extra) => Command.Run(dir.Path, "cmake", new[] { "--build", tree }.Concat(extra), TimeSpan.FromMinutes(3));
        string lldCache = dir.File("lld-cache");
        int LldCompiles() => LldCache.Compiles(dir.File("build"), Toolchain.Clang, lldCache, "-O3", "-o", "inprocess", "CMakeFiles/stats.dir/main.c.o", "libstat.a");

        Assert.AreEqual(0, Configure(dir, SourceModule, options).ExitCode);
        CommandResult first = Build("build");
        CommandResult afterClean = Build("build", "--target", "clean");
        afterClean = Build("build");
        CommandResult otherTree = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "other", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PROJECT_INCLUDE=" + SourceModule }.Concat(options), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, otherTree.ExitCode, otherTree.ToString());
        otherTree = Build("other");
        Assert.AreEqual(3, LldCompiles());
        // parse.c grows, so mean.c's member, after it in libstat.a, moves.
        dir.Write("src/parse.c", "int base = 10;\nint parse(const char *s) { int v = 0; if (!s) return -1; while (*s >= '0' && *s <= '9') v = v * base + (*s++ - '0'); return v; }\n");
        CommandResult edited = Build("build");
        int lldCompiled = LldCompiles();

        Assert.AreEqual(0, first.ExitCode, first.ToString());
        Assert.AreEqual((3, 0, 0, 3), CacheCounts.Of(first.StandardOutput));
        Assert.AreEqual(0, afterClean.ExitCode, afterClean.ToString());
        Assert.AreEqual((3, 3, 3, 0), CacheCounts.Of(afterClean.StandardOutput), "after a clean every module is a hit: " + afterClean.StandardOutput);
        StringAssert.Contains(afterClean.StandardOutput, "libstat.a(parse.c.o)", "the members by their names");
        Assert.AreEqual((3, 3, 3, 0), CacheCounts.Of(otherTree.StandardOutput), "and in a new build tree: " + otherTree.StandardOutput);
        Assert.AreEqual(0, edited.ExitCode, edited.ToString());
        (int jobs, int hits, _, int compiled) = CacheCounts.Of(edited.StandardOutput);
        Assert.AreEqual(lldCompiled, compiled, $"lld's own cache compiled {lldCompiled}: {edited.StandardOutput}");
        Assert.AreEqual((3, 3 - compiled), (jobs, hits));
        Assert.IsTrue(compiled is >= 1 and < 3, edited.StandardOutput);
        Assert.AreEqual("mean 21\n", Command.Run(dir.Path, dir.File("build/stats")).StandardOutput);
        Assert.AreEqual("mean 21\n", Command.Run(dir.Path, dir.File("other/stats")).StandardOutput);
    }

    /// <summary>
    /// A Windows project built with clang-cl, cross-compiled here: CMake runs lld-link itself, so
    /// the module gives it lld-link's DTLTO options. The code is freestanding (no CRT, no Windows SDK).
    /// </summary>
    private static void WriteClangClProject(TestDirectory dir, string linker)
    {
        dir.Write("src/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.20)
            project(win C)
            add_library(plugin SHARED plugin.c)
            target_link_options(plugin PRIVATE /noentry)
            add_executable(app main.c helpers.c)
            target_link_libraries(app PRIVATE plugin)
            target_link_options(app PRIVATE /entry:entry /subsystem:console)
            """);
        dir.Write("src/plugin.c", "__declspec(dllexport) int plugin_answer(void) { return 40; }\n");
        dir.Write("src/helpers.c", "int add_one(int x) { return x + 1; }\n");
        dir.Write("src/main.c", """
            int add_one(int x);
            __declspec(dllimport) int plugin_answer(void);
            int entry(void) { return add_one(plugin_answer()) == 41 ? 0 : 1; }
            """);
        string bin = Toolchain.BinDirectory;
        dir.Write("windows.cmake", $"""
            set(CMAKE_SYSTEM_NAME Windows)
            set(CMAKE_SYSTEM_PROCESSOR AMD64)
            set(CMAKE_C_COMPILER {bin}/clang-cl)
            set(CMAKE_C_COMPILER_TARGET x86_64-pc-windows-msvc)
            set(CMAKE_C_COMPILER_WORKS ON)
            set(CMAKE_LINKER {linker})
            set(CMAKE_AR {bin}/llvm-lib)
            set(CMAKE_MT {bin}/llvm-mt)
            set(CMAKE_RC_COMPILER {bin}/llvm-rc)
            set(CMAKE_C_STANDARD_LIBRARIES "" CACHE STRING "")
            set(CMAKE_C_FLAGS_INIT "/GS-")
            set(CMAKE_EXE_LINKER_FLAGS_INIT "/nodefaultlib /timestamp:0")
            set(CMAKE_SHARED_LINKER_FLAGS_INIT "/nodefaultlib /timestamp:0")
            """);
    }

    [TestMethod]
    public void AClangClProjectLinksItsDllAndExeThroughLldLinkAndTheDistributor()
    {
        using var dir = new TestDirectory();
        WriteClangClProject(dir, Path.Combine(Toolchain.BinDirectory, "lld-link"));
        string cache = dir.File("backend-cache");

        CommandResult configure = Configure(dir, SourceModule, "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("windows.cmake"),
            "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor, "-DDTLTO_DISTRIBUTOR_OPTIONS=--cache-dir=" + cache);
        Assert.AreEqual(0, configure.ExitCode, configure.ToString());
        CommandResult build = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--verbose" }, TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "-flto=thin");
        StringAssert.Contains(build.StandardOutput, "/thinlto-distributor:" + Toolchain.Distributor);
        StringAssert.Contains(build.StandardOutput, "/thinlto-remote-compiler:" + Path.Combine(Toolchain.BinDirectory, "clang") + " ", "the clang driver, not clang-cl");
        // CMake's vs_link_* wrappers keep quiet about a linker that succeeded; the backend cache
        // the distributor filled shows it compiled the DLL's module and the program's two.
        Assert.AreEqual(3, Directory.EnumerateFiles(Path.Combine(cache, "backend"), "*", SearchOption.AllDirectories).Count());
        string imports = Command.Run(dir.Path, Path.Combine(Toolchain.BinDirectory, "llvm-readobj"), "--coff-imports", dir.File("build/app.exe")).StandardOutput;
        StringAssert.Contains(imports, "Name: plugin.dll");
        StringAssert.Contains(imports, "Symbol: plugin_answer");
        Assert.AreEqual(0, Wine.Run(dir.File("build"), dir.File("build/app.exe")).ExitCode, "entry() returns 0 when the DLL answered 40");

        // The same project with ThinLTO inside lld-link: no module, the flag by hand.
        CommandResult inProcess = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "in-process", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("windows.cmake"), "-DCMAKE_C_FLAGS=/GS- -flto=thin" }, TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, inProcess.ExitCode, inProcess.ToString());
        CommandResult inProcessBuild = Command.Run(dir.Path, "cmake", new[] { "--build", "in-process" }, TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, inProcessBuild.ExitCode, inProcessBuild.ToString());
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("in-process/app.exe")), File.ReadAllBytes(dir.File("build/app.exe")), "the program is in-process ThinLTO's, byte for byte");
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("in-process/plugin.dll")), File.ReadAllBytes(dir.File("build/plugin.dll")), "so is the DLL");
    }

    [TestMethod]
    public void AClangClProjectWhoseLinkerHasNoDtltoStopsWithOneMessage()
    {
        using var dir = new TestDirectory();
        WriteClangClProject(dir, "/usr/lib/llvm-19/bin/lld-link");

        CommandResult configure = Configure(dir, SourceModule, "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("windows.cmake"), "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor);

        Assert.AreNotEqual(0, configure.ExitCode);
        StringAssert.Contains(Flat(configure.StandardError), "Dtlto.cmake: the linker '/usr/lib/llvm-19/bin/lld-link' has no DTLTO", configure.ToString());
    }

    [TestMethod]
    public void ConfiguringWithoutWhatDtltoNeedsStopsWithOneMessage()
    {
        using var dir = new TestDirectory();
        WriteProject(dir);

        CommandResult oldLld = Configure(dir, SourceModule, "-DCMAKE_C_COMPILER=/usr/lib/llvm-19/bin/clang", "-DCMAKE_CXX_COMPILER=/usr/lib/llvm-19/bin/clang++");
        Directory.Delete(dir.File("build"), recursive: true);
        CommandResult wrongDistributor = Configure(dir, SourceModule, "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX, "-DDTLTO_DISTRIBUTOR=/no/such/dtlto-distributor");
        Directory.Delete(dir.File("build"), recursive: true);
        // Neither on PATH nor in a tool install: the module comes from the source tree, HOME has no tools.
        CommandResult noDistributor = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "build", "-G", "Ninja", "-DCMAKE_PROJECT_INCLUDE=" + SourceModule,
            "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX }, TimeSpan.FromMinutes(2),
            new System.Collections.Generic.Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin", ["HOME"] = dir.Path });

        Assert.AreNotEqual(0, oldLld.ExitCode);
        StringAssert.Contains(Flat(oldLld.StandardError), "Dtlto.cmake: /usr/lib/llvm-19/bin/clang", oldLld.ToString());
        StringAssert.Contains(Flat(oldLld.StandardError), "has no lld with DTLTO");
        Assert.AreNotEqual(0, wrongDistributor.ExitCode);
        StringAssert.Contains(Flat(wrongDistributor.StandardError), "Dtlto.cmake: DTLTO_DISTRIBUTOR is /no/such/dtlto-distributor, which is not a file", wrongDistributor.ToString());
        Assert.AreNotEqual(0, noDistributor.ExitCode);
        StringAssert.Contains(Flat(noDistributor.StandardError), "Dtlto.cmake: dtlto-distributor not found; install it", noDistributor.ToString());
    }
}
