using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// What every SDK build of the suite is held to: its diagnostics are placed at the user's files
/// (the project, a source), never at the package's own targets, where an IDE's click would open
/// the package.
/// </summary>
public static class DiagnosticPlaces
{
    private static readonly Regex InThePackage = new(
        @"^.*Dtlto\.Build\.[\w.]+\.targets\(\d+,\d+\): (?:error|warning) (?:DTLTO\d+)?:.*$",
        RegexOptions.Multiline);

    public static CommandResult NoneInThePackage(CommandResult build)
    {
        Match match = InThePackage.Match(build.StandardOutput);
        if (match.Success)
            Assert.Fail($"a diagnostic is placed in the package's targets, not at the user's project: {match.Value.Trim()}");
        return build;
    }
}
