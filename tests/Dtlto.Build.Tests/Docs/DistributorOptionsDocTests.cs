using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Docs;

/// <summary>docs/distributor.md's option table names every option dtlto-distributor --help lists, and no other.</summary>
[TestClass]
public sealed class DistributorOptionsDocTests
{
    [TestMethod]
    public void TheOptionTableNamesEveryOptionOfHelp()
    {
        string page = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "distributor.md"));
        string[] rows = page.Split('\n').Where(l => l.StartsWith("| `--", System.StringComparison.Ordinal)).ToArray();
        string table = string.Join("\n", rows.Select(r => r.Split(" | ")[0]));
        var help = DistributorCommandLineFuzzTests.HelpOptions(Command.Run(RepositoryPaths.Root, Toolchain.Distributor, "--help").StandardOutput);

        string[] missing = help.Where(o => !System.Text.RegularExpressions.Regex.IsMatch(table, "`" + o + "(?![a-z-])")).ToArray();
        string[] unknown = System.Text.RegularExpressions.Regex.Matches(table, "`(--[a-z][a-z-]*)").Select(m => m.Groups[1].Value).Distinct().Where(o => !help.Contains(o) && o != "--target").ToArray();

        Assert.IsEmpty(missing, "options of --help without a row: " + string.Join(" ", missing));
        Assert.IsEmpty(unknown, "rows of options --help does not list: " + string.Join(" ", unknown));
    }
}
