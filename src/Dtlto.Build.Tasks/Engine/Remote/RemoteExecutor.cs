using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Runs backend compiles through a Remote Execution API v2 server (Buildbarn, BuildBuddy,
/// NativeLink, BuildGrid, EngFlow, Buildfarm): every job becomes a cacheable action (see
/// <see cref="RemoteActionBuilder"/>), looked up in the action cache, and, on a miss, executed
/// on the farm (<see cref="RemoteMode.Execute"/>) or on this machine with its result uploaded
/// (<see cref="RemoteMode.CacheOnly"/>). When the farm cannot do its part, the job compiles
/// locally with a warning, or fails with <see cref="RemoteExecutionException"/> when
/// <see cref="RemoteSettings.Strict"/>.
/// </summary>
public sealed class RemoteExecutor : IBackendExecutor, IReportsCacheHits, IDisposable
{
    private readonly RemoteSettings _settings;
    private readonly Action<string> _warn;
    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly RemoteCas _cas;
    private readonly LocalExecutor _local = new();
    private readonly SemaphoreSlim _localSlots;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly RemoteToolchain? _toolchain;
    private RemoteActionBuilder? _builder;
    private bool? _reachable;
    private bool _updatesAccepted = true;
    private int _warnedFallback;
    private int _hits;
    private int _executed;
    private int _compiledHere;
    private int _fallbacks;

    /// <param name="warn">Receives each warning (the farm unreachable, a job compiled locally instead); never the token.</param>
    /// <param name="toolchain">The compiler to send with every action, or null when the workers provide it.</param>
    public RemoteExecutor(RemoteSettings settings, Action<string> warn, RemoteToolchain? toolchain = null)
    {
        _settings = settings;
        _warn = warn;
        _toolchain = toolchain;
        _connection = new RemoteConnection(settings);
        _retry = new RemoteRetry(settings.Attempts, settings.RetryDelay);
        _cas = new RemoteCas(_connection, _retry);
        _localSlots = new SemaphoreSlim(Math.Max(1, settings.LocalConcurrency));
    }

    /// <summary>
    /// The executor a configuration asks for, with the compiler of the job list when it is to be
    /// uploaded. Throws <see cref="FormatException"/> for a bad setting and <see cref="IOException"/>
    /// when the toolchain cannot be collected.
    /// </summary>
    public static RemoteExecutor Create(RemoteConfiguration configuration, JobList jobList, Action<string> warn)
    {
        RemoteSettings settings = configuration.ToSettings();
        RemoteToolchain? toolchain = settings.UploadToolchain && jobList.Jobs.Count > 0 ? RemoteToolchain.Collect(jobList.CommandFor(jobList.Jobs[0])[0]) : null;
        return new RemoteExecutor(settings, warn, toolchain);
    }

    /// <summary>Actions in flight at once.</summary>
    public int Parallelism => _settings.MaxConcurrency;

    public int CacheHits => Volatile.Read(ref _hits);

    /// <summary>Actions the farm executed (not from a cache).</summary>
    public int RemoteExecutions => Volatile.Read(ref _executed);

    /// <summary>Jobs this machine compiled: cache misses in cache-only mode, and fallbacks.</summary>
    public int LocalCompiles => Volatile.Read(ref _compiledHere);

    /// <summary>Jobs compiled locally because the farm failed them or was unreachable.</summary>
    public int Fallbacks => Volatile.Read(ref _fallbacks);

    public int Retries => _retry.Retries;

    public string Details =>
        $"remote: {RemoteExecutions} executed, {LocalCompiles} compiled here" + (Fallbacks > 0 ? $" ({Fallbacks} after farm failures)" : "") +
        (Retries > 0 ? $", {Retries} calls retried" : "");

    public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            if (!await ConnectAsync(jobList, cancellationToken).ConfigureAwait(false))
                return await FallBackAsync(jobList, job, null, cancellationToken).ConfigureAwait(false);

            (RemoteAction? action, string? reason) = _builder!.Build(jobList, job);
            if (action is null)
            {
                _warn($"{job.Bitcode} compiles on this machine: {reason}");
                return await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            }

            return await RunAsync(jobList, job, action, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            return new ProcessResult(-1, "", stopwatch.Elapsed, stopped: true, startError: null);
        }
        catch (Exception e) when (IsFarmFailure(e))
        {
            if (_settings.Strict)
                throw new RemoteExecutionException($"the remote execution server failed {job.Bitcode}: {Describe(e)}", e);
            return await FallBackAsync(jobList, job, Describe(e), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProcessResult> RunAsync(JobList jobList, BackendJob job, RemoteAction action, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        ActionResult? cached = await LookUpAsync(action, cancellationToken).ConfigureAwait(false);
        if (cached is not null && await TryTakeOutputsAsync(action, cached, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _hits);
            return new ProcessResult(0, await OutputTextAsync(cached, cancellationToken).ConfigureAwait(false), stopwatch.Elapsed, false, null);
        }

        if (_settings.Mode == RemoteMode.CacheOnly)
        {
            ProcessResult local = await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
            if (local.ExitCode == 0 && local.StartError is null && !local.Stopped && _updatesAccepted)
                await PublishAsync(action, local, cancellationToken).ConfigureAwait(false);
            return local;
        }

        await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
        ExecuteResponse response;
        try
        {
            response = await ExecuteRemotelyAsync(action, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // An input the server had when asked went missing before it ran: send everything again, once.
            _cas.ForgetUploads();
            await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
            response = await ExecuteRemotelyAsync(action, cancellationToken).ConfigureAwait(false);
        }

        ActionResult result = response.Result ?? throw new RpcException(new Status(StatusCode.Internal, "the server answered Execute without a result"));
        string output = await OutputTextAsync(result, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            return new ProcessResult(result.ExitCode, output, stopwatch.Elapsed, false, null);
        if (!await TryTakeOutputsAsync(action, result, cancellationToken).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.DataLoss, "the action succeeded but the server returned none of its object"));
        Interlocked.Increment(ref response.CachedResult ? ref _hits : ref _executed);
        return new ProcessResult(0, output, stopwatch.Elapsed, false, null);
    }

    /// <summary>Asks the server once what it can do; false (after a warning) when it cannot be reached and fallback is allowed.</summary>
    private async Task<bool> ConnectAsync(JobList jobList, CancellationToken cancellationToken)
    {
        if (_reachable is bool known)
            return known;
        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_reachable is bool decided)
                return decided;
            ServerCapabilities capabilities;
            try
            {
                capabilities = await _retry.RunAsync(
                    () => _connection.Capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest { InstanceName = _settings.InstanceName }, _connection.Call(cancellationToken)).ResponseAsync,
                    cancellationToken).ConfigureAwait(false);
                CheckCapabilities(capabilities);
            }
            catch (Exception e) when (IsFarmFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                string why = $"cannot use the remote execution server at {_settings.Endpoint}: {Describe(e)}";
                if (_settings.Strict)
                    throw new RemoteExecutionException(why, e);
                _warn(why + "; the backend compiles run on this machine");
                _reachable = false;
                return false;
            }

            _cas.BatchLimit = capabilities.CacheCapabilities?.MaxBatchTotalSizeBytes ?? 0;
            _updatesAccepted = capabilities.CacheCapabilities?.ActionCacheUpdateCapabilities?.UpdateEnabled ?? false;
            if (_settings.Mode == RemoteMode.CacheOnly && !_updatesAccepted)
                _warn($"the server at {_settings.Endpoint} does not accept action results from clients; compiles run here and are not cached");
            _builder = new RemoteActionBuilder(_settings, jobList.CommandFor(jobList.Jobs[0])[0], _toolchain);
            _reachable = true;
            return true;
        }
        finally
        {
            _connect.Release();
        }
    }

    private void CheckCapabilities(ServerCapabilities capabilities)
    {
        var digests = capabilities.CacheCapabilities?.DigestFunctions;
        if (digests is not null && digests.Count > 0 && !digests.Contains(DigestFunction.Types.Value.Sha256))
            throw new RemoteExecutionException("the server does not take SHA-256 digests");
        if (_settings.Mode == RemoteMode.Execute && capabilities.ExecutionCapabilities?.ExecEnabled != true)
            throw new RemoteExecutionException("the server does not execute actions (exec_enabled is false); use the cache-only mode");
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
                () => _connection.ActionCache.GetActionResultAsync(request, _connection.Call(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<ExecuteResponse> ExecuteRemotelyAsync(RemoteAction action, CancellationToken cancellationToken)
    {
        var request = new ExecuteRequest { InstanceName = _settings.InstanceName, ActionDigest = action.Digest, DigestFunction = DigestFunction.Types.Value.Sha256 };
        Operation done = await _retry.RunAsync(
            async () =>
            {
                Operation? last = await LastOperationAsync(_connection.Execution.Execute(request, _connection.Call(cancellationToken)), cancellationToken).ConfigureAwait(false);
                // A stream that ends before the operation is done is picked up again by name.
                while (last is not null && !last.Done)
                    last = await LastOperationAsync(_connection.Execution.WaitExecution(new WaitExecutionRequest { Name = last.Name }, _connection.Call(cancellationToken)), cancellationToken).ConfigureAwait(false);
                return last ?? throw new RpcException(new Status(StatusCode.Unavailable, "the server ended Execute without an operation"));
            },
            cancellationToken).ConfigureAwait(false);

        if (done.ResultCase == Operation.ResultOneofCase.Error)
            throw new RpcException(new Status((StatusCode)done.Error.Code, done.Error.Message));
        if (done.Response is null || !done.Response.TryUnpack(out ExecuteResponse response))
            throw new RpcException(new Status(StatusCode.Internal, "the server's operation carries no ExecuteResponse"));
        if (response.Status is not null && response.Status.Code != 0)
            throw new RpcException(new Status((StatusCode)response.Status.Code, response.Status.Message));
        return response;
    }

    private static async Task<Operation?> LastOperationAsync(AsyncServerStreamingCall<Operation> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            Operation? last = null;
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                last = call.ResponseStream.Current;
                if (last.Done)
                    break;
            }

            return last;
        }
    }

    /// <summary>Writes the action's outputs from a result; false when the result lacks one or a blob is gone.</summary>
    private async Task<bool> TryTakeOutputsAsync(RemoteAction action, ActionResult result, CancellationToken cancellationToken)
    {
        if (result.ExitCode != 0)
            return false;
        var files = result.OutputFiles.ToDictionary(f => f.Path, StringComparer.Ordinal);
        if (!action.Outputs.Keys.All(files.ContainsKey))
            return false;
        try
        {
            foreach (var output in action.Outputs)
                await _cas.DownloadAsync(files[output.Key].Digest, files[output.Key].Contents, output.Value, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // The cache named a blob the CAS has since evicted: a miss.
            return false;
        }
    }

    private async Task<string> OutputTextAsync(ActionResult result, CancellationToken cancellationToken)
    {
        async Task<string> Text(ByteString raw, Digest? digest) =>
            raw.Length > 0 || digest is null || digest.SizeBytes == 0
                ? raw.ToStringUtf8()
                : Encoding.UTF8.GetString(await _cas.ReadAsync(digest, cancellationToken).ConfigureAwait(false));

        return await Text(result.StdoutRaw, result.StdoutDigest).ConfigureAwait(false) + await Text(result.StderrRaw, result.StderrDigest).ConfigureAwait(false);
    }

    /// <summary>Cache-only mode: uploads a local compile's outputs and records the result, so the next link finds it.</summary>
    private async Task PublishAsync(RemoteAction action, ProcessResult local, CancellationToken cancellationToken)
    {
        var result = new ActionResult { ExitCode = 0 };
        var blobs = new List<Blob> { action.CommandBlob, action.ActionBlob };
        foreach (var output in action.Outputs)
        {
            Blob file = Blob.FromFile(output.Value);
            blobs.Add(file);
            result.OutputFiles.Add(new OutputFile { Path = output.Key, Digest = file.Digest });
        }

        if (local.Output.Length > 0)
        {
            Blob text = Blob.FromBytes(Encoding.UTF8.GetBytes(local.Output));
            blobs.Add(text);
            result.StdoutDigest = text.Digest;
        }

        try
        {
            await _cas.UploadAsync(blobs, cancellationToken).ConfigureAwait(false);
            var request = new UpdateActionResultRequest { InstanceName = _settings.InstanceName, ActionDigest = action.Digest, ActionResult = result, DigestFunction = DigestFunction.Types.Value.Sha256 };
            await _retry.RunAsync(() => _connection.ActionCache.UpdateActionResultAsync(request, _connection.Call(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The object is built; only the cache missed out.
            _warn($"could not store the result of {Path.GetFileName(action.Outputs.Values.First())} in the remote cache: {Describe(e)}");
        }
    }

    private async Task<ProcessResult> FallBackAsync(JobList jobList, BackendJob job, string? why, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fallbacks);
        if (why is not null && Interlocked.Exchange(ref _warnedFallback, 1) == 0)
            _warn($"the remote execution server failed {job.Bitcode} ({why}); it and any further such jobs compile on this machine");
        return await CompileHereAsync(jobList, job, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProcessResult> CompileHereAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
    {
        await _localSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _compiledHere);
            return await _local.ExecuteAsync(jobList, job, cancellationToken).ConfigureAwait(false);
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
        _connection.Dispose();
        _localSlots.Dispose();
        _connect.Dispose();
    }
}
