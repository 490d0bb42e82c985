using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Tests.Execution;

/// <summary>An executor whose jobs do what the test says, and which records what it saw.</summary>
internal sealed class FakeExecutor : IBackendExecutor
{
    private readonly Func<JobList, BackendJob, CancellationToken, Task<ProcessResult>> _behaviour;
    private int _running;

    public FakeExecutor(Func<JobList, BackendJob, CancellationToken, Task<ProcessResult>> behaviour) => _behaviour = behaviour;

    public int MaxRunning { get; private set; }

    public ConcurrentQueue<int> Started { get; } = new();

    public ConcurrentQueue<int> Stopped { get; } = new();

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        Started.Enqueue(job.Index);
        int now = Interlocked.Increment(ref _running);
        lock (this)
            MaxRunning = Math.Max(MaxRunning, now);
        try
        {
            return await _behaviour(jobList, job, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Stopped.Enqueue(job.Index);
            return new ProcessResult(-1, "", TimeSpan.Zero, stopped: true, startError: null);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public static ProcessResult Exit(int code, string output = "") => new(code, output, TimeSpan.FromMilliseconds(1), stopped: false, startError: null);
}
