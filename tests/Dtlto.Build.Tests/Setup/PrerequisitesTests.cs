using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Setup;

/// <summary>
/// eng/install-prerequisites.sh on a machine that has nothing (dpkg-query, apt-get and dotnet are
/// stand-ins that log what they are asked): the sample's set-up asks for LLVM 22 alone and restores
/// nothing; the test suite's asks for everything the tests use and restores the solution.
/// </summary>
[TestClass]
public sealed class PrerequisitesTests
{
    private static string Install(TestDirectory dir, params string[] args)
    {
        string bin = Directory.CreateDirectory(dir.File("bin")).FullName;
        string log = dir.File("asked.log");
        Scripts.Write(Path.Combine(bin, "dpkg-query"), "exit 1\n");
        Scripts.Write(Path.Combine(bin, "apt-get"), $"echo \"apt-get $*\" >> '{log}'\n");
        Scripts.Write(Path.Combine(bin, "dotnet"), $"echo \"dotnet $*\" >> '{log}'\n");
        Scripts.Write(Path.Combine(bin, "sudo"), "exec \"$@\"\n");
        var path = new Dictionary<string, string?> { ["PATH"] = bin + ":/usr/bin:/bin" };
        var arguments = new List<string> { Path.Combine(RepositoryPaths.Root, "eng", "install-prerequisites.sh") };
        arguments.AddRange(args);
        CommandResult run = Command.Run(dir.Path, "/bin/bash", arguments, System.TimeSpan.FromMinutes(1), path);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        return File.ReadAllText(log);
    }

    [TestMethod]
    public void TheSamplesSetUpInstallsLlvm22AloneAndRestoresNothing()
    {
        using var dir = new TestDirectory();

        string asked = Install(dir, "--sample");

        StringAssert.Contains(asked, "apt-get install -y -qq clang-22 lld-22 llvm-22\n");
        Assert.IsFalse(asked.Contains("mono") || asked.Contains("wine") || asked.Contains("clang-19") || asked.Contains("mingw") || asked.Contains("cppunit"), asked);
        Assert.IsFalse(asked.Contains("dotnet restore"), asked);
        StringAssert.Contains(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "build-and-run.sh")), "install-prerequisites.sh\" --sample");
    }

    [TestMethod]
    public void TheTestSuitesSetUpInstallsWhatTheTestsUseAndRestoresTheSolution()
    {
        using var dir = new TestDirectory();

        string asked = Install(dir);

        foreach (string package in new[] { "clang-22", "clang-19", "mono-complete", "cmake", "libcppunit-dev", "wine64", "g++-mingw-w64-x86-64-win32" })
            StringAssert.Contains(asked, package);
        StringAssert.Contains(asked, "dotnet restore Dtlto.Build.sln");
    }
}
