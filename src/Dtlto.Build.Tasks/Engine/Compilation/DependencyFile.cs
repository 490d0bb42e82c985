using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Dtlto.Build.Engine.Compilation;

/// <summary>
/// Reads the Makefile rule clang writes with <c>-MMD -MF</c>: <c>obj.o: src.c a.h \</c> ...
/// Spaces in paths are escaped as <c>\ </c>, lines continue with a trailing backslash.
/// </summary>
public static class DependencyFile
{
    /// <summary>The prerequisites of the rule (the source and every header it included); null if unreadable.</summary>
    public static IReadOnlyList<string>? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }

        return Parse(text);
    }

    public static IReadOnlyList<string>? Parse(string text)
    {
        int colon = FindRuleColon(text);
        if (colon < 0)
            return null;

        var paths = new List<string>();
        var current = new StringBuilder();
        for (int i = colon + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                char next = text[i + 1];
                if (next == '\n' || next == '\r')
                {
                    Flush(current, paths);
                    i++;
                    continue;
                }

                if (next == ' ' || next == '#' || next == '\\')
                {
                    current.Append(next);
                    i++;
                    continue;
                }
            }

            if (c == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                current.Append('$');
                i++;
                continue;
            }

            if (c is ' ' or '\t' or '\n' or '\r')
                Flush(current, paths);
            else
                current.Append(c);
        }

        Flush(current, paths);
        return paths;
    }

    /// <summary>The colon that ends the target: not an escaped one, nor a drive letter's.</summary>
    private static int FindRuleColon(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] == ':' && (i + 1 >= text.Length || text[i + 1] is ' ' or '\t' or '\n' or '\r'))
                return i;
        }

        return -1;
    }

    private static void Flush(StringBuilder current, List<string> paths)
    {
        if (current.Length > 0)
            paths.Add(current.ToString());
        current.Clear();
    }
}
