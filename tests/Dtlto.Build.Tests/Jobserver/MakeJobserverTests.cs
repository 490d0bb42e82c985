using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Jobserver;

/// <summary>
/// dtlto-distributor under GNU make's real jobserver: a `make -j3` build that runs two other
/// jobs beside a DTLTO link never has more than three jobs running at once (sampled from /proc),
/// and the link still uses the tokens that come free.
/// </summary>
[TestClass]
public sealed class MakeJobserverTests
{
    private const int Modules = 12;

    /// <summary>A program of <see cref="Modules"/> + 1 modules compiled to bitcode, and a Makefile that links it through the distributor beside two other jobs.</summary>
    private static (ThinLtoBuild Build, string Makefile) WriteProject(TestDirectory dir, bool recipePassesJobserver)
    {
        var build = new ThinLtoBuild(dir.Path);
        var main = new StringBuilder("#include <stdio.h>\n");
        for (int i = 0; i < Modules; i++)
        {
            dir.Write($"m{i}.c", $"int f{i}(int x) {{ int s = 0; for (int k = 0; k < x; k++) s += k * {i + 1}; return s; }}\n");
            main.Append($"int f{i}(int);\n");
        }

        main.Append("int main(void) { int s = 0;\n");
        for (int i = 0; i < Modules; i++)
            main.Append($"  s += f{i}(10);\n");
        main.Append("  printf(\"%d\\n\", s); return 0; }\n");
        dir.Write("main.c", main.ToString());
        string[] objects = build.Compile(Enumerable.Range(0, Modules).Select(i => $"m{i}.c").Append("main.c").ToArray());
        // Every backend compile takes at least 0.4 s, so that compiles overlap the other jobs and each other.
        string slow = Scripts.Write(dir.File("slow-clang.sh"), "sleep 0.4\nexec " + Toolchain.BinDirectory + "/clang \"$@\"\n");
        string link = string.Join(" ", new[] { Toolchain.ClangXX, "-flto=thin", "-fuse-ld=lld", "-O2", "-fthinlto-distributor=" + Toolchain.Distributor,
            "-Xthinlto-distributor=--jobs=8", "-Xthinlto-distributor=--no-cache", "-Wl,--thinlto-remote-compiler=" + slow }.Concat(objects).Concat(new[] { "-o", "app" }));
        // '+' marks the recipe as one make passes its jobserver to.
        string marker = recipePassesJobserver ? "+" : "";
        return (build, dir.Write("Makefile", $"all: app other-1 other-2\n\napp:\n\t{marker}{link}\n\nother-1 other-2:\n\tsleep 2.01\n\n.PHONY: all app other-1 other-2\n"));
    }

    private static string ProgramOutput => Enumerable.Range(0, Modules).Sum(i => 45 * (i + 1)) + "\n";

    [TestMethod]
    public void AMakeBuildUnderJ3NeverRunsMoreThanThreeJobsWhileTheDistributorRuns()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, _) = WriteProject(dir, recipePassesJobserver: true);

        int mostJobs = 0, mostCompiles = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                int others = ProcessTable.Mentioning("sleep 2.01").Length;
                int compiles = ProcessTable.Mentioning("-fthinlto-index=").Count(p => !p.Contains(" -cc1 "));
                mostCompiles = Math.Max(mostCompiles, compiles);
                // The link's own recipe is one job, whether or not a compile runs in it.
                mostJobs = Math.Max(mostJobs, others + Math.Max(1, compiles));
                Thread.Sleep(20);
            }
        });
        sampler.Start();
        CommandResult made = Command.Run(dir.Path, "make", new[] { "-j3" }, TimeSpan.FromMinutes(2));
        stop.Cancel();
        sampler.Join();

        Assert.AreEqual(0, made.ExitCode, made.ToString());
        Assert.IsTrue(mostJobs <= 3, $"at most 3 jobs at once under make -j3, but {mostJobs} ran: {made}");
        Assert.IsTrue(mostCompiles >= 2, $"the link used the tokens that came free when the other jobs ended (most compiles at once: {mostCompiles})");
        Assert.AreEqual(ProgramOutput, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public void ARecipeMakeDidNotPassTheJobserverToWarnsAndLinksUnderJobs()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, _) = WriteProject(dir, recipePassesJobserver: false);

        CommandResult made = Command.Run(dir.Path, "make", new[] { "-j3" }, TimeSpan.FromMinutes(1));

        Assert.AreEqual(0, made.ExitCode, made.ToString());
        StringAssert.Contains(made.StandardError, "are not the jobserver's pipe in this process", made.ToString());
        Assert.AreEqual(ProgramOutput, build.Run("app").StandardOutput);
    }
}
