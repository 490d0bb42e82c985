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

    /// <summary>CMake wraps the text of its errors; the assertions read it as one line.</summary>
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private static CommandResult Configure(TestDirectory dir, string module, params string[] extra) =>
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
    public void ConfiguringWithoutWhatDtltoNeedsStopsWithOneMessage()
    {
        using var dir = new TestDirectory();
        string module = Path.Combine(RepositoryPaths.Root, "src", "Dtlto.Build.Distributor", "cmake", "Dtlto.cmake");
        WriteProject(dir);

        CommandResult oldLld = Configure(dir, module, "-DCMAKE_C_COMPILER=/usr/lib/llvm-19/bin/clang", "-DCMAKE_CXX_COMPILER=/usr/lib/llvm-19/bin/clang++");
        Directory.Delete(dir.File("build"), recursive: true);
        CommandResult noDistributor = Configure(dir, module, "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX, "-DDTLTO_DISTRIBUTOR=/no/such/dtlto-distributor");

        Assert.AreNotEqual(0, oldLld.ExitCode);
        StringAssert.Contains(Flat(oldLld.StandardError), "Dtlto.cmake: /usr/lib/llvm-19/bin/clang", oldLld.ToString());
        StringAssert.Contains(Flat(oldLld.StandardError), "has no lld with DTLTO");
        Assert.AreNotEqual(0, noDistributor.ExitCode);
        StringAssert.Contains(Flat(noDistributor.StandardError), "Dtlto.cmake: dtlto-distributor not found", noDistributor.ToString());
    }
}
