using System.Text.RegularExpressions;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// An archive member lld hands to a backend compile as a file of its own, named after the
/// archive, the member and its offset, then a task number and lld's process id:
/// <c>lib.a(t2.o at 80).2.1164.o</c>. The last two change with every link.
/// </summary>
public static class ExtractedArchiveMember
{
    private static readonly Regex Name = new(@"^(?<member>.*\(.+ at \d+\))\.\d+\.[0-9A-Fa-f]+\.o$", RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="path"/> is such a file.</summary>
    public static bool Is(string path) => Name.IsMatch(path);

    /// <summary>The path without lld's task number and process id (<c>lib.a(t2.o at 80)</c>), the same in every link; any other path as it is.</summary>
    public static string Stable(string path)
    {
        Match member = Name.Match(path);
        return member.Success ? member.Groups["member"].Value : path;
    }
}
