using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProtocolAction = Dtlto.Build.Engine.Remote.Protocol.Action;
using ProtocolDirectory = Dtlto.Build.Engine.Remote.Protocol.Directory;
using ExecutionApi = Dtlto.Build.Engine.Remote.Protocol.Execution;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>
/// Execute as a worker does it: the action's input root becomes a folder, its command runs there
/// (a relative program path is taken from the working directory, as API 2.3 says) within the
/// action's timeout, its outputs go to the CAS, and a successful result to the action cache. The
/// operation reports QUEUED, then EXECUTING; the result carries the worker's timestamps. Knobs of
/// <see cref="ServerState"/> make it a busy farm (a cap on concurrent Execute calls), a farm with
/// no worker for a platform, or a simulated farm of many workers (<see cref="SimulatedFarm"/>).
/// </summary>
internal sealed class ExecutionService : ExecutionApi.ExecutionBase
{
    private readonly ServerState _state;

    public ExecutionService(ServerState state) => _state = state;

    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<Operation> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref _state.ExecuteCalls);
        if (!_state.ExecEnabled)
            throw new RpcException(new Status(StatusCode.Unimplemented, "this server does not execute"));
        int executing = Interlocked.Increment(ref _state.ExecutingNow);
        try
        {
            if (_state.MaxConcurrentExecutions > 0 && executing > _state.MaxConcurrentExecutions)
            {
                Interlocked.Increment(ref _state.PushedBack);
                throw PushBack();
            }

            InterlockedMax(ref _state.PeakExecuting, executing);
            string name = "operations/" + Guid.NewGuid().ToString("N");
            await responseStream.WriteAsync(Stage(name, request, ExecutionStage.Types.Value.Queued));

            // The action runs apart from the stream, so a client can also wait for it by name; a
            // server like most real ones stops it when its client goes away, and caches nothing.
            CancellationTokenSource? abandoned = _state.FinishCancelledActions ? null : CancellationTokenSource.CreateLinkedTokenSource(_state.Stopping.Token, context.CancellationToken);
            Task<ExecuteResponse> running = ExecuteAsync(request, async () =>
            {
                if (_state.EndExecuteStreamsEarly || context.CancellationToken.IsCancellationRequested)
                    return;
                try
                {
                    await responseStream.WriteAsync(Stage(name, request, ExecutionStage.Types.Value.Executing));
                }
                catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or IOException)
                {
                    // The client went away; the action still runs and fills the cache.
                }
            }, abandoned?.Token ?? _state.Stopping.Token);
            _state.Operations[name] = running;
            if (_state.EndExecuteStreamsEarly)
                return;
            ExecuteResponse done = await running.WaitAsync(context.CancellationToken);
            await responseStream.WriteAsync(_state.Hostility == Hostility.GarbageOperation
                ? new Operation { Name = name, Done = true, Response = Any.Pack(new Digest { Hash = "not an ExecuteResponse" }) }
                : new Operation { Name = name, Done = true, Response = Any.Pack(done) });
        }
        finally
        {
            Interlocked.Decrement(ref _state.ExecutingNow);
        }
    }

    private static Operation Stage(string name, ExecuteRequest request, ExecutionStage.Types.Value stage) =>
        new() { Name = name, Metadata = Any.Pack(new ExecuteOperationMetadata { Stage = stage, ActionDigest = request.ActionDigest }) };

    /// <summary>RESOURCE_EXHAUSTED as a busy farm sends it, with a RetryInfo when the test asks for one.</summary>
    private RpcException PushBack()
    {
        var trailers = new Metadata();
        if (_state.RetryDelayHint is TimeSpan delay)
        {
            var status = new Dtlto.Build.Engine.Remote.Protocol.Status { Code = (int)StatusCode.ResourceExhausted, Message = "Max. number of simultaneous request reached" };
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }

        return new RpcException(new Status(StatusCode.ResourceExhausted, "Max. number of simultaneous request reached"), trailers);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public override async Task WaitExecution(WaitExecutionRequest request, IServerStreamWriter<Operation> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref _state.WaitExecutionCalls);
        if (!_state.Operations.TryGetValue(request.Name, out Task<ExecuteResponse>? running))
            throw new RpcException(new Status(StatusCode.NotFound, $"no operation {request.Name}"));
        await responseStream.WriteAsync(new Operation { Name = request.Name, Done = true, Response = Any.Pack(await running.WaitAsync(context.CancellationToken)) });
    }

    private async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, Func<Task> started, CancellationToken cancellationToken)
    {
        var response = new ExecuteResponse();
        if (!request.SkipCacheLookup && _state.ActionCache.TryGetValue(ServerState.Key(request.ActionDigest), out ActionResult? cached))
        {
            response.Result = cached;
            response.CachedResult = true;
            return response;
        }

        var metadata = new ExecutedActionMetadata { Worker = "test-worker", QueuedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow) };
        if (_state.ExecuteStartedMarker is string marker)
            File.WriteAllText(marker, request.ActionDigest.Hash);
        using IDisposable? worker = await _state.TakeWorkerAsync(cancellationToken);
        if (_state.ExecuteDelay > TimeSpan.Zero)
            await Task.Delay(_state.ExecuteDelay, cancellationToken);
        try
        {
            if (_state.ForgetsCasNow())
                _state.Cas.Clear();
            ProtocolAction action = ProtocolAction.Parser.ParseFrom(Need(request.ActionDigest, "the action"));
            Command command = Command.Parser.ParseFrom(Need(action.CommandDigest, "the command"));
            if (!WorkerTakes(action.Platform))
            {
                // No worker has this platform: the action stays queued, as on a farm without such workers.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            ActionResult? result;
            if (_state.Simulation is SimulatedFarm simulation)
            {
                result = await simulation.RunAsync(_state, request.ActionDigest, command, metadata, started, cancellationToken);
            }
            else
            {
                await started();
                metadata.WorkerStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
                result = await RunAsync(action, command, metadata, cancellationToken);
            }
            if (result is null)
            {
                response.Status = new Dtlto.Build.Engine.Remote.Protocol.Status { Code = (int)StatusCode.DeadlineExceeded, Message = $"the action ran longer than its timeout of {action.Timeout.ToTimeSpan().TotalSeconds} s" };
                return response;
            }

            metadata.WorkerCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            result.ExecutionMetadata = metadata;
            HostileFarm.Corrupt(_state, result);
            _state.Executed.Add(action);
            _state.Commands.Add(command);
            if (result.ExitCode == 0 && !action.DoNotCache)
                _state.ActionCache[ServerState.Key(request.ActionDigest)] = result;
            response.Result = result;
        }
        catch (MissingBlobException e)
        {
            response.Status = new Dtlto.Build.Engine.Remote.Protocol.Status { Code = (int)StatusCode.FailedPrecondition, Message = e.Message };
        }

        return response;
    }

    /// <summary>Whether the worker has every platform property the action asks for.</summary>
    private bool WorkerTakes(Platform platform) =>
        _state.WorkerPlatform is not string[] offered || platform.Properties.All(p => offered.Contains(p.Name + "=" + p.Value));

    /// <summary>Runs the action's command in a folder made from its input root; null when it ran past the action's timeout and was killed.</summary>
    private async Task<ActionResult?> RunAsync(ProtocolAction action, Command command, ExecutedActionMetadata metadata, CancellationToken cancellationToken)
    {
        string root = Path.Combine(_state.WorkRoot, Guid.NewGuid().ToString("N"));
        try
        {
            metadata.InputFetchStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            Materialize(action.InputRootDigest, root);
            metadata.InputFetchCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            string workingDirectory = Path.Combine(root, command.WorkingDirectory);
            var start = new ProcessStartInfo
            {
                FileName = command.Arguments[0].Contains('/') && !Path.IsPathRooted(command.Arguments[0]) ? Path.Combine(workingDirectory, command.Arguments[0]) : command.Arguments[0],
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in command.Arguments.Skip(1))
                start.ArgumentList.Add(argument);
            foreach (Command.Types.EnvironmentVariable variable in command.EnvironmentVariables)
                start.Environment[variable.Name] = variable.Value;
            foreach (string output in command.OutputPaths)
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(workingDirectory, output))!);

            metadata.ExecutionStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (action.Timeout is not null && action.Timeout.ToTimeSpan() > TimeSpan.Zero)
                deadline.CancelAfter(action.Timeout.ToTimeSpan());
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                // Stopped at the action's timeout: the job's failure; stopped because its client went away: nothing.
                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }

            metadata.ExecutionCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            var result = new ActionResult
            {
                ExitCode = process.ExitCode,
                StdoutRaw = ByteString.CopyFromUtf8(await stdout),
                StderrRaw = ByteString.CopyFromUtf8(await stderr),
            };
            metadata.OutputUploadStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            foreach (string output in command.OutputPaths)
            {
                string file = Path.Combine(workingDirectory, output);
                if (!File.Exists(file))
                    continue;
                byte[] data = File.ReadAllBytes(file);
                var digest = new Digest { Hash = CasService.Hash(data), SizeBytes = data.LongLength };
                _state.Put(data, digest);
                result.OutputFiles.Add(new OutputFile { Path = output, Digest = digest });
            }

            metadata.OutputUploadCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            return result;
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }

    private byte[] Need(Digest digest, string what) =>
        _state.Blob(digest) ?? throw new MissingBlobException($"{what} ({digest.Hash}) is not in the CAS");

    private void Materialize(Digest directoryDigest, string path)
    {
        System.IO.Directory.CreateDirectory(path);
        ProtocolDirectory directory = ProtocolDirectory.Parser.ParseFrom(Need(directoryDigest, "a directory of the input root"));
        foreach (FileNode file in directory.Files)
        {
            string target = Path.Combine(path, file.Name);
            if (file.Digest.SizeBytes > LinkAbove && !file.IsExecutable)
            {
                // Large inputs (an uploaded toolchain's libraries) are linked to one copy, as
                // workers with a local CAS do, instead of being written for every action.
                File.CreateSymbolicLink(target, StoredCopy(file.Digest, file.Name));
                continue;
            }

            File.WriteAllBytes(target, Need(file.Digest, file.Name));
            if (file.IsExecutable && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        foreach (DirectoryNode child in directory.Directories)
            Materialize(child.Digest, Path.Combine(path, child.Name));
    }

    private const long LinkAbove = 1024 * 1024;

    private static readonly object StoreLock = new();

    private string StoredCopy(Digest digest, string name)
    {
        string stored = Path.Combine(_state.WorkRoot, "cas", digest.Hash);
        lock (StoreLock)
        {
            if (!File.Exists(stored))
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
                File.WriteAllBytes(stored, Need(digest, name));
            }
        }

        return stored;
    }

    private sealed class MissingBlobException : Exception
    {
        public MissingBlobException(string message)
            : base(message)
        {
        }
    }
}
