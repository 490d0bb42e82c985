using System.Text.RegularExpressions;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// An archive member lld hands to a backend compile as a file of its own, named after the
/// archive, the member and its offset, then a task number and lld's process id:
/// <c>lib.a(t2.o at 80).2.1164.o</c>. The last two change with every link, and the offset
/// whenever a member before it changes size.
/// </summary>
public static class ExtractedArchiveMember
{
    private static readonly Regex Name = new(@"^(?<member>(?<archive>.*)\((?<name>.+) at \d+\))\.\d+\.[0-9A-Fa-f]+\.o$", RegexOptions.CultureInvariant);

    // Within any text: a member with its offset, and lld's task number and process id when they follow.
    private static readonly Regex Embedded = new(@"\((?<name>[^()/\\]+) at \d+\)(?:\.\d+\.[0-9A-Fa-f]+\.o)?", RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="path"/> is such a file.</summary>
    public static bool Is(string path) => Name.IsMatch(path);

    /// <summary>The path without lld's task number and process id (<c>lib.a(t2.o at 80)</c>), the same in every link; any other path as it is.</summary>
    public static string Stable(string path)
    {
        Match member = Name.Match(path);
        return member.Success ? member.Groups["member"].Value : path;
    }

    /// <summary>The member as a user names it, <c>lib.a(t2.o)</c>; any other path as it is.</summary>
    public static string Display(string path)
    {
        Match member = Name.Match(path);
        return member.Success ? $"{member.Groups["archive"].Value}({member.Groups["name"].Value})" : path;
    }

    /// <summary>
    /// The text with every such member named as <see cref="Display"/> names it, wherever it stands
    /// (a whole argument, an option's value, a file name made from it): what content-addressed keys
    /// use, as lld's own cache keys name modules by their content, not by where they were.
    /// </summary>
    public static string WithoutPlace(string text) =>
        text.IndexOf(" at ", System.StringComparison.Ordinal) < 0 ? text : Embedded.Replace(text, m => $"({m.Groups["name"].Value})");
}
