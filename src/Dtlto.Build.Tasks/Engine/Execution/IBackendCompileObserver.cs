using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// Hears about jobs as they start and finish. Called from worker threads, possibly at the same
/// time; implementations must be thread-safe and quick.
/// </summary>
public interface IBackendCompileObserver
{
    void JobStarted(int worker, BackendJob job);

    void JobFinished(int worker, JobResult result);
}
