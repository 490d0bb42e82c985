using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Distributor;

/// <summary>
/// When the linker that runs the distributor started: the thin link runs from then until the
/// distributor starts. Read from /proc on Linux; null elsewhere.
/// </summary>
public static class ParentProcessStart
{
    public static DateTime? Get()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return null;
        try
        {
            string stat = File.ReadAllText($"/proc/{getppid()}/stat");
            // Fields after the command name (which may hold spaces) start at field 3; starttime is field 22.
            string[] fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            long startTicks = long.Parse(fields[22 - 3]);
            long bootSeconds = 0;
            foreach (string line in File.ReadAllLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal))
                    bootSeconds = long.Parse(line.Substring(6));
            }

            // Linux reports process start in clock ticks of 1/100 s (USER_HZ).
            return DateTimeOffset.FromUnixTimeSeconds(bootSeconds).UtcDateTime.AddTicks(startTicks * TimeSpan.TicksPerSecond / 100);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc")]
    private static extern int getppid();
}
