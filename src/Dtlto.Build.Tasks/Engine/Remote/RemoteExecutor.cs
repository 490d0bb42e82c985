using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Remote.Protocol;
using Dtlto.Build.Engine.Tracing;
using Dtlto.Build.Engine.Verification;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Runs backend compiles through a Remote Execution API v2 server (Buildbarn, BuildBuddy,
/// NativeLink, BuildGrid, EngFlow, Buildfarm): every job becomes a cacheable action (see
/// <see cref="RemoteActionBuilder"/>), looked up in the action cache, and, on a miss, executed
/// on the farm (<see cref="RemoteMode.Execute"/>) under an in-flight limit that follows the farm's
/// push-back (<see cref="InFlightLimit"/>), raced by this machine's idle cores (<see cref="LocalRace"/>),
/// or compiled here with its result uploaded (<see cref="RemoteMode.CacheOnly"/>). When the farm
/// cannot do its part (unreachable, failing, or stalled: see <see cref="FarmWatch"/>), the job
/// compiles here with a warning, or fails with <see cref="RemoteExecutionException"/> when
/// <see cref="RemoteSettings.Strict"/>. This class says which way each job goes; each way is a
/// room of its own: <see cref="FarmAvailability"/>, <see cref="ActionCacheLookup"/>,
/// <see cref="FarmRun"/>, <see cref="ActionOutputs"/>, <see cref="ResultPublisher"/> and <see cref="LocalFallback"/>.
/// </summary>
public sealed class RemoteExecutor : IFarmClient, IDisposable
{
    private readonly RemoteSettings _settings;
    private readonly Action<string> _warn;
    private readonly RemoteConnection _connection;
    private readonly InFlightLimit _limit;
    private readonly FarmWatch _watch;
    private readonly RemoteRetry _retry;
    private readonly RemoteCas _cas;
    private readonly FarmAvailability _availability;
    private readonly ActionCacheLookup _lookup;
    private readonly FarmRun _farm;
    private readonly ActionOutputs _outputs;
    private readonly ResultPublisher _publisher;
    private readonly LocalFallback _here;
    private readonly RemoteTimings _timings = new();
    private readonly LocalRace? _race;
    private readonly RemoteToolchain? _toolchain;
    private readonly Caching.FileHasher _digests;
    private RemoteActionBuilder? _builder;
    private int _warnedSideOutputs;

    /// <param name="warn">Receives each warning (the farm unreachable or stalled, a job compiled here instead); never the token.</param>
    /// <param name="toolchain">The compiler to send with every action, or null when the workers provide it.</param>
    /// <param name="status">Receives the lines said while actions wait on the farm; null to drop them.</param>
    /// <param name="digests">The link's file digests (shared with its cache); null for new ones kept in the settings' digest folder.</param>
    public RemoteExecutor(RemoteSettings settings, Action<string> warn, RemoteToolchain? toolchain = null, Action<string>? status = null, Caching.FileHasher? digests = null)
    {
        _settings = settings;
        _digests = digests ?? DigestsFor(settings);
        _warn = warn;
        _toolchain = toolchain;
        _connection = new RemoteConnection(settings);
        _limit = new InFlightLimit(settings.MaxConcurrency);
        Action<string> say = status ?? (_ => { });
        _watch = new FarmWatch(settings.StallTimeout, settings.StatusInterval, say, () => $"in-flight limit {_limit.Current}");
        _retry = new RemoteRetry(settings, _limit, _watch);
        _cas = new RemoteCas(_connection, _retry);
        _availability = new FarmAvailability(settings, new ServerCheck(settings, _connection, _retry, say), warn, say, Use);
        _lookup = new ActionCacheLookup(settings, _connection, _retry, _watch);
        _outputs = new ActionOutputs(_cas, _timings, settings.MaxOutputSize);
        _publisher = new ResultPublisher(settings, _connection, _retry, _cas, warn);
        var local = new LocalExecutor();
        _here = new LocalFallback(settings, _watch, warn, local, new SemaphoreSlim(Math.Max(1, settings.LocalConcurrency)));
        if (settings.Race && settings.Mode == RemoteMode.Execute)
            _race = new LocalRace(local, _here.Slots, settings.LocalConcurrency, settings.ActionTimeout);
        _farm = new FarmRun(settings, _watch, _cas, new FarmExecution(settings, _connection, _limit, _watch, _retry), _outputs, _timings, _race);
    }

    /// <summary>
    /// The executor a configuration asks for, with the compiler of the job list when it is to be
    /// uploaded. Throws <see cref="FormatException"/> for a bad setting and <see cref="IOException"/>
    /// when the toolchain cannot be collected.
    /// </summary>
    public static RemoteExecutor Create(RemoteConfiguration configuration, JobList jobList, Action<string> warn, Action<string>? status = null, Caching.FileHasher? digests = null)
    {
        RemoteSettings settings = configuration.ToSettings(warn);
        digests ??= DigestsFor(settings);
        RemoteToolchain? toolchain = settings.UploadToolchain && jobList.Jobs.Count > 0 ? RemoteToolchain.Collect(jobList.CommandFor(jobList.Jobs[0])[0], digests) : null;
        return new RemoteExecutor(settings, warn, toolchain, status, digests);
    }

    /// <summary>Digests kept between links in the settings' folder (the link's cache folder), or for this link only.</summary>
    private static Caching.FileHasher DigestsFor(RemoteSettings settings) =>
        settings.DigestStoreFolder is string folder ? Caching.FileHasher.KeepingIn(folder) : Caching.FileHasher.ForOneLink();

    /// <summary>Jobs in flight at once: the in-flight limit's maximum (the limit itself adapts below it).</summary>
    public int Parallelism => _settings.MaxConcurrency;

    /// <summary>What the summary's count of workers means for a link through the farm.</summary>
    public string WorkersMeaning => $"actions in flight at most; {_settings.LocalConcurrency} compiles at once here";

    /// <summary>The link's trace, which gets each action's time on the farm and where each job ran.</summary>
    public LinkTrace? Trace
    {
        get => _timings.Trace;
        set => _timings.Trace = value;
    }

    public int Retries => _retry.Retries;

    /// <summary>
    /// What the client says of its own work for the link's summary (the farm's push-backs, retried
    /// calls, results published, bytes, hashing, time on the farm); the jobs' counts are the
    /// results' (<see cref="ResultOrigin"/>).
    /// </summary>
    public string TransportReport
    {
        get
        {
            var parts = new List<string>();
            if (_limit.PushBacks > 0)
                parts.Add($"farm pushed back {_limit.PushBacks} times (in-flight limit fell to {_limit.Lowest})");
            if (Retries > 0)
                parts.Add($"{Retries} calls retried");
            // The summary is said at the end of the link: it counts the uploads of races won here once they are over.
            _publisher.Drain();
            if (_publisher.Published > 0)
                parts.Add($"{_publisher.Published} results compiled here put in the action cache");
            if (_publisher.Describe() is { Length: > 0 } stayed)
                parts.Add(stayed);
            (long wireUp, long rawUp, long wireDown, long rawDown) = _cas.Bytes;
            if (rawUp + rawDown > 0)
                parts.Add($"sent {wireUp / 1e6:0.0} MB, received {wireDown / 1e6:0.0} MB" +
                    (wireUp != rawUp || wireDown != rawDown ? $" (zstd; {rawUp / 1e6:0.0} and {rawDown / 1e6:0.0} MB as they are)" : ""));
            (long bytes, TimeSpan time) = _digests.Hashed;
            if (_digests.Store is not null)
                parts.Add($"hashed {bytes / 1e6:0.0} MB in {time.TotalSeconds:0.00} s, {_digests.StoreHits} files from the digest cache");
            string timings = _timings.Describe();
            if (timings.Length > 0)
                parts.Add(timings);
            return string.Join(", ", parts);
        }
    }

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            if (!await _availability.ConnectAsync(jobList, cancellationToken).ConfigureAwait(false))
            {
                return _availability.PendingRecheck is Task<bool> recheck
                    ? await HereUnlessTheFarmAnswersAsync(jobList, job, recheck, cancellationToken).ConfigureAwait(false)
                    : await _here.FallBackAsync(jobList, job, null, cancellationToken).ConfigureAwait(false);
            }

            if (_watch.IsStalled)
                return await _here.StalledAsync(jobList, job, cancellationToken).ConfigureAwait(false);

            if (SideOutputs.Unknown(jobList.CommandFor(job)) is string writesMore)
            {
                if (Interlocked.Exchange(ref _warnedSideOutputs, 1) == 0)
                    _warn($"backend compiles of this link run on this machine: {writesMore}, which lld's job list does not name and a farm would not bring back");
                return await _here.CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            }

            (RemoteAction? action, string? reason) = _builder!.Build(jobList, job);
            if (action is null)
            {
                _warn($"{job.ModuleName} compiles on this machine: {reason}");
                return await _here.CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            }

            return await RunAsync(jobList, job, action, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            return new ProcessResult(-1, "", stopwatch.Elapsed, stopped: true, startError: null);
        }
        catch (Exception e) when (_watch.IsStalled && e is OperationCanceledException or RpcException)
        {
            return await _here.StalledAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFarmFailure(e) && e is not RemoteTlsException && e != _availability.ConnectionFailure)
        {
            if (_settings.Strict)
                throw new RemoteExecutionException($"the remote execution server failed {job.ModuleName}: {Describe(e)}", e);
            return await _here.FallBackAsync(jobList, job, Describe(e), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProcessResult> RunAsync(JobList jobList, BackendJob job, RemoteAction action, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        // Execute looks the action up in the farm's cache itself (one call per action); a link that never executes there asks the cache alone.
        ActionResult? cached = _settings.Mode == RemoteMode.CacheOnly ? await _lookup.FindAsync(action, cancellationToken).ConfigureAwait(false) : null;
        if (cached is not null && await _outputs.TakeAsync(jobList, job, action, cached, () => true, cancellationToken).ConfigureAwait(false) == OutputsTaken.Taken)
        {
            return new ProcessResult(0, await _outputs.TextAsync(cached, cancellationToken).ConfigureAwait(false), stopwatch.Elapsed, false, null, ResultOrigin.FarmCache).WithObjectChecked();
        }

        if (_settings.Mode == RemoteMode.CacheOnly)
        {
            // What the farm's cache is given has passed the check that this machine's cache asks of it.
            ProcessResult local = JobObjectCheck.Checked(jobList, job, await _here.CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false));
            if (local.ObjectChecked)
                await _publisher.PublishAsync(action, local.Output, cancellationToken).ConfigureAwait(false);
            return local;
        }

        // The farm's attempt ends when the caller stops the job, when the farm stalls, or when this machine wins the race.
        using var farmAttempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _watch.Stalled);
        // A compile here would write its side outputs (a .dwo) where the farm's are put: such jobs are not raced.
        RaceEntry? entry = job.SideOutputs.Count == 0 ? _race?.Enter(jobList, job, farmAttempt) : null;
        ProcessResult? farm;
        try
        {
            farm = await _farm.RunAsync(jobList, job, action, entry, stopwatch, farmAttempt.Token).ConfigureAwait(false);
            if (farm is null)
                return await WonHereAsync(action, entry!).ConfigureAwait(false);
        }
        catch (Exception e) when (entry?.Winner == RaceWinner.Here && e is OperationCanceledException or RpcException)
        {
            return await WonHereAsync(action, entry).ConfigureAwait(false);
        }
        finally
        {
            if (entry is not null)
                await _race!.LeaveAsync(entry).ConfigureAwait(false);
        }

        // A compile here that the farm's result beat: the farm won the race.
        return entry is { RacedHere: true, Winner: RaceWinner.Farm } && farm.Origin == ResultOrigin.Farm ? farm.From(ResultOrigin.FarmWonRace) : farm;
    }

    /// <summary>A race this machine won (its result whole and checked): the farm was told to stop, so the result goes to the action cache from here.</summary>
    private async Task<ProcessResult> WonHereAsync(RemoteAction action, RaceEntry entry)
    {
        ProcessResult result = (await entry.HereResult.ConfigureAwait(false))!;
        _publisher.PublishInBackground(action, result.Output);
        return result.From(ResultOrigin.HereWonRace);
    }

    /// <summary>What the server said it can do, applied to the link's calls; from now on jobs go to the farm.</summary>
    private void Use(ServerCapabilities capabilities, JobList jobList)
    {
        _cas.BatchLimit = capabilities.CacheCapabilities?.MaxBatchTotalSizeBytes ?? 0;
        _cas.CompressBatches = capabilities.CacheCapabilities?.SupportedBatchUpdateCompressors.Contains(Compressor.Types.Value.Zstd) == true;
        _cas.CompressStreams = capabilities.CacheCapabilities?.SupportedCompressors.Contains(Compressor.Types.Value.Zstd) == true;
        _publisher.ServerAccepts = capabilities.CacheCapabilities?.ActionCacheUpdateCapabilities?.UpdateEnabled ?? false;
        if (_settings.Mode == RemoteMode.CacheOnly && !_publisher.ServerAccepts && _settings.Upload)
            _warn($"the server at {_settings.Address} does not accept action results from clients; compiles run here and are not cached");
        _builder = new RemoteActionBuilder(_settings, jobList.CommandFor(jobList.Jobs[0])[0], _toolchain, _digests);
    }

    /// <summary>
    /// A job of a link whose server an earlier link found down: compiled here when a core is free,
    /// or sent to the farm if the server answers the link's check first.
    /// </summary>
    private async Task<ProcessResult> HereUnlessTheFarmAnswersAsync(JobList jobList, BackendJob job, Task<bool> recheck, CancellationToken cancellationToken)
    {
        Task slot = _here.Slots.WaitAsync(cancellationToken);
        if (await Task.WhenAny(slot, recheck).ConfigureAwait(false) != slot && await recheck.ConfigureAwait(false))
        {
            _ = slot.ContinueWith(taken => { if (taken.Status == TaskStatus.RanToCompletion) _here.Slots.Release(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        }

        await slot.ConfigureAwait(false);
        return (await _here.CompileInSlotAsync(jobList, job, cancellationToken).ConfigureAwait(false)).From(ResultOrigin.HereAfterFarmFailure);
    }

    private static bool IsFarmFailure(Exception e) => e is RpcException or RemoteExecutionException or System.Net.Http.HttpRequestException;

    /// <summary>What went wrong, in words that never carry the request's headers (and so never the token).</summary>
    private static string Describe(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => e.Message,
    };

    public void Dispose()
    {
        _availability.Dispose();
        _digests.Save();
        _race?.Dispose();
        _publisher.Drain();
        _watch.Dispose();
        _connection.Dispose();
        _here.Slots.Dispose();
    }
}
