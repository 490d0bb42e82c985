using System;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// CPU time used by this process's finished children (getrusage RUSAGE_CHILDREN), to tell what a
/// batch of compiles cost: the difference between two readings. Null where the platform has no
/// such counter (Windows).
/// </summary>
public static class ChildCpuTime
{
    public static TimeSpan? Now()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            return null;
        try
        {
            // struct rusage starts with two struct timevals: ru_utime and ru_stime (64-bit longs).
            var usage = new long[18];
            if (getrusage(RusageChildren, usage) != 0)
                return null;
            long micros = usage[0] * 1_000_000 + usage[1] + usage[2] * 1_000_000 + usage[3];
            return TimeSpan.FromTicks(micros * 10);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private const int RusageChildren = -1;

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);
}
