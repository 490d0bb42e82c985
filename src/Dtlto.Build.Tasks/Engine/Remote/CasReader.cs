using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Reads blobs from the server's CAS: small ones in batches gathered across actions, large ones
/// through ByteStream straight to disk, zstd-compressed where the server offers it. Nothing the
/// server sends is held or written past the size its digest promised (a stream that never ends, a
/// zstd bomb), and every blob is checked against its digest before it is used.
/// </summary>
internal sealed class CasReader
{
    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly Func<long> _batchPayload;
    private readonly Action<long, long> _received;
    private readonly Coalescer<Digest, Func<ReadOnlyMemory<byte>>> _batch;

    /// <param name="batchPayload">The largest blob, in bytes, read in a batch; larger ones are streamed.</param>
    /// <param name="received">Hears of each blob's bytes as they came on the wire and as they are.</param>
    public CasReader(RemoteConnection connection, RemoteRetry retry, Func<long> batchPayload, Action<long, long> received, int callsAtOnce)
    {
        _connection = connection;
        _retry = retry;
        _batchPayload = batchPayload;
        _received = received;
        _batch = new Coalescer<Digest, Func<ReadOnlyMemory<byte>>>(BatchReadAsync, d => d.SizeBytes + RemoteCas.PerBlobOverhead, batchPayload, callsAtOnce);
    }

    /// <summary>The server gives zstd blobs in batch calls.</summary>
    public bool CompressBatches { get; set; }

    /// <summary>The server gives zstd blobs through ByteStream.</summary>
    public bool CompressStreams { get; set; }

    /// <summary>Reads a blob into memory; one larger than <paramref name="limit"/> bytes is refused before a byte of it is read.</summary>
    public async Task<byte[]> ReadAsync(Digest digest, long limit, CancellationToken cancellationToken)
    {
        if (digest.SizeBytes < 0 || digest.SizeBytes > limit)
            throw new RpcException(new Status(StatusCode.DataLoss, $"the server names a blob of {digest.SizeBytes} bytes where at most {limit} are expected"));
        if (digest.SizeBytes == 0)
            return Array.Empty<byte>();
        if (digest.SizeBytes <= _batchPayload())
            return (await _batch.SubmitAsync(digest).WaitAsync(cancellationToken).ConfigureAwait(false))().ToArray();
        using var memory = new MemoryStream((int)digest.SizeBytes);
        await StreamAsync(digest, memory, cancellationToken).ConfigureAwait(false);
        return memory.ToArray();
    }

