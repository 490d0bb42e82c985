using System;
using System.Collections.Generic;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// Options that make a backend compile write files beside its object that lld's job list does
/// not name: split DWARF's <c>.dwo</c> (which the program's debug information points at), the
/// <c>-save-temps</c> files, optimization remarks, time traces, stack-usage and dependency files.
/// A cache or a farm brings back only what the job list names, so a job with one of these runs
/// on this machine and is not cached: its program then has every file the compile writes.
/// </summary>
public static class SideOutputs
{
    /// <summary>Why the command writes files the job list does not name, in words; null when it writes only its outputs.</summary>
    public static string? Reason(IReadOnlyList<string> command)
    {
        string? reason = null;
        foreach (string argument in command)
        {
            if (argument == "-gno-split-dwarf")
                reason = null;
            else if (argument == "-gsplit-dwarf" || argument == "-gsplit-dwarf=split")
                reason = "-gsplit-dwarf writes a .dwo file beside each object";
            else if (argument is "-save-temps" or "--save-temps" || argument.StartsWith("-save-temps=", StringComparison.Ordinal) || argument.StartsWith("--save-temps=", StringComparison.Ordinal))
                return argument + " writes the compile's temporary files";
            else if (argument.StartsWith("-fsave-optimization-record", StringComparison.Ordinal) || argument.StartsWith("-foptimization-record-file", StringComparison.Ordinal))
                return argument + " writes an optimization record";
            else if (argument.StartsWith("-ftime-trace", StringComparison.Ordinal) && !argument.StartsWith("-ftime-trace-granularity", StringComparison.Ordinal))
                return argument + " writes a time trace";
            else if (argument == "-fstack-usage")
                return "-fstack-usage writes a .su file";
            else if (argument is "-MD" or "-MMD" or "-MF")
                return argument + " writes a dependency file";
        }

        return reason;
    }
}
