using System;

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

    /// <summary>
    /// The job's object already passed the object check on its way here (restored from a cache,
    /// taken from a farm, or checked before it was stored), so the backend compile need not read
    /// it again.
    /// </summary>
    public bool ObjectChecked { get; init; }

    /// <summary>The same result, its object checked.</summary>
    public ProcessResult WithObjectChecked() => new(ExitCode, Output, Elapsed, Stopped, StartError, Origin, RanOn) { ObjectChecked = true };

    public ResultOrigin Origin { get; }

    /// <summary>The same result, from <paramref name="origin"/>.</summary>
    public ProcessResult From(ResultOrigin origin) => new(ExitCode, Output, Elapsed, Stopped, StartError, origin, RanOn) { ObjectChecked = ObjectChecked };

    /// <summary>No process ran: the result came from a cache (this machine's or a farm's).</summary>
    public bool FromCache => Origin.IsCache();
}
