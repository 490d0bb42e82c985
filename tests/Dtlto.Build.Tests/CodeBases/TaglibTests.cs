using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.CodeBases;

/// <summary>
/// TagLib 1.13, a real C++ library (102 sources, 39 more in its CppUnit test suite), from
/// Debian's source package: built through the SDK (samples/taglib) and through the CMake module
/// with Ninja, unchanged, linked through DTLTO with real clang-22/lld-22, and its own 360 tests run.
/// </summary>
[TestClass]
public sealed class TaglibTests
{
    private const string AllTestsPassed = "OK (360)";

    private static int Number(string output, string pattern)
    {
        Match match = Regex.Match(output, pattern);
        Assert.IsTrue(match.Success, $"no '{pattern}' in:\n{output}");
        return int.Parse(match.Groups[1].Value);
    }

    [TestMethod]
    public void TheSdkSampleBuildsTaglibAndItsTestSuitePasses()
    {
        using var workspace = new NativeWorkspace();
        foreach (string file in new[] { "taglib.props", "config/config.h", "config/taglib_config.h", "tag/tag.clangproj", "test_runner/test_runner.clangproj" })
            workspace.Write(file, File.ReadAllText(Path.Combine(TaglibSource.Sample, file)));

        // Where fetch-source.sh puts the tree by default: the projects name it by relative paths.
        Directory.CreateSymbolicLink(workspace.File("source"), TaglibSource.Directory);

        CommandResult build = workspace.Build("test_runner/test_runner.clangproj", "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.IsTrue(Number(build.StandardOutput, @"test_runner: (\d+) backend compiles") >= 100, build.StandardOutput);
        StringAssert.Contains(build.StandardOutput, "Final link of ");
        string[] command = File.ReadAllLines(workspace.File("tag/obj/Release/tstring.o.cmd"));
        CollectionAssert.Contains(command, "../source/taglib/toolkit/tstring.cpp", "clang is given the path relative to the project, so the bitcode is the same in every checkout");
        // From another folder: the tests find their data through TESTS_DIR alone.
        CommandResult run = Command.Run(Path.GetTempPath(), workspace.File("test_runner/bin/Release/test_runner"), Array.Empty<string>(), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.StandardError, AllTestsPassed, "CppUnit says its summary on standard error");
    }

    [TestMethod]
    public void CMakeAndNinjaBuildTaglibAsASharedLibraryThroughTheModuleAndItsTestSuitePasses()
    {
        using var dir = new TestDirectory();
        string distributor = DistributorTool.Install(dir);
        string module = Command.Run(dir.Path, distributor, "--cmake-module").StandardOutput.Trim();

        // TagLib's CMakeLists.txt asks for CMake 3.0 (policies before if(IN_LIST)): the module copes.
        CommandResult configure = Command.Run(dir.Path, "cmake", new[] { "-S", TaglibSource.Directory, "-B", "build", "-G", "Ninja", "-Wno-dev",
            "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=ON", "-DBUILD_TESTING=ON", "-DBUILD_BINDINGS=OFF",
            "-DCMAKE_C_COMPILER=" + Toolchain.Clang, "-DCMAKE_CXX_COMPILER=" + Toolchain.ClangXX, "-DCMAKE_PROJECT_INCLUDE=" + module }, TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, configure.ExitCode, configure.ToString());
        CommandResult build = Command.Run(dir.Path, "cmake", new[] { "--build", "build", "--target", "test_runner" }, TimeSpan.FromMinutes(10));

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        // libtag.so (every library source) and the test runner, each linked through the distributor.
        Assert.AreEqual(102, Number(build.StandardOutput, @"Linking CXX shared library taglib/libtag\.so[^\n]*\n(?:[^\n]*\n)*?dtlto-distributor: (\d+) backend jobs"), build.StandardOutput);
        Assert.AreEqual(39, Number(build.StandardOutput, @"Linking CXX executable tests/test_runner\n(?:[^\n]*\n)*?dtlto-distributor: (\d+) backend jobs"), build.StandardOutput);
        CommandResult needed = Command.Run(dir.Path, Toolchain.LlvmObjdump, "-p", dir.File("build/tests/test_runner"));
        StringAssert.Contains(needed.StandardOutput, "libtag.so", "the test runner uses the shared library");
        CommandResult run = Command.Run(dir.File("build"), dir.File("build/tests/test_runner"), Array.Empty<string>(), TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.StandardError, AllTestsPassed, "CppUnit says its summary on standard error");
    }
}
