using System;
using System.Globalization;
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
            long startTicks = long.Parse(fields[22 - 3], CultureInfo.InvariantCulture);
            // starttime counts clock ticks of 1/100 s (USER_HZ) since boot, as /proc/uptime counts
            // seconds: the parent's age from the two, to 1/100 s. (The boot time in /proc/stat is
            // in whole seconds, which put the start up to a second early.)
            DateTime now = DateTime.UtcNow;
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return now - TimeSpan.FromSeconds(Math.Max(0, uptime - (startTicks / 100.0)));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc")]
    private static extern int getppid();
}