    /// <summary>
    /// Writes a blob to <paramref name="path"/> (a temporary the caller moves into place), from the
    /// bytes inlined in the answer when they match the digest, else from the CAS. Returns the bytes
    /// written when they came whole in one message, null when the blob was streamed to the file.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> DownloadAsync(Digest digest, ByteString? inlined, string path, CancellationToken cancellationToken)
    {
        if (inlined is not null && inlined.Length > 0 && inlined.Length == digest.SizeBytes && ContentDigest.Hex(System.Security.Cryptography.SHA256.HashData(inlined.Span)) == digest.Hash)
        {
            await BlobFiles.WriteAsync(path, inlined.Memory, cancellationToken).ConfigureAwait(false);
            return inlined.Memory;
        }

        if (digest.SizeBytes <= _batchPayload())
        {
            ReadOnlyMemory<byte> data = digest.SizeBytes == 0 ? ReadOnlyMemory<byte>.Empty : (await _batch.SubmitAsync(digest).WaitAsync(cancellationToken).ConfigureAwait(false))();
            await BlobFiles.WriteAsync(path, data, cancellationToken).ConfigureAwait(false);
            return data;
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await _retry.RunAsync(
            async () =>
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
                await StreamAsync(digest, file, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>One ByteStream Read of a blob into <paramref name="target"/>, bounded by its digest (compressed: by zstd's bound on its size).</summary>
    private async Task StreamAsync(Digest digest, Stream target, CancellationToken cancellationToken)
    {
        bool compressed = CompressStreams;
        string kind = compressed ? "compressed-blobs/zstd" : "blobs";
        var request = new ReadRequest { ResourceName = $"{_connection.InstancePrefix}{kind}/{digest.Hash}/{digest.SizeBytes}" };
        TimeSpan timeout = _connection.Transfer(digest.SizeBytes);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? spool = null;
        try
        {
            using var sink = new BlobSink(digest, target);
            // A compressed stream is spooled to disk (within zstd's bound), then expanded through the sink.
            spool = compressed ? target is FileStream file ? file.Name + ".zst" : Path.GetTempFileName() : null;
            using (Stream? wire = spool is null ? null : new FileStream(spool, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                var wireDigest = new Digest { Hash = digest.Hash, SizeBytes = Zstd.MaxCompressedSize(digest.SizeBytes) };
                long wireBytes = 0;
                using AsyncServerStreamingCall<ReadResponse> call = _connection.ByteStream.Read(request, _connection.Call(cancellationToken, timeout));
                while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    ByteString chunk = call.ResponseStream.Current.Data;
                    wireBytes += chunk.Length;
                    if (wire is null)
                        sink.Write(chunk.Span);
                    else if (wireBytes > wireDigest.SizeBytes)
                        throw new RpcException(new Status(StatusCode.DataLoss, $"the server sent more than {wireDigest.SizeBytes} compressed bytes for blob {digest.Hash} of {digest.SizeBytes} bytes"));
                    else
                        wire.Write(chunk.Span);
                }

                if (wire is not null)
                {
                    wire.Position = 0;
                    try
                    {
                        Zstd.Decompress(wire, sink);
                    }
                    catch (InvalidOperationException e)
                    {
                        throw new RpcException(new Status(StatusCode.DataLoss, $"blob {digest.Hash}: {e.Message}"));
                    }
                }

                sink.Finish();
                _received(wireBytes, sink.Written);
            }
        }
        catch (RpcException e) when (RemoteCallTimeoutException.IsOurs(e, clock.Elapsed, timeout, cancellationToken))
        {
            throw new RemoteCallTimeoutException($"ByteStream.Read of a blob of {digest.SizeBytes} bytes", timeout, e);
        }
        finally
        {
            if (spool is not null)
                QuietDelete.File(spool);
        }
    }

    /// <summary>One BatchReadBlobs call; each blob's result is checked (or throws) when its action takes it.</summary>
    private async Task<IReadOnlyList<Func<ReadOnlyMemory<byte>>>> BatchReadAsync(IReadOnlyList<Digest> digests)
    {
        var request = new BatchReadBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        request.Digests.AddRange(digests);
        if (CompressBatches)
            request.AcceptableCompressors.Add(Compressor.Types.Value.Zstd);
        TimeSpan timeout = _connection.Transfer(digests.Sum(d => d.SizeBytes));
        BatchReadBlobsResponse response = await _retry.RunAsync(
            () => _connection.UnaryAsync("BatchReadBlobs", options => _connection.Cas.BatchReadBlobsAsync(request, options), timeout, CancellationToken.None),
            CancellationToken.None).ConfigureAwait(false);
        var blobs = new Dictionary<string, BatchReadBlobsResponse.Types.Response>(StringComparer.Ordinal);
        foreach (BatchReadBlobsResponse.Types.Response blob in response.Responses)
        {
            if (blob.Digest is not null)
                blobs[ContentDigest.Key(blob.Digest)] = blob;
        }

        // Each blob stands or falls alone: one bad blob fails only the actions that need it.
        return digests.Select(digest =>
        {
            BatchReadBlobsResponse.Types.Response? blob = blobs.TryGetValue(ContentDigest.Key(digest), out var found) ? found : null;
            return (Func<ReadOnlyMemory<byte>>)(() => Check(digest, blob));
        }).ToList();
    }

    /// <summary>The blob's bytes once they match its digest; uncompressed ones are not copied out of the answer.</summary>
    private ReadOnlyMemory<byte> Check(Digest digest, BatchReadBlobsResponse.Types.Response? blob)
    {
        if (blob is null || (blob.Status is not null && blob.Status.Code != 0))
            throw new RpcException(new Status(blob?.Status is null ? StatusCode.NotFound : (StatusCode)blob.Status.Code, $"blob {digest.Hash} could not be read: {blob?.Status?.Message ?? "not in the answer"}"));
        ReadOnlyMemory<byte> data;
        if (blob.Compressor == Compressor.Types.Value.Zstd)
        {
            try
            {
                data = Zstd.Decompress(blob.Data.Span, digest.SizeBytes);
            }
            catch (InvalidOperationException e)
            {
                throw new RpcException(new Status(StatusCode.DataLoss, $"blob {digest.Hash}: {e.Message}"));
            }
        }
        else
        {
            data = blob.Data.Memory;
        }

        if (data.Length != digest.SizeBytes || ContentDigest.Hex(System.Security.Cryptography.SHA256.HashData(data.Span)) != digest.Hash)
            throw new RpcException(new Status(StatusCode.DataLoss, $"blob {digest.Hash} came back with other content"));
        _received(blob.Data.Length, data.Length);
        return data;
    }
}
