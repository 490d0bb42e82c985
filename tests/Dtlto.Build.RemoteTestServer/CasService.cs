using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.RemoteTestServer;

internal sealed class CasService : ContentAddressableStorage.ContentAddressableStorageBase
{
    private readonly ServerState _state;

    public CasService(ServerState state) => _state = state;

    internal static string Hash(byte[] data) => System.Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    public override Task<FindMissingBlobsResponse> FindMissingBlobs(FindMissingBlobsRequest request, ServerCallContext context)
    {
        var response = new FindMissingBlobsResponse();
        response.MissingBlobDigests.AddRange(request.BlobDigests.Where(d => _state.Blob(d) is null));
        return Task.FromResult(response);
    }

    public override Task<BatchUpdateBlobsResponse> BatchUpdateBlobs(BatchUpdateBlobsRequest request, ServerCallContext context)
    {
        if (request.CalculateSize() > _state.MaxBatchTotalSizeBytes)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"batch of {request.CalculateSize()} bytes is over the limit of {_state.MaxBatchTotalSizeBytes}"));
        Interlocked.Increment(ref _state.BatchUpdates);
        var response = new BatchUpdateBlobsResponse();
        foreach (BatchUpdateBlobsRequest.Types.Request blob in request.Requests)
        {
            Interlocked.Add(ref _state.BytesReceived, blob.Data.Length);
            byte[] data = blob.Data.ToByteArray();
            if (blob.Compressor == Compressor.Types.Value.Zstd)
            {
                Interlocked.Increment(ref _state.CompressedBlobs);
                data = ZstdCodec.Decompress(data);
            }
            bool valid = Hash(data) == blob.Digest.Hash && data.LongLength == blob.Digest.SizeBytes;
            if (valid)
                _state.Put(data, blob.Digest);
            response.Responses.Add(new BatchUpdateBlobsResponse.Types.Response
            {
                Digest = blob.Digest,
                Status = new Engine.Remote.Protocol.Status { Code = valid ? 0 : (int)StatusCode.InvalidArgument, Message = valid ? "" : "digest does not match" },
            });
        }

        return Task.FromResult(response);
    }

    public override Task<BatchReadBlobsResponse> BatchReadBlobs(BatchReadBlobsRequest request, ServerCallContext context)
    {
        var response = new BatchReadBlobsResponse();
        foreach (Digest digest in request.Digests)
        {
            byte[]? data = _state.Blob(digest) is byte[] stored ? HostileFarm.Served(_state, stored) : null;
            bool compress = data is not null && _state.Zstd && request.AcceptableCompressors.Contains(Compressor.Types.Value.Zstd);
            if (compress)
            {
                Interlocked.Increment(ref _state.CompressedBlobs);
                data = HostileFarm.Compressed(_state, ZstdCodec.Compress(data!));
            }

            Interlocked.Add(ref _state.BytesSent, data?.LongLength ?? 0);
            response.Responses.Add(new BatchReadBlobsResponse.Types.Response
            {
                Digest = digest,
                Data = data is null ? ByteString.Empty : ByteString.CopyFrom(data),
                Compressor = compress ? Compressor.Types.Value.Zstd : Compressor.Types.Value.Identity,
                Status = new Engine.Remote.Protocol.Status { Code = data is null ? (int)StatusCode.NotFound : 0 },
            });
        }

        return Task.FromResult(response);
    }
}
