using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>ByteStream with the resource names of the Remote Execution API: {instance}/uploads/{uuid}/blobs/{hash}/{size} and {instance}/blobs/{hash}/{size}.</summary>
internal sealed class ByteStreamService : ByteStream.ByteStreamBase
{
    private readonly ServerState _state;

    public ByteStreamService(ServerState state) => _state = state;

    private static Digest DigestIn(string resource, string marker)
    {
        string[] parts = resource.Split('/');
        int at = Array.IndexOf(parts, marker);
        if (at < 0 || at + 2 >= parts.Length || !long.TryParse(parts[at + 2], out long size))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{resource}' is not a blob resource name"));
        return new Digest { Hash = parts[at + 1], SizeBytes = size };
    }

    /// <summary>A zstd resource name (compressed-blobs/zstd/{hash}/{size}): the digest follows "zstd".</summary>
    private bool IsCompressed(string resource) => resource.Contains("compressed-blobs/zstd/", StringComparison.Ordinal) &&
        (_state.Zstd ? true : throw new RpcException(new Status(StatusCode.InvalidArgument, "this server does not take compressed blobs")));

    public override async Task Read(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context)
    {
        bool compressed = IsCompressed(request.ResourceName);
        byte[] data = _state.Blob(DigestIn(request.ResourceName, compressed ? "zstd" : "blobs")) ?? throw new RpcException(new Status(StatusCode.NotFound, "no such blob"));
        if (_state.Hostility == Hostility.EndlessByteStream)
        {
            await HostileFarm.SendForeverAsync(responseStream, context.CancellationToken);
            return;
        }

        data = HostileFarm.Served(_state, data);
        if (compressed)
        {
            Interlocked.Increment(ref _state.CompressedBlobs);
            data = HostileFarm.Compressed(_state, ZstdCodec.Compress(data));
        }

        Interlocked.Increment(ref _state.ByteStreamReads);
        Interlocked.Add(ref _state.BytesSent, data.LongLength - request.ReadOffset);
        for (int offset = (int)request.ReadOffset; offset < data.Length; offset += 64 * 1024)
            await responseStream.WriteAsync(new ReadResponse { Data = ByteString.CopyFrom(data, offset, Math.Min(64 * 1024, data.Length - offset)) });
    }

    public override async Task<WriteResponse> Write(IAsyncStreamReader<WriteRequest> requestStream, ServerCallContext context)
    {
        string? resource = null;
        using var data = new MemoryStream();
        while (await requestStream.MoveNext())
        {
            WriteRequest request = requestStream.Current;
            resource ??= request.ResourceName;
            if (request.WriteOffset != data.Length)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"write at {request.WriteOffset}, expected {data.Length}"));
            request.Data.WriteTo(data);
            if (request.FinishWrite)
                break;
        }

        if (resource is null || !resource.Contains("/uploads/", StringComparison.Ordinal) && !resource.StartsWith("uploads/", StringComparison.Ordinal))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{resource}' is not an upload resource name"));
        bool compressed = IsCompressed(resource);
        Digest digest = DigestIn(resource, compressed ? "zstd" : "blobs");
        byte[] wire = data.ToArray();
        byte[] bytes = compressed ? ZstdCodec.Decompress(wire) : wire;
        if (compressed)
            Interlocked.Increment(ref _state.CompressedBlobs);
        if (CasService.Hash(bytes) != digest.Hash || bytes.LongLength != digest.SizeBytes)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "uploaded data does not match its digest"));
        _state.Put(bytes, digest);
        Interlocked.Increment(ref _state.ByteStreamWrites);
        Interlocked.Add(ref _state.BytesReceived, wire.LongLength);
        return new WriteResponse { CommittedSize = wire.LongLength };
    }
}
