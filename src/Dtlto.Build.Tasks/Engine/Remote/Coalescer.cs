using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Gathers the items many actions submit at once into few calls, as the remote-apis-sdks
/// batching does: at most <c>maxCalls</c> calls are out at a time; items submitted meanwhile wait
/// and leave together in the next call, up to a cost limit per call (a count of digests, or bytes
/// of blobs). A call waits <see cref="Linger"/> before it takes its batch, so that the items one
/// action submits one after another (its blobs, as each is found missing) leave together.
/// </summary>
internal sealed class Coalescer<TItem, TResult>
{
    /// <summary>Short beside any remote action, long beside the gaps between one action's submissions.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _send;
    private readonly Func<TItem, long> _cost;
    private readonly Func<long> _maxCost;
    private readonly int _maxCalls;
    private readonly object _lock = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Result)> _waiting = new();
    private int _calls;

    /// <param name="send">One call for a batch; returns one result per item, in order.</param>
    public Coalescer(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> send, Func<TItem, long> cost, Func<long> maxCost, int maxCalls)
    {
        _send = send;
        _cost = cost;
        _maxCost = maxCost;
        _maxCalls = maxCalls;
    }

    public Task<TResult> SubmitAsync(TItem item)
    {
        var result = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _waiting.Enqueue((item, result));
            start = _calls < _maxCalls;
            if (start)
                _calls++;
        }

        if (start)
            _ = Task.Run(PumpAsync);
        return result.Task;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            await Task.Delay(Linger).ConfigureAwait(false);
            var batch = new List<(TItem Item, TaskCompletionSource<TResult> Result)>();
            lock (_lock)
            {
                long cost = 0;
                long maxCost = _maxCost();
                while (_waiting.Count > 0 && (batch.Count == 0 || cost + _cost(_waiting.Peek().Item) <= maxCost))
                {
                    var next = _waiting.Dequeue();
                    cost += _cost(next.Item);
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    _calls--;
                    return;
                }
            }

            try
            {
                var items = new List<TItem>(batch.Count);
                foreach (var entry in batch)
                    items.Add(entry.Item);
                IReadOnlyList<TResult> results = await _send(items).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++)
                    batch[i].Result.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var entry in batch)
                    entry.Result.TrySetException(e);
            }
        }
    }
}
