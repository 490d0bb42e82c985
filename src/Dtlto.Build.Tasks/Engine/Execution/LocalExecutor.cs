using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Execution;

/// <summary>Runs each backend compile as a process on this machine, in lld's working directory.</summary>
public sealed class LocalExecutor : IBackendExecutor
{
    public Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(jobList.CommandFor(job), jobList.BaseDirectory, cancellationToken);
}
