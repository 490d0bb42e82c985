using System;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// The LLVM 22 toolchain the integration tests drive. It is installed by .ci/run; a machine
/// without it fails the tests rather than skipping them, so a green run always means tested.
/// </summary>
public static class Toolchain
{
    public const string BinDirectory = "/usr/lib/llvm-22/bin";

    /// <summary>
    /// LLVM 19, whose lld has no DTLTO: the toolchain of split mode's tests, installed by .ci/run
    /// like LLVM 22 and required the same way.
    /// </summary>
    public static string Llvm19InstallDir
    {
        get
        {
            const string root = "/usr/lib/llvm-19";
            foreach (string tool in new[] { "clang", "clang++", "ld.lld", "llvm-ar" })
            {
                if (!File.Exists(Path.Combine(root, "bin", tool)))
                    Assert.Fail($"{root}/bin/{tool} is missing: install clang-19, lld-19 and llvm-19 (bash .ci/run does)");
            }

            return root;
        }
    }

    public static string Clang => Require("clang");

    public static string ClangXX => Require("clang++");

    public static string LlvmAr => Require("llvm-ar");

    public static string LlvmObjdump => Require("llvm-objdump");

    public static string LlvmDwarfdump => Require("llvm-dwarfdump");

    public static string LlvmNm => Require("llvm-nm");

    public static string LlvmSymbolizer => Require("llvm-symbolizer");

    /// <summary>
    /// The distributor in its own build output (the ProjectReference builds it), not the copy
    /// beside the tests: that folder's assemblies are resolved against ASP.NET Core, which the
    /// remote tests' server needs and the distributor does not run on.
    /// </summary>
    public static string Distributor
    {
        get
        {
            string tests = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            string configuration = Path.GetFileName(tests);
            string path = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(tests))!, "Dtlto.Build.Distributor", configuration, "dtlto-distributor");
            if (!File.Exists(path))
                Assert.Fail($"dtlto-distributor was not found at {path}");
            return path;
        }
    }

    private static string Require(string tool)
    {
        string path = Path.Combine(BinDirectory, tool);
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing: install clang-22, lld-22 and llvm-22 (bash .ci/run does)");
        return path;
    }
}
