using Dtlto.Build.Engine.Tracing;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// An executor that sends jobs to a farm, and so has more to say than where each job ran (which
/// its results say): its own work for the summary, what its parallelism is, and each action's
/// parts (upload, queue, execution) for the link's timeline.
/// </summary>
public interface IFarmClient : IBackendExecutor
{
    /// <summary>The client's own work in words (push-backs, retries, bytes); empty for nothing to say.</summary>
    string TransportReport { get; }

    /// <summary>What the summary's count of workers means for a link through the farm.</summary>
    string WorkersMeaning { get; }

    /// <summary>The link's timeline, which gets each action's parts; null for none.</summary>
    LinkTrace? Trace { get; set; }
}
