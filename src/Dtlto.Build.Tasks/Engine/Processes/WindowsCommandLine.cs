using System.Collections.Generic;
using System.Text;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Joins arguments into one Windows command line that CommandLineToArgvW (and the C runtime)
/// splits back into the same arguments: backslashes are literal except before a quote.
/// </summary>
public static class WindowsCommandLine
{
    public static string Join(IEnumerable<string> arguments)
    {
        var line = new StringBuilder();
        foreach (string argument in arguments)
        {
            if (line.Length > 0)
                line.Append(' ');
            AppendQuoted(line, argument);
        }

        return line.ToString();
    }

    private static void AppendQuoted(StringBuilder line, string argument)
    {
        if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
        {
            line.Append(argument);
            return;
        }

        line.Append('"');
        int backslashes = 0;
        foreach (char c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes before a quote must be doubled, and the quote escaped.
            line.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
            backslashes = 0;
            line.Append(c);
        }

        // Backslashes before the closing quote must be doubled too.
        line.Append('\\', backslashes * 2);
        line.Append('"');
    }
}
