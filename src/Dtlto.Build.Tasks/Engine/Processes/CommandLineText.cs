using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Renders an argument vector as one line a user can paste into the shell of the platform to
/// rerun a failed command.
/// </summary>
public static class CommandLineText
{
    public static string Format(IEnumerable<string> argv) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? WindowsCommandLine.Join(argv) : FormatPosix(argv);

    public static string FormatPosix(IEnumerable<string> argv) => string.Join(" ", argv.Select(QuotePosix));

    private static string QuotePosix(string argument)
    {
        if (argument.Length > 0 && argument.All(IsPlain))
            return argument;
        var quoted = new StringBuilder("'");
        quoted.Append(argument.Replace("'", "'\\''"));
        return quoted.Append('\'').ToString();
    }

    private static bool IsPlain(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '_' or '.' or '/' or '=' or ',' or ':' or '+' or '@' or '%';
}
