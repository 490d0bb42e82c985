using System;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Jobserver;

/// <summary>
/// dtlto-distributor under GNU make's real jobserver: a `make -j3` build that runs two other
/// jobs beside a DTLTO link never has more than three jobs running at once (each job writes when
/// it began and ended, from inside the time it holds its slot), and the link still uses the
/// tokens that come free.
/// </summary>
[TestClass]
public sealed class MakeJobserverTests
{
    private const int Modules = 12;

    /// <summary>A program of <see cref="Modules"/> + 1 modules compiled to bitcode, and a Makefile that links it through the distributor beside two other jobs.</summary>
    /// <summary>
    /// From the times each job wrote: the most jobs at once (the other jobs, plus the link's recipe,
    /// which holds one slot and runs one compile in it, so at least one) and the most compiles at once.
    /// </summary>
    private static (int Jobs, int Compiles) MostAtOnce(string log)
    {
        var events = File.ReadAllLines(log).Select(l => l.Split(' ')).Select(f => (Time: long.Parse(f[1]), Kind: f[0]))
            // At equal times, ends first: a slot given back is free for the job that takes it.
            .OrderBy(e => e.Time).ThenBy(e => e.Kind.EndsWith("-end", StringComparison.Ordinal) ? 0 : 1);
        int others = 0, compiles = 0, mostJobs = 0, mostCompiles = 0;
        foreach ((long _, string kind) in events)
        {
            switch (kind)
            {
                case "other-start": others++; break;
                case "other-end": others--; break;
                case "compile-start": compiles++; break;
                case "compile-end": compiles--; break;
            }

            mostJobs = Math.Max(mostJobs, others + Math.Max(1, compiles));
            mostCompiles = Math.Max(mostCompiles, compiles);
        }

        return (mostJobs, mostCompiles);
    }

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
        // Every backend compile takes at least 0.4 s, so that compiles overlap the other jobs and each
        // other, and writes when it began and ended, from inside the time it holds its slot.
        string log = dir.File("jobs.log");
        string slow = Scripts.Write(dir.File("slow-clang.sh"),
            $"echo \"compile-start $(date +%s%N)\" >> {log}\nsleep 0.4\n{Toolchain.BinDirectory}/clang \"$@\"\nstatus=$?\necho \"compile-end $(date +%s%N)\" >> {log}\nexit $status\n");
        string link = string.Join(" ", new[] { Toolchain.ClangXX, "-flto=thin", "-fuse-ld=lld", "-O2", "-fthinlto-distributor=" + Toolchain.Distributor,
            "-Xthinlto-distributor=--jobs=8", "-Xthinlto-distributor=--no-cache", "-Wl,--thinlto-remote-compiler=" + slow }.Concat(objects).Concat(new[] { "-o", "app" }));
        // '+' marks the recipe as one make passes its jobserver to.
        string marker = recipePassesJobserver ? "+" : "";
        string other = $"echo other-start $$(date +%s%N) >> {log}; sleep 2; echo other-end $$(date +%s%N) >> {log}";
        return (build, dir.Write("Makefile", $"all: app other-1 other-2\n\napp:\n\t{marker}{link}\n\nother-1 other-2:\n\t{other}\n\n.PHONY: all app other-1 other-2\n"));
    }

    private static string ProgramOutput => Enumerable.Range(0, Modules).Sum(i => 45 * (i + 1)) + "\n";

    [TestMethod]
    public void AMakeBuildUnderJ3NeverRunsMoreThanThreeJobsWhileTheDistributorRuns()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, _) = WriteProject(dir, recipePassesJobserver: true);

        CommandResult made = Command.Run(dir.Path, "make", new[] { "-j3" }, TimeSpan.FromMinutes(2));
        (int mostJobs, int mostCompiles) = MostAtOnce(dir.File("jobs.log"));

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
