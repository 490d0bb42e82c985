using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>
/// Every option of dtlto-distributor's --help, alone and with missing and malformed values, run
/// as the real program: each run ends in success or one error line and exit 2, never a stack
/// trace, an internal error or a hang.
/// </summary>
[TestClass]
public sealed class DistributorCommandLineFuzzTests
{
    // Needs a listener that the fuzz has no business starting.
    private static readonly HashSet<string> Excluded = new() { "--build-pipe" };

    private static readonly string[] Values = { "abc", "-1", "", "1e400", "0" };

    internal static IReadOnlyList<string> HelpOptions(string help) =>
        Regex.Matches(help, @"^\s+(?:-\S, )*(--[a-z][a-z-]*)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Distinct().ToList();

    [TestMethod]
    public void NoCommandLineReachesAStackTrace()
    {
        using var dir = new TestDirectory();
        dir.Write("list.json", """{"common":{"linker_output":"a","args":["/no/such/clang"],"inputs":[]},"jobs":[]}""");
        dir.Write("bad.json", "{\"common\": {");
        IReadOnlyList<string> options = HelpOptions(Command.Run(dir.Path, Toolchain.Distributor, "--help").StandardOutput);
        Assert.IsTrue(options.Count >= 30, string.Join(" ", options));

        var cases = new List<string[]> { Array.Empty<string>(), new[] { "-v" }, new[] { "--dry-run" }, new[] { "bad.json" }, new[] { dir.Path },
            new[] { "a.json", "b.json" }, new[] { "-j", "abc", "list.json" }, new[] { "--no-such-option", "list.json" } };
        foreach (string option in options.Where(o => !Excluded.Contains(o)))
        {
            cases.Add(new[] { option });
            cases.Add(new[] { option, "list.json" });
            cases.Add(new[] { option, "abc", "list.json" });
            cases.AddRange(Values.Select(value => new[] { $"{option}={value}", "list.json" }));
        }

        var faults = new ConcurrentBag<string>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, args =>
        {
            CommandResult run = Command.Run(dir.Path, Toolchain.Distributor, args, TimeSpan.FromSeconds(60));
            string said = $"dtlto-distributor {string.Join(" ", args.Select(a => a.Length == 0 ? "''" : a))} -> exit {run.ExitCode}: {run.StandardError}";
            string[] lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            bool oneError = run.ExitCode == 2 && lines.Length == 1 && lines[0].StartsWith("dtlto-distributor: error: ", StringComparison.Ordinal);
            bool fine = run.ExitCode is 0 or 1 && !run.StandardError.Contains("error:");
            if (!(oneError || fine) || run.All.Contains("   at ") || run.All.Contains("Exception") || run.All.Contains("internal error") || run.All.Contains("System."))
                faults.Add(said);
        });

        Assert.IsEmpty(faults, $"{faults.Count} of {cases.Count} command lines:\n" + string.Join("\n", faults.OrderBy(f => f)));
    }
}
