using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Moves the arguments of a command line too long for the operating system into a response file
/// (<c>clang @file</c>), quoted the way clang reads response files on that platform.
/// </summary>
public static class ResponseFile
{
    /// <summary>
    /// The longest command line run directly: Windows allows 32,767 characters; Linux allows a
    /// few megabytes in all but 128 KiB for any one argument, so long lists go to a file early.
    /// </summary>
    public static int Limit { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? 30_000 : 1_000_000;

    public static bool IsNeeded(IReadOnlyList<string> argv, int limit) =>
        argv.Sum(argument => Encoding.UTF8.GetByteCount(argument) + 3) > limit
        || argv.Any(argument => Encoding.UTF8.GetByteCount(argument) >= 128 * 1024);

    /// <summary>Writes every argument after the program to <paramref name="path"/>; returns the command that reads it.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<string> argv, string path)
    {
        bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        IEnumerable<string> rest = argv.Skip(1);
        string text = windows
            ? WindowsCommandLine.Join(rest)
            : string.Join("\n", rest.Select(QuoteGnu));
        File.WriteAllText(path, text + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return new[] { argv[0], "@" + path };
    }

    /// <summary>GNU response-file quoting: single quotes, with backslash escapes for the rest.</summary>
    private static string QuoteGnu(string argument)
    {
        var quoted = new StringBuilder("'");
        foreach (char c in argument)
        {
            if (c is '\'' or '\\')
                quoted.Append('\\');
            quoted.Append(c);
        }

        return quoted.Append('\'').ToString();
    }
}
