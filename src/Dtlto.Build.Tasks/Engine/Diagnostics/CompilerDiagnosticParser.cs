using System;
using System.Text.RegularExpressions;

namespace Dtlto.Build.Engine.Diagnostics;

/// <summary>
/// Recognises the diagnostic lines clang and lld print: <c>file:line:col: error: text</c>,
/// <c>file:line: warning: text</c>, and <c>tool: error: text</c> with no place. Other lines
/// (source excerpts, carets, "N errors generated.") are not diagnostics.
/// </summary>
public static class CompilerDiagnosticParser
{
    private static readonly Regex WithPlace = new(
        @"^(?<file>.+?):(?<line>\d+):(?:(?<column>\d+):)? (?<severity>fatal error|error|warning|note): (?<message>.*)$",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static readonly Regex WithoutPlace = new(
        @"^(?<tool>[\w.+-]+): (?<severity>fatal error|error|warning|note): (?<message>.*)$",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public static CompilerDiagnostic? Parse(string line)
    {
        Match match = WithPlace.Match(line);
        if (match.Success)
        {
            int column = match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value) : 0;
            return new CompilerDiagnostic(
                Severity(match.Groups["severity"].Value), match.Groups["message"].Value, match.Groups["file"].Value, int.Parse(match.Groups["line"].Value), column);
        }

        match = WithoutPlace.Match(line);
        if (match.Success)
            return new CompilerDiagnostic(Severity(match.Groups["severity"].Value), $"{match.Groups["tool"].Value}: {match.Groups["message"].Value}", null, 0, 0);
        return null;
    }

    private static DiagnosticSeverity Severity(string text) => text switch
    {
        "warning" => DiagnosticSeverity.Warning,
        "note" => DiagnosticSeverity.Note,
        _ => DiagnosticSeverity.Error,
    };

    public static string[] Lines(string output) => output.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
}
