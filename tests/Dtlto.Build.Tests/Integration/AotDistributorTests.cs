using System;
using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>
/// The ahead-of-time compiled distributor the README recommends for standalone use (it starts in
/// milliseconds): published as users publish it, then used for a real link with a trace and a
/// history, which exercise the parts trimming could break.
/// </summary>
[TestClass]
public sealed class AotDistributorTests
{
    [TestMethod]
    public void TheNativeDistributorLinksAProgram()
    {
        using var dir = new TestDirectory();
        string published = dir.File("aot");
        CommandResult publish = Command.Run(
            RepositoryPaths.Root,
            "dotnet",
            new[] { "publish", "src/Dtlto.Build.Distributor", "-c", "Release", "-r", "linux-x64", "-o", published, "-nodeReuse:false", "-v:q" },
            TimeSpan.FromMinutes(5));
        Assert.AreEqual(0, publish.ExitCode, publish.ToString());
        string distributor = Path.Combine(published, "dtlto-distributor");
        Assert.IsFalse(File.Exists(Path.Combine(published, "dtlto-distributor.dll")), "a native executable, not an assembly");

        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        for (int link = 0; link < 2; link++)
        {
            File.Delete(dir.File("app"));
            CommandResult result = build.LinkWith(distributor, "app", objects, "-Xthinlto-distributor=--trace=trace.json");
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            StringAssert.Contains(result.StandardError, "dtlto-distributor: 5 backend jobs");
            Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        }

        StringAssert.Contains(File.ReadAllText(dir.File("trace.json")), "\"traceEvents\"");
    }
}
