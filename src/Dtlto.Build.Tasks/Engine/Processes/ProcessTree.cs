#if NETFRAMEWORK
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Kills a process and every process it started, for .NET Framework, whose Process.Kill ends the
/// process alone (.NET's Kill(entireProcessTree) does this itself): a killed compile must not
/// leave its wrapper's or driver's children running. On Windows through taskkill /T, on Unix
/// (Mono, Linux) through the parent links in /proc.
/// </summary>
internal static class ProcessTree
{
    private const int SigKill = 9;
    private const int SigStop = 19;

    public static void Kill(Process process)
    {
        if (Environment.OSVersion.Platform != PlatformID.Unix)
        {
            KillOnWindows(process);
            return;
        }

        // Each one found is stopped, so that none starts another while the tree is walked;
        // the walk ends when it finds no process it has not stopped, then all are killed.
        SendSignal(process.Id, SigStop);
        var tree = new List<int> { process.Id };
        var stopped = new HashSet<int>(tree);
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (int pid in Descendants(process.Id))
            {
                if (stopped.Add(pid))
                {
                    SendSignal(pid, SigStop);
                    tree.Add(pid);
                    grew = true;
                }
            }
        }

        foreach (int pid in tree)
            SendSignal(pid, SigKill);
    }

    private static void KillOnWindows(Process process)
    {
        try
        {
            using var taskkill = Process.Start(new ProcessStartInfo("taskkill", $"/T /F /PID {process.Id}") { UseShellExecute = false, CreateNoWindow = true });
            if (taskkill is not null && taskkill.WaitForExit(10_000) && taskkill.ExitCode == 0)
                return;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No taskkill: the process alone.
        }

        process.Kill();
    }

    /// <summary>Every process below <paramref name="root"/>, parents before their children.</summary>
    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
                continue;
            int? parent = ParentOf(folder);
            if (parent is int p)
            {
                if (!children.TryGetValue(p, out List<int>? list))
                    children[p] = list = new List<int>();
                list.Add(pid);
            }
        }

        var found = new List<int>();
        var next = new Queue<int>();
        next.Enqueue(root);
        while (next.Count > 0)
        {
            if (!children.TryGetValue(next.Dequeue(), out List<int>? below))
                continue;
            foreach (int child in below)
            {
                found.Add(child);
                next.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>The parent process id in /proc/PID/stat: the field after the state, which follows the name in parentheses.</summary>
    private static int? ParentOf(string folder)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(folder, "stat"));
            string[] fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            return fields.Length > 1 && int.TryParse(fields[1], out int parent) ? parent : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
#endif
