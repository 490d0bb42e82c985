using System;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.CMake;

/// <summary>
/// Dtlto.cmake on a MinGW-w64 project (clang for x86_64-w64-windows-gnu, cross-compiled here):
/// its links go through ld.lld's MinGW driver, which gets lld-link's DTLTO options through
/// --Xlink. A C++ program with a global constructor and the DLL it imports runs under Wine, and
/// both images are, byte for byte, what in-process ThinLTO links from the same sources.
/// </summary>
[TestClass]
public sealed class CMakeMinGWTests
{
    private static void WriteProject(TestDirectory dir, string bin)
    {
        dir.Write("src/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.20)
            project(mingw C CXX)
            add_library(area SHARED area.cpp)
            add_executable(app main.cpp report.c)
            target_link_libraries(app PRIVATE area)
            """);
        dir.Write("src/area.cpp", "extern \"C\" __declspec(dllexport) int area(int w, int h) { return w * h; }\n");
        dir.Write("src/report.c", "int report(int x) { return x + 1; }\n");
        dir.Write("src/main.cpp", """
            #include <cstdio>
            #include <string>
            extern "C" __declspec(dllimport) int area(int, int);
            extern "C" int report(int);
            static std::string label = "area";
            int main() { std::printf("%s %d\n", label.c_str(), report(area(6, 7))); }
            """);
        dir.Write("mingw.cmake", $"""
            set(CMAKE_SYSTEM_NAME Windows)
            set(CMAKE_SYSTEM_PROCESSOR AMD64)
            set(CMAKE_C_COMPILER {bin}/clang)
            set(CMAKE_CXX_COMPILER {bin}/clang++)
            set(CMAKE_C_COMPILER_TARGET x86_64-w64-windows-gnu)
            set(CMAKE_CXX_COMPILER_TARGET x86_64-w64-windows-gnu)
            set(CMAKE_AR {bin}/llvm-ar)
            set(CMAKE_RANLIB {bin}/llvm-ranlib)
            set(CMAKE_RC_COMPILER {bin}/llvm-rc)
            set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -static -Wl,--no-insert-timestamp")
            set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld -static -Wl,--no-insert-timestamp")
            """);
    }

    [TestMethod]
    public void AMinGWProjectLinksThroughTheDistributorAndRunsUnderWine()
    {
        using var dir = new TestDirectory();
        WriteProject(dir, Toolchain.BinDirectory);
        string cache = dir.File("backend-cache");

        CommandResult configure = CMakeModuleTests.Configure(dir, CMakeModuleTests.SourceModule, "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("mingw.cmake"),
            "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor, "-DDTLTO_DISTRIBUTOR_OPTIONS=--cache-dir=" + cache);
        Assert.AreEqual(0, configure.ExitCode, configure.ToString());
        CommandResult build = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--verbose" }, TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "--Xlink=/thinlto-distributor:" + Toolchain.Distributor);
        Assert.AreEqual(3, Directory.EnumerateFiles(Path.Combine(cache, "backend"), "*", SearchOption.AllDirectories).Count(), "the distributor compiled the DLL's module and the program's two");
        Assert.IsTrue(File.Exists(dir.File("build/libarea.dll.a")), "CMake's import library of the DLL");
        CommandResult run = Wine.Run(dir.File("build"), dir.File("build/app.exe"));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual("area 43\n", run.StandardOutput.Replace("\r\n", "\n"));

        // The same project with ThinLTO inside lld: no module, the flags by hand.
        CommandResult inProcess = Command.Run(dir.Path, "cmake", new[] { "-S", "src", "-B", "in-process", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("mingw.cmake"), "-DCMAKE_C_FLAGS=-flto=thin", "-DCMAKE_CXX_FLAGS=-flto=thin",
            "-DCMAKE_EXE_LINKER_FLAGS=-flto=thin -fuse-ld=lld -static -Wl,--no-insert-timestamp", "-DCMAKE_SHARED_LINKER_FLAGS=-flto=thin -fuse-ld=lld -static -Wl,--no-insert-timestamp" }, TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, inProcess.ExitCode, inProcess.ToString());
        CommandResult inProcessBuild = Command.Run(dir.Path, "cmake", new[] { "--build", "in-process" }, TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, inProcessBuild.ExitCode, inProcessBuild.ToString());
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("in-process/app.exe")), File.ReadAllBytes(dir.File("build/app.exe")), "the program is in-process ThinLTO's, byte for byte");
        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("in-process/libarea.dll")), File.ReadAllBytes(dir.File("build/libarea.dll")), "so is the DLL");
    }

    [TestMethod]
    public void AMinGWToolchainWhoseLldHasNoDtltoStopsAtConfigure()
    {
        using var dir = new TestDirectory();
        WriteProject(dir, "/usr/lib/llvm-19/bin");

        CommandResult configure = CMakeModuleTests.Configure(dir, CMakeModuleTests.SourceModule, "-DCMAKE_TOOLCHAIN_FILE=" + dir.File("mingw.cmake"), "-DDTLTO_DISTRIBUTOR=" + Toolchain.Distributor);

        Assert.AreNotEqual(0, configure.ExitCode);
        StringAssert.Contains(CMakeModuleTests.Flat(configure.StandardError), "builds for x86_64-w64-windows-gnu, and its lld", configure.ToString());
        StringAssert.Contains(CMakeModuleTests.Flat(configure.StandardError), "has no DTLTO for MinGW links");
    }
}
