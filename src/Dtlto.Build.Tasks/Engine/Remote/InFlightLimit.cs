using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// How many actions may be executing on the farm at once, adapted to what the farm takes, as TCP
/// adapts its congestion window: halved when the farm pushes back (RESOURCE_EXHAUSTED,
/// UNAVAILABLE), raised by about one for every limit's worth of actions that complete, never above
/// the configured maximum nor below one. A burst of refusals of calls made under the same limit
/// halves it once, not once per refusal.
/// </summary>
internal sealed class InFlightLimit
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource<long>> _waiting = new();
    private readonly int _maximum;
    private double _limit;
    private int _inFlight;
    private long _generation;
    private int _pushBacks;
    private int _lowest;

    public InFlightLimit(int maximum)
    {
        _maximum = Math.Max(1, maximum);
        _limit = _maximum;
        _lowest = _maximum;
    }

    /// <summary>The limit now.</summary>
    public int Current
    {
        get
        {
            lock (_lock)
                return (int)_limit;
        }
    }

    /// <summary>The lowest the limit fell to.</summary>
    public int Lowest
    {
        get
        {
            lock (_lock)
                return _lowest;
        }
    }

    /// <summary>How often the farm pushed back.</summary>
    public int PushBacks => Volatile.Read(ref _pushBacks);

    /// <summary>Actions holding a place now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
                return _inFlight;
        }
    }

    /// <summary>Actions waiting here for a place.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
                return _waiting.Count;
        }
    }

    /// <summary>Which limit a call was made under: pass it to <see cref="PushedBack"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Waits for a place; returns the generation it was granted in. Give it back with <see cref="Release"/>.</summary>
    public Task<long> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<long> waiter;
        LinkedListNode<TaskCompletionSource<long>> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && _inFlight < (int)_limit)
            {
                _inFlight++;
                return Task.FromResult(_generation);
            }

            waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    if (node.List is null)
                        return;
                    _waiting.Remove(node);
                }

                waiter.TrySetCanceled(cancellationToken);
            });
            waiter.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return waiter.Task;
    }

    /// <summary>Gives a place back; <paramref name="completed"/> when its action finished on the farm, which raises the limit.</summary>
    public void Release(bool completed)
    {
        var granted = new List<(TaskCompletionSource<long> Waiter, long Generation)>();
        lock (_lock)
        {
            _inFlight--;
            if (completed)
                _limit = Math.Min(_maximum, _limit + (1.0 / _limit));
            while (_waiting.Count > 0 && _inFlight < (int)_limit)
            {
                TaskCompletionSource<long> next = _waiting.First!.Value;
                _waiting.RemoveFirst();
                _inFlight++;
                granted.Add((next, _generation));
            }
        }

        foreach ((TaskCompletionSource<long> waiter, long generation) in granted)
        {
            // A waiter cancelled just now gives its place to the next.
            if (!waiter.TrySetResult(generation))
                Release(completed: false);
        }
    }

    /// <summary>The farm refused a call made under <paramref name="generation"/>: the limit halves, once per generation.</summary>
    public void PushedBack(long generation)
    {
        Interlocked.Increment(ref _pushBacks);
        lock (_lock)
        {
            if (generation != _generation)
                return;
            _generation++;
            _limit = Math.Max(1, Math.Floor(_limit / 2));
            _lowest = Math.Min(_lowest, (int)_limit);
        }
    }
}
