using System;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Processes;

/// <summary>How a child process ended and what it printed.</summary>
public sealed class ProcessResult
{
    public ProcessResult(int exitCode, string output, TimeSpan elapsed, bool stopped, string? startError, ResultOrigin origin = ResultOrigin.Here, string? ranOn = null)
    {
        RanOn = ranOn;
        Origin = origin;
        ExitCode = exitCode;
        Output = output;
        Elapsed = elapsed;
        Stopped = stopped;
        StartError = startError;
    }

    public int ExitCode { get; }

    /// <summary>Standard output and standard error, interleaved in the order lines arrived.</summary>
    public string Output { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>The process was killed because the caller cancelled it.</summary>
    public bool Stopped { get; }

    /// <summary>Why the process could not be started at all; null when it ran.</summary>
    public string? StartError { get; }

    /// <summary>Where the process ran when not here, in words ("the farm (worker w-12)"); null for this machine.</summary>
    public string? RanOn { get; }

    /// <summary>The process ran to its end and exited 0 (its objects may still be garbage: see <see cref="JobObjectCheck"/>).</summary>
    public bool Succeeded => ExitCode == 0 && StartError is null && !Stopped;

    /// <summary>
    /// The job's objects passed <see cref="JobObjectCheck"/> on their way here (restored from a
    /// cache, taken from a farm, checked before they were stored), so nothing reads them again.
    /// </summary>
    public bool ObjectChecked { get; private init; }

    /// <summary>The output that failed <see cref="JobObjectCheck"/>, and why; null when none did or none was checked.</summary>
    public (string Output, ObjectProblem Problem)? BadObject { get; private init; }

    /// <summary>The same result, its objects checked.</summary>
    public ProcessResult WithObjectChecked() => new(ExitCode, Output, Elapsed, Stopped, StartError, Origin, RanOn) { ObjectChecked = true };

    /// <summary>The same result, with the output that failed the object check.</summary>
    internal ProcessResult WithBadObject(string output, ObjectProblem problem) => new(ExitCode, Output, Elapsed, Stopped, StartError, Origin, RanOn) { BadObject = (output, problem) };

    public ResultOrigin Origin { get; }

    /// <summary>The same result, from <paramref name="origin"/>.</summary>
    public ProcessResult From(ResultOrigin origin) => new(ExitCode, Output, Elapsed, Stopped, StartError, origin, RanOn) { ObjectChecked = ObjectChecked, BadObject = BadObject };

    /// <summary>No process ran: the result came from a cache (this machine's or a farm's).</summary>
    public bool FromCache => Origin.IsCache();
}
