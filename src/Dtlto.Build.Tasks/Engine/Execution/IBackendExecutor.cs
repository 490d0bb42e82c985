using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// Where a backend compile runs: a local process, a build farm, a cache. An executor runs one
/// job and reports how it ended; <see cref="BackendCompile"/> decides what runs when and checks
/// the outputs, so every executor gets the same guarantees.
/// </summary>
public interface IBackendExecutor
{
    Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken);
}
