using System;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote.Protocol;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Whether this link uses the farm, decided once by its first job (<see cref="ServerCheck"/>):
/// a server that cannot be reached is a warning and compiles here (or the link's failure when
/// strict, or when TLS fails); a server an earlier link found down is asked again in the
/// background while the link compiles here, and used from the moment it answers.
/// </summary>
internal sealed class FarmAvailability : IDisposable
{
    private readonly RemoteSettings _settings;
    private readonly ServerCheck _check;
    private readonly Action<string> _warn;
    private readonly Action<string> _status;
    private readonly Action<ServerCapabilities, JobList> _use;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task<bool>? _recheck;
    private int _reachable;
    private RemoteExecutionException? _connectionFailure;

    /// <param name="use">Applies what the server said it can do to the link's calls, before any job goes to the farm.</param>
    public FarmAvailability(RemoteSettings settings, ServerCheck check, Action<string> warn, Action<string> status, Action<ServerCapabilities, JobList> use)
    {
        _settings = settings;
        _check = check;
        _warn = warn;
        _status = status;
        _use = use;
    }

    /// <summary>The server's check of a link that compiles here until it answers; null when there is none or it is over.</summary>
    public Task<bool>? PendingRecheck => _recheck is { IsCompleted: false } recheck ? recheck : null;

    /// <summary>The failure that fails the link (strict, or TLS), said once by the job that found it.</summary>
    public Exception? ConnectionFailure => _connectionFailure;

    /// <summary>Asks the server once what it can do; false (after a warning) when it cannot be reached and fallback is allowed.</summary>
    public async Task<bool> ConnectAsync(JobList jobList, CancellationToken cancellationToken)
    {
        if (Reachable is bool known)
            return known;
        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connectionFailure is null)
                return await DecideAsync(jobList, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connect.Release();
        }

        // The job that found the connection unusable said so and fails the link, which stops this
        // job too: the link says it once, not once per job.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether the server is used: null until the first call has said.</summary>
    private bool? Reachable => Volatile.Read(ref _reachable) switch { 1 => true, 2 => false, _ => null };

    /// <summary>The first call of the link, under <see cref="_connect"/>: whether the server can be used.</summary>
    private async Task<bool> DecideAsync(JobList jobList, CancellationToken cancellationToken)
    {
        if (Reachable is bool decided)
            return decided;
        if (_check.RememberedDown is (DateTime when, string why))
        {
            _warn($"the remote execution server at {_settings.Address} could not be used {Ago(when)} ({why}); the backend compiles run on this machine " +
                "and the server is asked again meanwhile: once it answers, the compiles not yet started go to it");
            _recheck = RecheckAsync(jobList);
            // The check may have found the server already.
            return Interlocked.CompareExchange(ref _reachable, 2, 0) == 1;
        }

        try
        {
            Use(await _check.RunAsync(cancellationToken).ConfigureAwait(false), jobList);
            return true;
        }
        catch (RemoteExecutionException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed TLS handshake is a setting to fix: it fails the link, strict or not, and is never retried in cleartext.
            if (_settings.Strict || e is RemoteTlsException)
                throw _connectionFailure = e;
            _warn(e.Message + "; the backend compiles run on this machine");
            Volatile.Write(ref _reachable, 2);
            return false;
        }
    }

    /// <summary>The server found down by an earlier link, asked again while this one compiles here; true once it answers.</summary>
    private async Task<bool> RecheckAsync(JobList jobList)
    {
        try
        {
            Use(await _check.RunAsync(_stopping.Token, quiet: true).ConfigureAwait(false), jobList);
            _status($"the remote execution server at {_settings.Address} answers again: the backend compiles not yet started go to it");
            return true;
        }
        catch (Exception)
        {
            // Still down (remembered again), or the link ended first: the link goes on here either way.
            return false;
        }
    }

    /// <summary>What the server said it can do, applied to the link's calls; from now on jobs go to the farm.</summary>
    private void Use(ServerCapabilities capabilities, JobList jobList)
    {
        _use(capabilities, jobList);
        Volatile.Write(ref _reachable, 1);
    }

    private static string Ago(DateTime when)
    {
        TimeSpan ago = DateTime.UtcNow - when;
        return ago < TimeSpan.FromMinutes(1) ? $"{Math.Max(0, ago.TotalSeconds):0} s ago" : $"{ago.TotalMinutes:0} min ago";
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _recheck?.GetAwaiter().GetResult();
        _stopping.Dispose();
        _connect.Dispose();
    }
}
