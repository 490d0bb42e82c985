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
/// (a relative program path is taken from the working directory, as API 2.3 says), its outputs go
/// to the CAS, and a successful result to the action cache.
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
        string name = "operations/" + Guid.NewGuid().ToString("N");
        await responseStream.WriteAsync(new Operation
        {
            Name = name,
            Metadata = Any.Pack(new ExecuteOperationMetadata { Stage = ExecutionStage.Types.Value.Queued, ActionDigest = request.ActionDigest }),
        });

        // The action runs apart from the stream, so a client can also wait for it by name.
        Task<ExecuteResponse> running = ExecuteAsync(request);
        _state.Operations[name] = running;
        if (_state.EndExecuteStreamsEarly)
            return;
        await responseStream.WriteAsync(new Operation { Name = name, Done = true, Response = Any.Pack(await running.WaitAsync(context.CancellationToken)) });
    }

    public override async Task WaitExecution(WaitExecutionRequest request, IServerStreamWriter<Operation> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref _state.WaitExecutionCalls);
        if (!_state.Operations.TryGetValue(request.Name, out Task<ExecuteResponse>? running))
            throw new RpcException(new Status(StatusCode.NotFound, $"no operation {request.Name}"));
        await responseStream.WriteAsync(new Operation { Name = request.Name, Done = true, Response = Any.Pack(await running.WaitAsync(context.CancellationToken)) });
    }

    private async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request)
    {
        var response = new ExecuteResponse();
        if (!request.SkipCacheLookup && _state.ActionCache.TryGetValue(ServerState.Key(request.ActionDigest), out ActionResult? cached))
        {
            response.Result = cached;
            response.CachedResult = true;
            return response;
        }

        if (_state.ExecuteStartedMarker is string marker)
            File.WriteAllText(marker, request.ActionDigest.Hash);
        if (_state.ExecuteDelay > TimeSpan.Zero)
            await Task.Delay(_state.ExecuteDelay, _state.Stopping.Token);
        try
        {
            response.Result = await RunAsync(request.ActionDigest, CancellationToken.None);
        }
        catch (MissingBlobException e)
        {
            response.Status = new Dtlto.Build.Engine.Remote.Protocol.Status { Code = (int)StatusCode.FailedPrecondition, Message = e.Message };
        }

        return response;
    }

    private async Task<ActionResult> RunAsync(Digest actionDigest, CancellationToken cancellationToken)
    {
        ProtocolAction action = ProtocolAction.Parser.ParseFrom(Need(actionDigest, "the action"));
        Command command = Command.Parser.ParseFrom(Need(action.CommandDigest, "the command"));
        string root = Path.Combine(_state.WorkRoot, Guid.NewGuid().ToString("N"));
        try
        {
            Materialize(action.InputRootDigest, root);
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

            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var result = new ActionResult
            {
                ExitCode = process.ExitCode,
                StdoutRaw = ByteString.CopyFromUtf8(await stdout),
                StderrRaw = ByteString.CopyFromUtf8(await stderr),
            };
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

            _state.Executed.Add(action);
            _state.Commands.Add(command);
            if (result.ExitCode == 0 && !action.DoNotCache)
                _state.ActionCache[ServerState.Key(actionDigest)] = result;
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
