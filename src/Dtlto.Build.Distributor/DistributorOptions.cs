namespace Dtlto.Build.Distributor;

/// <summary>What the command line asked for.</summary>
public sealed class DistributorOptions
{
    public DistributorOptions(string jobListPath, int jobs, bool verbose)
    {
        JobListPath = jobListPath;
        Jobs = jobs;
        Verbose = verbose;
    }

    public string JobListPath { get; }

    /// <summary>How many backend compiles may run at once.</summary>
    public int Jobs { get; }

    public bool Verbose { get; }
}
