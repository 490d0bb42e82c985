using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Docs;

/// <summary>
/// Every link of the README and of docs/ goes somewhere: a file of the repository, and a heading
/// of it where the link names one (GitHub's anchors: lower case, punctuation dropped, spaces as
/// hyphens, repeats numbered).
/// </summary>
[TestClass]
public sealed class DocsLinksTests
{
    private static readonly Regex Link = new(@"\[[^\]]*\]\(([^)\s]+)\)", RegexOptions.CultureInvariant);

    private static IEnumerable<string> Pages() =>
        new[] { Path.Combine(RepositoryPaths.Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md"));

    /// <summary>The anchors GitHub gives a page's headings.</summary>
    internal static HashSet<string> Anchors(string page)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool inCode = false;
        foreach (string line in File.ReadLines(page))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
                inCode = !inCode;
            if (inCode || !Regex.IsMatch(line, @"^#{1,6} "))
                continue;
            string text = line.TrimStart('#').Trim();
            string slug = Regex.Replace(text.ToLowerInvariant(), @"[^\p{L}\p{N}\s_-]", "").Replace(' ', '-');
            int count = seen.TryGetValue(slug, out int n) ? n : 0;
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return anchors;
    }

    [TestMethod]
    public void EveryLinkOfTheReadmeAndTheManualLeadsToAFileAndHeadingThatExist()
    {
        var dead = new List<string>();
        foreach (string page in Pages())
        {
            string text = Regex.Replace(File.ReadAllText(page), "```.*?```", "", RegexOptions.Singleline);
            foreach (Match match in Link.Matches(text))
            {
                string target = match.Groups[1].Value;
                if (Regex.IsMatch(target, "^[a-z]+:", RegexOptions.CultureInvariant))
                    continue;
                string[] parts = target.Split('#', 2);
                string file = parts[0].Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, parts[0]));
                string where = Path.GetRelativePath(RepositoryPaths.Root, page) + ": " + target;
                if (!File.Exists(file) && !Directory.Exists(file))
                    dead.Add(where + " (no such file)");
                else if (parts.Length > 1 && (!file.EndsWith(".md", StringComparison.Ordinal) || !Anchors(file).Contains(parts[1])))
                    dead.Add(where + " (no such heading)");
            }
        }

        Assert.IsEmpty(dead, string.Join("\n", dead));
    }

    [TestMethod]
    public void AnchorsAreGitHubs()
    {
        using var dir = new TestDirectory();
        string page = dir.Write("page.md", "# Visual Studio (.vcxproj)\n## Remote execution (a build farm, a team-wide cache)\n```\n# not a heading\n```\n## `DtltoMode` values\n## Notes\n## Notes\n");

        CollectionAssert.AreEquivalent(new[] { "visual-studio-vcxproj", "remote-execution-a-build-farm-a-team-wide-cache", "dtltomode-values", "notes", "notes-1" }, Anchors(page).ToArray());
    }
}
