using System;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Jobserver;

/// <summary>
/// Runs the executor behind under a make jobserver's limit: the first compile at a time uses the
/// slot make gave this process's recipe; every other one takes a token first and gives it back
/// when it ends, whether it succeeded, failed or was stopped. A whole `make -jN` build then never
/// runs more than N jobs at once.
/// </summary>
public sealed class JobserverExecutor : IBackendExecutor
{
    private readonly IBackendExecutor _inner;
    private readonly JobserverClient _client;
    private int _ownSlotFree = 1;
    private int _running;
    private int _mostAtOnce;

    public JobserverExecutor(IBackendExecutor inner, JobserverClient client)
    {
        _inner = inner;
        _client = client;
    }

    /// <summary>The most compiles that ran at once.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        byte? token = null;
        if (Interlocked.Exchange(ref _ownSlotFree, 0) == 0)
        {
            try
            {
                token = await Task.Run(() => _client.Acquire(cancellationToken), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new ProcessResult(-1, "", TimeSpan.Zero, stopped: true, startError: null);
            }
        }

        int running = Interlocked.Increment(ref _running);
        for (int most = Volatile.Read(ref _mostAtOnce); running > most; most = Volatile.Read(ref _mostAtOnce))
            Interlocked.CompareExchange(ref _mostAtOnce, running, most);
        try
        {
            return await _inner.ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            if (token is byte taken)
                _client.Release(taken);
            else
                Volatile.Write(ref _ownSlotFree, 1);
        }
    }
}
