using System.Text.RegularExpressions;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>dtlto-distributor run by hand: bad input is one line on stderr and a non-zero exit.</summary>
[TestClass]
public sealed class DistributorCommandLineTests
{
    private static CommandResult Distribute(TestDirectory dir, params string[] args) =>
        Command.Run(dir.Path, Toolchain.Distributor, args);

    private static void AssertOneLineError(CommandResult result, int exitCode, string message)
    {
        Assert.AreEqual(exitCode, result.ExitCode, result.ToString());
        string[] lines = result.StandardError.Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, result.StandardError);
        Assert.AreEqual("dtlto-distributor: error: " + message, lines.Single());
    }

    [TestMethod]
    public void AMalformedJobListIsOneLineNamingThePlace()
    {
        using var dir = new TestDirectory();
        dir.Write("list.json", """{"common":{"linker_output":"a","args":["clang"],"inputs":[]},"jobs":[{"args":[],"inputs":["a.o"],"outputs":["a.native.o"]}]}""");
        AssertOneLineError(Distribute(dir, "list.json"), 2, "list.json: jobs[0].inputs: expected at least 2 entries");
    }

    [TestMethod]
    public void AMissingJobListIsOneLine()
    {
        using var dir = new TestDirectory();
        CommandResult result = Distribute(dir, "gone.json");
        Assert.AreEqual(2, result.ExitCode);
        StringAssert.StartsWith(result.StandardError, "dtlto-distributor: error: gone.json: cannot read the job list:");
    }

    [TestMethod]
    public void ABadJobsValueIsOneLine()
    {
        using var dir = new TestDirectory();
        AssertOneLineError(Distribute(dir, "--jobs=0", "list.json"), 2, "--jobs must be at least 1, not 0");
    }

    [TestMethod]
    public void AnUnknownOptionIsOneLine()
    {
        using var dir = new TestDirectory();
        AssertOneLineError(Distribute(dir, "--frobnicate", "list.json"), 2, "unknown option '--frobnicate' (try --help)");
    }

    [TestMethod]
    public void EachMistakeIsSaidInTheUsersWords()
    {
        using var dir = new TestDirectory();
        dir.Write("bad.json", "{\"common\": {");
        const string noJobList = "no job list: lld runs this program with the job list's path last (clang -fthinlto-distributor=dtlto-distributor) (try --help)";

        AssertOneLineError(Distribute(dir), 2, noJobList);
        AssertOneLineError(Distribute(dir, "-v"), 2, noJobList);
        AssertOneLineError(Distribute(dir, "--dry-run"), 2, noJobList);
        AssertOneLineError(Distribute(dir, "-j", "abc", "list.json"), 2, "--jobs: 'abc' is not a whole number (try --help)");
        AssertOneLineError(Distribute(dir, "--job-timeout=soon", "list.json"), 2, "--job-timeout: 'soon' is not a number of seconds (try --help)");
        AssertOneLineError(Distribute(dir, "--remote-race=maybe", "list.json"), 2, "--remote-race: 'maybe' is not true or false (try --help)");
        AssertOneLineError(Distribute(dir, "--trace=", "list.json"), 2, "--trace needs a value (try --help)");
        AssertOneLineError(Distribute(dir, "--jobs"), 2, "--jobs needs a value (try --help)");
        AssertOneLineError(Distribute(dir, "a.json", "b.json"), 2, "one job list only, but more arguments follow 'a.json': b.json (try --help)");
        AssertOneLineError(Distribute(dir, dir.Path), 2, dir.Path + ": cannot read the job list: it is a folder, not a job list");
        AssertOneLineError(Distribute(dir, "gone.json"), 2, "gone.json: cannot read the job list: no such file");
        CommandResult badJson = Distribute(dir, "bad.json");
        Assert.AreEqual(2, badJson.ExitCode);
        Assert.AreEqual(1, Regex.Matches(badJson.StandardError, "(?i)line ?number|line [0-9]").Count, "the position once: " + badJson.StandardError);
        Assert.IsFalse(badJson.StandardError.Contains("BytePosition"), badJson.StandardError);
        string help = Distribute(dir, "--help").StandardOutput;
        Assert.IsFalse(help.Contains("[default:"), "each default said once, in the option's own words: " + help);
    }

    [TestMethod]
    public void AnEmptyJobListSucceedsAndRunsNothing()
    {
        using var dir = new TestDirectory();
        dir.Write("list.json", """{"common":{"linker_output":"a","args":["/no/such/clang"],"inputs":[]},"jobs":[]}""");
        CommandResult result = Distribute(dir, "list.json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("", result.StandardError);
    }

    [TestMethod]
    public void AMissingCompilerFailsTheJobWithTheReason()
    {
        using var dir = new TestDirectory();
        dir.Write("list.json", """{"common":{"linker_output":"a","args":["/no/such/clang","-c"],"inputs":[]},"jobs":[{"args":["a.o"],"inputs":["a.o","a.bc"],"outputs":["a.native.o"]}]}""");
        CommandResult result = Distribute(dir, "list.json");
        Assert.AreEqual(1, result.ExitCode);
        StringAssert.Contains(result.StandardError, "dtlto-distributor: error: backend compile of 'a.o' failed: cannot run '/no/such/clang':");
    }

    [TestMethod]
    public void HelpDescribesTheUseWithClang()
    {
        using var dir = new TestDirectory();
        CommandResult result = Distribute(dir, "--help");
        Assert.AreEqual(0, result.ExitCode);
        StringAssert.Contains(result.StandardOutput, "-fthinlto-distributor=");
        StringAssert.Contains(result.StandardOutput, "--jobs");
    }

    [TestMethod]
    public void VerboseAddsALinePerJobAndTheSummaryComesEitherWayAsTheHelpSays()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);

        CommandResult help = Distribute(dir, "--help");
        CommandResult quiet = build.LinkWith(Toolchain.Distributor, "quiet", objects, "-Xthinlto-distributor=--no-cache");
        CommandResult verbose = build.LinkWith(Toolchain.Distributor, "verbose", objects, "-Xthinlto-distributor=--no-cache", "-Xthinlto-distributor=--verbose");

        StringAssert.Contains(help.StandardOutput, "Print a line for each job as it finishes (the summary line at the end is printed in any case).");
        ThinLtoBuild.Expect(quiet, "quiet link");
        ThinLtoBuild.Expect(verbose, "verbose link");
        StringAssert.Contains(quiet.StandardError, "dtlto-distributor: 5 backend jobs", "the summary without --verbose");
        Assert.IsFalse(quiet.StandardError.Contains("compiled 'fib.o'"), quiet.StandardError);
        StringAssert.Contains(verbose.StandardError, "compiled 'fib.o'", "a line per job with --verbose");
        StringAssert.Contains(verbose.StandardError, "dtlto-distributor: 5 backend jobs");
    }

    [TestMethod]
    public void AStaleBuildPipeIsOneLineAndNoHang()
    {
        using var dir = new TestDirectory();
        dir.Write("list.json", """{"common":{"linker_output":"a","args":["clang"],"inputs":[]},"jobs":[]}""");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        CommandResult result = Distribute(dir, "--build-pipe=dtlto-0000000000000000", "list.json");

        Assert.IsLessThan(15.0, clock.Elapsed.TotalSeconds);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        Assert.HasCount(1, result.StandardError.Split('\n', System.StringSplitOptions.RemoveEmptyEntries), result.StandardError);
        StringAssert.StartsWith(result.StandardError, "dtlto-distributor: error: cannot reach the build that started this link (pipe 'dtlto-0000000000000000')");
    }

    [TestMethod]
    [DataRow("--job-timeout=0")]
    [DataRow("--job-timeout=-5")]
    [DataRow("--job-timeout=1e300")]
    public void ABadJobTimeoutIsOneLine(string option)
    {
        using var dir = new TestDirectory();
        AssertOneLineError(Distribute(dir, option, "list.json"), 2, "--job-timeout must be a number of seconds above 0 and below 10000000");
    }
}
