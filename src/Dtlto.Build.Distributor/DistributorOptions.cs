using System;

namespace Dtlto.Build.Distributor;

/// <summary>What the command line asked for.</summary>
public sealed class DistributorOptions
{
    public DistributorOptions(string jobListPath, int jobs, bool verbose, string? buildPipe, TimeSpan? jobTimeout)
    {
        JobTimeout = jobTimeout;
        BuildPipe = buildPipe;
        JobListPath = jobListPath;
        Jobs = jobs;
        Verbose = verbose;
    }

    public string JobListPath { get; }

    /// <summary>How many backend compiles may run at once.</summary>
    public int Jobs { get; }

    public bool Verbose { get; }

    /// <summary>How long one backend compile may run; null for no limit.</summary>
    public TimeSpan? JobTimeout { get; }

    /// <summary>Where to write the link's timeline; null for none.</summary>
    public string? TracePath { get; init; }

    /// <summary>The --history an older link passes, which is ignored with a warning; null when not given.</summary>
    public string? HistoryPath { get; init; }

    /// <summary>Report each finished job as a line of JSON on standard output.</summary>
    public bool JobResults { get; init; }

    /// <summary>Only print the order the jobs would run in.</summary>
    public bool DryRun { get; init; }

    /// <summary>The Remote Execution API server to run the jobs through; null to run them here.</summary>
    public Engine.Remote.RemoteConfiguration? Remote { get; init; }

    /// <summary>This machine's cache of backend results (on unless --no-cache).</summary>
    public Engine.Caching.CacheConfiguration Cache { get; init; } = new();

    /// <summary>The pipe of the build that runs the jobs itself; null to run them here.</summary>
    public string? BuildPipe { get; }
}
