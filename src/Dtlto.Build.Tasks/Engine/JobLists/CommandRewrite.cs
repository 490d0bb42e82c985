using System;
using System.Collections.Generic;
using System.Linq;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>Renames the files a backend command names: an argument that is a path, or an option's value after '='.</summary>
public static class CommandRewrite
{
    /// <summary>
    /// The argument with a file renamed, however the job list spelled its path;
    /// <paramref name="renames"/> maps full paths (as <see cref="JobList.Resolve"/> gives them) to new names.
    /// </summary>
    public static string Argument(string argument, JobList jobList, IReadOnlyDictionary<string, string> renames)
    {
        if (argument.Length > 0 && renames.TryGetValue(jobList.Resolve(argument), out string? whole))
            return whole;
        int equals = argument.IndexOf('=');
        return equals > 0 && equals < argument.Length - 1 && renames.TryGetValue(jobList.Resolve(argument.Substring(equals + 1)), out string? value)
            ? argument.Substring(0, equals + 1) + value
            : argument;
    }

    /// <summary>The whole command with files renamed; null when one of them does not appear in it.</summary>
    public static List<string>? Command(IReadOnlyList<string> command, JobList jobList, IReadOnlyDictionary<string, string> renames)
    {
        List<string> rewritten = command.Select(a => Argument(a, jobList, renames)).ToList();
        bool allFound = renames.Values.All(name => rewritten.Any(a => a == name || a.EndsWith("=" + name, StringComparison.Ordinal)));
        return allFound ? rewritten : null;
    }
}
