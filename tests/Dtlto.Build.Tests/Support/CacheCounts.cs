using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>The counts of a link's summary line ("5 backend jobs, 2 workers, 4 cache hits (4 local, 1 compiled..."), as the distributor and the SDK say it.</summary>
public static class CacheCounts
{
    private static readonly Regex Summary = new(@"(\d+) backend jobs, \d+ workers(?: \([^)]*\))?, (\d+) cache hits \((\d+) local, (\d+) compiled");

    /// <summary>Jobs, hits, local hits and compiles of the first summary line in <paramref name="output"/>.</summary>
    public static (int Jobs, int Hits, int Local, int Compiled) Of(string output)
    {
        Match match = Summary.Match(output);
        Assert.IsTrue(match.Success, "a summary line with cache counts: " + output);
        int Group(int i) => int.Parse(match.Groups[i].Value);
        return (Group(1), Group(2), Group(3), Group(4));
    }
}
