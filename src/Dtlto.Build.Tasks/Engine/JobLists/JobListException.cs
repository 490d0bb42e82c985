using System;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// A job list that cannot be used. <see cref="Location"/> names the offending place in the
/// JSON (<c>jobs[3].inputs</c>) so the message points a user at it.
/// </summary>
public sealed class JobListException : Exception
{
    public JobListException(string file, string location, string problem, Exception? inner = null)
        : base(Format(file, location, problem), inner)
    {
        File = file;
        Location = location;
        Problem = problem;
    }

    public string File { get; }

    public string Location { get; }

    public string Problem { get; }

    private static string Format(string file, string location, string problem) =>
        location.Length == 0 ? $"{file}: {problem}" : $"{file}: {location}: {problem}";
}
