using System.Threading;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Dtlto.Build.Tasks;

/// <summary>Logs each finished backend compile as <c>[n/total] module (seconds)</c> while the batch runs.</summary>
internal sealed class BackendCompileProgress : IBackendCompileObserver
{
    private readonly TaskLoggingHelper _log;
    private readonly int _total;
    private int _finished;

    public BackendCompileProgress(TaskLoggingHelper log, int total)
    {
        _log = log;
        _total = total;
    }

    public void JobStarted(int worker, BackendJob job)
    {
    }

    public void JobFinished(int worker, JobResult result)
    {
        if (result.Status != JobStatus.Succeeded)
            return;
        int n = Interlocked.Increment(ref _finished);
        _log.LogMessage(MessageImportance.Normal, $"[{n}/{_total}] {result.Job.ModuleName} ({(result.FromCache ? "from the cache" : $"{result.Elapsed.TotalSeconds:0.00} s")})");
    }
}
