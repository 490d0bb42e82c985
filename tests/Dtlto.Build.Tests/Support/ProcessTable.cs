using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Dtlto.Build.Tests.Support;

/// <summary>Live processes of a test, found by a path in their command lines (Linux /proc).</summary>
public static class ProcessTable
{
    /// <summary>"pid: command line" of every live, non-zombie process whose command line mentions <paramref name="text"/>.</summary>
    public static string[] Mentioning(string text, string? except = null)
    {
        var found = new List<string>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                string commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text) && (except is null || !commandLine.StartsWith(except)) && IsRunning(pid))
                    found.Add($"{pid}: {commandLine}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found.ToArray();
    }

    /// <summary>The processes still there after waiting up to <paramref name="patience"/> for them to go.</summary>
    public static string[] StillMentioning(string text, TimeSpan patience, string? except = null)
    {
        DateTime deadline = DateTime.UtcNow + patience;
        string[] left;
        while ((left = Mentioning(text, except)).Length > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        return left;
    }

    public static int? FindPid(string text, string startsWith)
    {
        foreach (string entry in Mentioning(text))
        {
            int colon = entry.IndexOf(':');
            if (entry.Substring(colon + 2).StartsWith(startsWith, StringComparison.Ordinal))
                return int.Parse(entry.Substring(0, colon));
        }

        return null;
    }

    public static bool IsRunning(int pid)
    {
        string stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return false;
        // A zombie has exited; only its parent has not collected it yet.
        string text = File.ReadAllText(stat);
        return text.Substring(text.LastIndexOf(')') + 2, 1) != "Z";
    }
}
