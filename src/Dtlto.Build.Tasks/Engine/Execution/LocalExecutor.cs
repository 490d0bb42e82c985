using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// Runs each backend compile as a process on this machine, in lld's working directory. A
/// command line too long for the system is passed through a response file next to the job's
/// object, removed when the job ends.
/// </summary>
public sealed class LocalExecutor : IBackendExecutor
{
    private readonly int _commandLineLimit;

    public LocalExecutor(int? commandLineLimit = null) => _commandLineLimit = commandLineLimit ?? ResponseFile.Limit;

    public Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken) =>
        RunAsync(jobList, jobList.CommandFor(job), jobList.Resolve(job.NativeObject), cancellationToken);

    /// <summary>Runs a backend command in lld's working directory; <paramref name="output"/> names the response file, when one is needed.</summary>
    public async Task<ProcessResult> RunAsync(JobList jobList, IReadOnlyList<string> command, string output, CancellationToken cancellationToken)
    {
        if (!ResponseFile.IsNeeded(command, _commandLineLimit))
            return await ProcessRunner.RunAsync(command, jobList.BaseDirectory, cancellationToken).ConfigureAwait(false);

        string responseFile = output + ".rsp";
        try
        {
            IReadOnlyList<string> shortCommand = ResponseFile.Write(command, responseFile);
            return await ProcessRunner.RunAsync(shortCommand, jobList.BaseDirectory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            QuietDelete.File(responseFile);
        }
    }
}
