using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Finds a program named without a folder on PATH, as a shell would. Needed where the program is
/// started by something that does not search PATH itself: lld runs its distributor by path.
/// </summary>
public static class ProgramSearch
{
    /// <summary>The full path of <paramref name="program"/>; itself when it names a folder already; null when not found.</summary>
    public static string? Find(string program)
    {
        if (program.IndexOf(Path.DirectorySeparatorChar) >= 0 || program.IndexOf(Path.AltDirectorySeparatorChar) >= 0)
            return Path.GetFullPath(program);

        bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        string[] names = windows && !program.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? new[] { program + ".exe", program } : new[] { program };
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (folder.Length == 0)
                continue;
            foreach (string name in names)
            {
                string candidate = Path.Combine(folder, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }

        return null;
    }
}
