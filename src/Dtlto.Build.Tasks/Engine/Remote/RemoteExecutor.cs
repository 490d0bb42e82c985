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
/// <see cref="RemoteSettings.Strict"/>.
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
    private readonly ActionOutputs _outputs;
    private readonly ResultPublisher _publisher;
    private readonly RemoteTimings _timings = new();
    private readonly LocalExecutor _local = new();
    private readonly SemaphoreSlim _localSlots;
    private readonly LocalRace? _race;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly RemoteToolchain? _toolchain;
    private readonly Caching.FileHasher _digests;
    private RemoteActionBuilder? _builder;
    private readonly ServerCheck _check;
    private readonly Action<string> _status;
    private readonly CancellationTokenSource _stopping = new();
    private Task<bool>? _recheck;
    private int _reachable;
    private RemoteExecutionException? _connectionFailure;
    private int _warnedFallback;
    private int _warnedStall;
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
        _status = status ?? (_ => { });
        _watch = new FarmWatch(settings.StallTimeout, settings.StatusInterval, _status, () => $"in-flight limit {_limit.Current}");
        _retry = new RemoteRetry(settings, _limit, _watch);
        _cas = new RemoteCas(_connection, _retry);
        _outputs = new ActionOutputs(_cas, _timings, settings.MaxOutputSize);
        _publisher = new ResultPublisher(settings, _connection, _retry, _cas, warn);
        _check = new ServerCheck(settings, _connection, _retry, _status);
        _localSlots = new SemaphoreSlim(Math.Max(1, settings.LocalConcurrency));
        if (settings.Race && settings.Mode == RemoteMode.Execute)
            _race = new LocalRace(_local, _localSlots, settings.LocalConcurrency, settings.ActionTimeout);
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
            if (!await ConnectAsync(jobList, cancellationToken).ConfigureAwait(false))
            {
                return _recheck is { IsCompleted: false } recheck
                    ? await HereUnlessTheFarmAnswersAsync(jobList, job, recheck, cancellationToken).ConfigureAwait(false)
                    : await FallBackAsync(jobList, job, null, cancellationToken).ConfigureAwait(false);
            }

            if (_watch.IsStalled)
                return await StalledAsync(jobList, job, cancellationToken).ConfigureAwait(false);

            if (SideOutputs.Unknown(jobList.CommandFor(job)) is string writesMore)
            {
                if (Interlocked.Exchange(ref _warnedSideOutputs, 1) == 0)
                    _warn($"backend compiles of this link run on this machine: {writesMore}, which lld's job list does not name and a farm would not bring back");
                return await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            }

            (RemoteAction? action, string? reason) = _builder!.Build(jobList, job);
            if (action is null)
            {
                _warn($"{job.ModuleName} compiles on this machine: {reason}");
                return await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            }

            return await RunAsync(jobList, job, action, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            return new ProcessResult(-1, "", stopwatch.Elapsed, stopped: true, startError: null);
        }
        catch (Exception e) when (_watch.IsStalled && e is OperationCanceledException or RpcException)
        {
            return await StalledAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFarmFailure(e) && e is not RemoteTlsException && e != _connectionFailure)
        {
            if (_settings.Strict)
                throw new RemoteExecutionException($"the remote execution server failed {job.ModuleName}: {Describe(e)}", e);
            return await FallBackAsync(jobList, job, Describe(e), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProcessResult> RunAsync(JobList jobList, BackendJob job, RemoteAction action, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        ActionResult? cached = await LookUpAsync(action, cancellationToken).ConfigureAwait(false);
        if (cached is not null && await _outputs.TakeAsync(jobList, job, action, cached, () => true, cancellationToken).ConfigureAwait(false) == OutputsTaken.Taken)
        {
            return new ProcessResult(0, await _outputs.TextAsync(cached, cancellationToken).ConfigureAwait(false), stopwatch.Elapsed, false, null, ResultOrigin.FarmCache) { ObjectChecked = true };
        }

        if (_settings.Mode == RemoteMode.CacheOnly)
        {
            ProcessResult local = await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            if (local.ExitCode != 0 || local.StartError is not null || local.Stopped || ObjectVerifier.Problem(jobList.Resolve(job.NativeObject), jobList.TargetOf(job)) is not null)
                return local;
            await _publisher.PublishAsync(action, local.Output, cancellationToken).ConfigureAwait(false);
            return local.WithObjectChecked();
        }

        // The farm's attempt ends when the caller stops the job, when the farm stalls, or when this machine wins the race.
        using var farmAttempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _watch.Stalled);
        // A compile here would write its side outputs (a .dwo) where the farm's are put: such jobs are not raced.
        RaceEntry? entry = job.SideOutputs.Count == 0 ? _race?.Enter(jobList, job, farmAttempt) : null;
        ProcessResult? farm;
        try
        {
            farm = await RunOnFarmAsync(jobList, job, action, entry, stopwatch, farmAttempt.Token).ConfigureAwait(false);
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

    /// <summary>Uploads, executes and downloads one action; null when this machine won the race meanwhile.</summary>
    private async Task<ProcessResult?> RunOnFarmAsync(JobList jobList, BackendJob job, RemoteAction action, RaceEntry? entry, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        FarmStageCell stage = entry?.Stage ?? new FarmStageCell();
        bool completed = false;
        _watch.Sent();
        try
        {
            DateTime uploadStart = DateTime.UtcNow;
            _watch.Move(stage, FarmStage.Uploading);
            await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
            _timings.Uploaded(job, uploadStart, DateTime.UtcNow);
            ExecuteResponse response;
            try
            {
                response = await ExecuteOnFarmAsync(action, stage, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                // An input the server had when asked went missing before it ran: send everything again, once.
                _cas.ForgetUploads();
                await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
                response = await ExecuteOnFarmAsync(action, stage, cancellationToken).ConfigureAwait(false);
            }

            completed = true;
            _watch.Move(stage, FarmStage.Downloading);
            if (entry is not null)
                _race!.FarmReturned(entry);
            bool Claim() => entry?.TryWin(RaceWinner.Farm) ?? true;
            if (response.Status?.Code == (int)StatusCode.DeadlineExceeded)
                return Claim() ? new ProcessResult(-1, "", stopwatch.Elapsed, false, $"timed out after {_settings.ActionTimeout?.TotalSeconds ?? 0:0.#} s on the farm and was stopped there") : null;

            ActionResult result = response.Result ?? throw new RpcException(new Status(StatusCode.Internal, "the server answered Execute without a result"));
            _timings.Executed(job, response.CachedResult ? null : result.ExecutionMetadata);
            string output = await _outputs.TextAsync(result, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
                return FailedOnFarm(result, output, stopwatch, Claim);

            switch (await _outputs.TakeAsync(jobList, job, action, result, Claim, cancellationToken).ConfigureAwait(false))
            {
                case OutputsTaken.Lost:
                    return null;
                case OutputsTaken.Missing:
                    throw new RemoteAnswerException(action, job, "the action succeeded but the server returned none of its object");
            }

            return new ProcessResult(0, output, stopwatch.Elapsed, false, null, response.CachedResult ? ResultOrigin.FarmCache : ResultOrigin.Farm) { ObjectChecked = true };
        }
        finally
        {
            _watch.Move(stage, FarmStage.None);
            _watch.Returned(completed);
        }
    }

    /// <summary>
    /// A compile the farm ran and that failed: the job's failure, as a compile here would be (a
    /// compile error fails everywhere), said with where it ran and the compiler's words.
    /// </summary>
    private static ProcessResult? FailedOnFarm(ActionResult result, string output, Stopwatch stopwatch, Func<bool> claim)
    {
        string worker = string.IsNullOrEmpty(result.ExecutionMetadata?.Worker) ? "the farm" : $"the farm (worker {result.ExecutionMetadata!.Worker})";
        return claim() ? new ProcessResult(result.ExitCode, output, stopwatch.Elapsed, false, null, ResultOrigin.Farm, worker) : null;
    }

    /// <summary>
    /// Execute under the in-flight limit: waits for a place, follows the operation to its end
    /// (by WaitExecution when a stream ends early), and when the farm pushes back gives the place
    /// up, waits, and asks again; <see cref="RemoteRetry"/> says for how long.
    /// </summary>
    private async Task<ExecuteResponse> ExecuteOnFarmAsync(RemoteAction action, FarmStageCell stage, CancellationToken cancellationToken)
    {
        var request = new ExecuteRequest { InstanceName = _settings.InstanceName, ActionDigest = action.Digest, DigestFunction = DigestFunction.Types.Value.Sha256 };
        for (int attempt = 1; ; attempt++)
        {
            _watch.Move(stage, FarmStage.WaitingHere);
            long generation = await _limit.AcquireAsync(cancellationToken).ConfigureAwait(false);
            bool finished = false;
            TimeSpan delay;
            try
            {
                _watch.Move(stage, FarmStage.Queued);
                Operation? last = await FollowAsync(_connection.Execution.Execute(request, _connection.Call(cancellationToken)), stage, cancellationToken).ConfigureAwait(false);
                // A stream that ends before the operation is done is picked up again by name.
                while (last is not null && !last.Done)
                    last = await FollowAsync(_connection.Execution.WaitExecution(new WaitExecutionRequest { Name = last.Name }, _connection.Call(cancellationToken)), stage, cancellationToken).ConfigureAwait(false);
                ExecuteResponse response = Unpack(last ?? throw new RpcException(new Status(StatusCode.Unavailable, "the server ended Execute without an operation")));
                finished = true;
                _watch.Answered();
                return response;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested && _retry.DelayBeforeRetry(e, attempt, generation) is TimeSpan wait)
            {
                delay = wait;
            }
            finally
            {
                _limit.Release(finished);
            }

            _watch.Move(stage, FarmStage.WaitingHere);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The operation's response; an RpcException for an error, except an action's timeout, which is the job's failure.</summary>
    private static ExecuteResponse Unpack(Operation done)
    {
        if (done.ResultCase == Operation.ResultOneofCase.Error)
            throw new RpcException(new Status((StatusCode)done.Error.Code, done.Error.Message));
        if (done.Response is null || !done.Response.TryUnpack(out ExecuteResponse response))
            throw new RpcException(new Status(StatusCode.Internal, "the server's operation carries no ExecuteResponse"));
        if (response.Status is not null && response.Status.Code != 0 && response.Status.Code != (int)StatusCode.DeadlineExceeded)
            throw new RpcException(new Status((StatusCode)response.Status.Code, response.Status.Message));
        return response;
    }

    /// <summary>Reads an operation stream to its last message, following the stage the server reports.</summary>
    private async Task<Operation?> FollowAsync(AsyncServerStreamingCall<Operation> call, FarmStageCell stage, CancellationToken cancellationToken)
    {
        using (call)
        {
            Operation? last = null;
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                last = call.ResponseStream.Current;
                if (last.Metadata is not null && last.Metadata.TryUnpack(out ExecuteOperationMetadata metadata))
                {
                    if (metadata.Stage == ExecutionStage.Types.Value.Executing)
                        _watch.Move(stage, FarmStage.Executing);
                    else if (metadata.Stage == ExecutionStage.Types.Value.Queued)
                        _watch.Move(stage, FarmStage.Queued);
                }

                if (last.Done)
                    break;
            }

            return last;
        }
    }

    /// <summary>Asks the server once what it can do; false (after a warning) when it cannot be reached and fallback is allowed.</summary>
    private async Task<bool> ConnectAsync(JobList jobList, CancellationToken cancellationToken)
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
        _cas.BatchLimit = capabilities.CacheCapabilities?.MaxBatchTotalSizeBytes ?? 0;
        _cas.CompressBatches = capabilities.CacheCapabilities?.SupportedBatchUpdateCompressors.Contains(Compressor.Types.Value.Zstd) == true;
        _cas.CompressStreams = capabilities.CacheCapabilities?.SupportedCompressors.Contains(Compressor.Types.Value.Zstd) == true;
        _publisher.ServerAccepts = capabilities.CacheCapabilities?.ActionCacheUpdateCapabilities?.UpdateEnabled ?? false;
        if (_settings.Mode == RemoteMode.CacheOnly && !_publisher.ServerAccepts && _settings.Upload)
            _warn($"the server at {_settings.Address} does not accept action results from clients; compiles run here and are not cached");
        _builder = new RemoteActionBuilder(_settings, jobList.CommandFor(jobList.Jobs[0])[0], _toolchain, _digests);
        Volatile.Write(ref _reachable, 1);
    }

    private static string Ago(DateTime when)
    {
        TimeSpan ago = DateTime.UtcNow - when;
        return ago < TimeSpan.FromMinutes(1) ? $"{Math.Max(0, ago.TotalSeconds):0} s ago" : $"{ago.TotalMinutes:0} min ago";
    }

    /// <summary>
    /// A job of a link whose server an earlier link found down: compiled here when a core is free,
    /// or sent to the farm if the server answers the link's check first.
    /// </summary>
    private async Task<ProcessResult> HereUnlessTheFarmAnswersAsync(JobList jobList, BackendJob job, Task<bool> recheck, CancellationToken cancellationToken)
    {
        Task slot = _localSlots.WaitAsync(cancellationToken);
        if (await Task.WhenAny(slot, recheck).ConfigureAwait(false) != slot && await recheck.ConfigureAwait(false))
        {
            _ = slot.ContinueWith(taken => { if (taken.Status == TaskStatus.RanToCompletion) _localSlots.Release(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false);
        }

        await slot.ConfigureAwait(false);
        return (await CompileInSlotAsync(jobList, job, cancellationToken).ConfigureAwait(false)).From(ResultOrigin.HereAfterFarmFailure);
    }

    private async Task<ActionResult?> LookUpAsync(RemoteAction action, CancellationToken cancellationToken)
    {
        var request = new GetActionResultRequest
        {
            InstanceName = _settings.InstanceName,
            ActionDigest = action.Digest,
            InlineStdout = true,
            InlineStderr = true,
            DigestFunction = DigestFunction.Types.Value.Sha256,
        };
        try
        {
            return await _retry.RunAsync(
                () => _connection.UnaryAsync("GetActionResult", options => _connection.ActionCache.GetActionResultAsync(request, options), _connection.ShortCall, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            _watch.Answered();
            return null;
        }
    }

    /// <summary>The farm stalled: strict links fail saying what was still waiting; others compile the rest here, with one warning.</summary>
    private async Task<ProcessResult> StalledAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        string why = $"no action came back from the remote execution server at {_settings.Address} for {_settings.StallTimeout.TotalSeconds:0.#} s " +
            $"(platform {DescribePlatform()}; {_watch.StallDescription})";
        if (_settings.Strict)
            throw new RemoteExecutionException(why);
        if (Interlocked.Exchange(ref _warnedStall, 1) == 0)
            _warn(why + " The remaining backend compiles run on this machine.");
        return await FallBackAsync(jobList, job, null, cancellationToken).ConfigureAwait(false);
    }

    private string DescribePlatform() =>
        _settings.Platform.Count == 0 ? "(none)" : string.Join(", ", _settings.Platform.Select(p => p.Key + "=" + p.Value));

    private async Task<ProcessResult> FallBackAsync(JobList jobList, BackendJob job, string? why, CancellationToken cancellationToken)
    {
        if (why is not null && Interlocked.Exchange(ref _warnedFallback, 1) == 0)
            _warn($"the remote execution server failed {job.ModuleName} ({why}); it and any further such jobs compile on this machine");
        return (await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false)).From(ResultOrigin.HereAfterFarmFailure);
    }

    private async Task<ProcessResult> CompileHereAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        await _localSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await CompileInSlotAsync(jobList, job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compiles a job here in a local slot the caller holds, and gives the slot back.</summary>
    private async Task<ProcessResult> CompileInSlotAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_settings.ActionTimeout is TimeSpan timeout)
                deadline.CancelAfter(timeout);
            ProcessResult run = await _local.ExecuteAsync(jobList, job, deadline.Token).ConfigureAwait(false);
            return run.Stopped && !cancellationToken.IsCancellationRequested ? LocalRace.TimedOut(run, _settings.ActionTimeout!.Value) : run;
        }
        finally
        {
            _localSlots.Release();
        }
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
        _stopping.Cancel();
        _recheck?.GetAwaiter().GetResult();
        _stopping.Dispose();
        _digests.Save();
        _race?.Dispose();
        _publisher.Drain();
        _watch.Dispose();
        _connection.Dispose();
        _localSlots.Dispose();
        _connect.Dispose();
    }
}
