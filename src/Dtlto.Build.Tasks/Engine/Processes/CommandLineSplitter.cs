using System.Collections.Generic;
using System.Text;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Splits an options string as users write it in <c>AdditionalOptions</c> (<c>-Wall -DNAME="a b"</c>)
/// into arguments: whitespace separates, single and double quotes group, a backslash escapes the
/// next character outside single quotes.
/// </summary>
public static class CommandLineSplitter
{
    public static IReadOnlyList<string> Split(string? text)
    {
        var arguments = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
            return arguments;

        var current = new StringBuilder();
        bool inArgument = false;
        char quote = '\0';
        for (int i = 0; i < text!.Length; i++)
        {
            char c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                    quote = '\0';
                else
                    current.Append(c);
                continue;
            }

            if (c == '\\' && i + 1 < text.Length && (quote == '\0' || text[i + 1] is '"' or '\\'))
            {
                current.Append(text[++i]);
                inArgument = true;
                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                    quote = '\0';
                else
                    current.Append(c);
                continue;
            }

            if (c is '"' or '\'')
            {
                quote = c;
                inArgument = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inArgument)
                    arguments.Add(current.ToString());
                current.Clear();
                inArgument = false;
            }
            else
            {
                current.Append(c);
                inArgument = true;
            }
        }

        if (inArgument)
            arguments.Add(current.ToString());
        return arguments;
    }
}
