using System;
using System.Globalization;
using System.Linq;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Tracing;

/// <summary>
/// bench/timeline.py, which the cold-link figures of docs/performance.md come from, read on the
/// timeline of a real link: every measure is there and they agree with each other.
/// </summary>
[TestClass]
public sealed class TimelineScriptTests
{
    [TestMethod]
    public void TheTimelineOfALinkSaysWhereItsTimeWentAndWhatAnotherOrderCouldWin()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--trace=" + dir.File("trace.json")), "link");

        CommandResult run = Command.Run(RepositoryPaths.Root, "python3", new[] { "bench/timeline.py", dir.File("trace.json"), "--simulate", "1,2,64" }, TimeSpan.FromMinutes(1));

        Assert.AreEqual(0, run.ExitCode, run.ToString());
        double Value(string name) => double.Parse(run.StandardOutput.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Substring(15), CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0.0, Value("busy"), run.StandardOutput);
        Assert.IsGreaterThanOrEqualTo(Value("busy") / 2 - 0.01, Value("LPT of these"), "two cores cannot do the work in less than half of it");
        Assert.IsLessThanOrEqualTo(Value("busy") + 0.01, Value("LPT of these"));
        Assert.IsGreaterThan(0.0, Value("backend span"));
        Assert.IsGreaterThanOrEqualTo(0.0, Value("hand-over"));
        string[] rows = run.StandardOutput.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("cores", StringComparison.Ordinal)).Skip(1).Where(l => l.Length > 0).ToArray();
        Assert.HasCount(3, rows, run.StandardOutput);
        string[] one = rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(one[1], one[2], "on one core every order takes the sum of the durations");
        Assert.AreEqual(Value("busy"), double.Parse(one[1], CultureInfo.InvariantCulture), 0.01);
    }
}
