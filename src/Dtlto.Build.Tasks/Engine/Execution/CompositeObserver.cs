using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Execution;

/// <summary>Passes every event on to several observers (a reporter and a trace, say).</summary>
public sealed class CompositeObserver : IBackendCompileObserver
{
    private readonly IReadOnlyList<IBackendCompileObserver> _observers;

    public CompositeObserver(params IBackendCompileObserver?[] observers) => _observers = observers.Where(o => o is not null).ToList()!;

    public void JobStarted(int worker, BackendJob job)
    {
        foreach (IBackendCompileObserver observer in _observers)
            observer.JobStarted(worker, job);
    }

    public void JobFinished(int worker, JobResult result)
    {
        foreach (IBackendCompileObserver observer in _observers)
            observer.JobFinished(worker, result);
    }
}
