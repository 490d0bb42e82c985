using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The server's content-addressable storage: uploads only what FindMissingBlobs says is missing,
/// small blobs in batches within the server's batch limit and large ones through ByteStream, and
/// downloads outputs to files that appear whole or not at all.
/// </summary>
internal sealed class RemoteCas
{
    /// <summary>The batch limit when the server names none: gRPC's usual 4 MiB message size.</summary>
    private const long DefaultBatchLimit = 4 * 1024 * 1024;

    /// <summary>Room in a batch request for everything but the blobs' bytes.</summary>
    private const long BatchOverhead = 64 * 1024;

    private const int ChunkSize = 1024 * 1024;
    private const int DigestsPerQuery = 4096;

    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly ConcurrentDictionary<string, Task> _uploads = new();
    private long _batchLimit = DefaultBatchLimit;

    public RemoteCas(RemoteConnection connection, RemoteRetry retry)
    {
        _connection = connection;
        _retry = retry;
    }

    /// <summary>Blobs larger than this go through ByteStream.</summary>
    public long BatchLimit
    {
        get => _batchLimit;
        set => _batchLimit = value > 0 ? value : DefaultBatchLimit;
    }

    private long BatchPayload => Math.Max(1, _batchLimit - BatchOverhead);

    /// <summary>Makes sure every blob is in the CAS.</summary>
    public async Task UploadAsync(IEnumerable<Blob> blobs, CancellationToken cancellationToken)
    {
        List<Blob> distinct = blobs.GroupBy(b => ContentDigest.Key(b.Digest)).Select(g => g.First()).ToList();
        // Blobs another action is uploading already: wait for that upload instead of repeating it.
        var pending = new List<Task>();
        var fresh = new List<Blob>();
        foreach (Blob blob in distinct)
        {
            if (_uploads.TryGetValue(ContentDigest.Key(blob.Digest), out Task? upload) && !upload.IsFaulted && !upload.IsCanceled)
                pending.Add(upload);
            else
                fresh.Add(blob);
        }

        if (fresh.Count > 0)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (Blob blob in fresh)
                _uploads[ContentDigest.Key(blob.Digest)] = done.Task;
            try
            {
                await UploadMissingAsync(fresh, cancellationToken).ConfigureAwait(false);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
                _ = done.Task.Exception;
                throw;
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Forgets which blobs were uploaded, after the server said an input was missing after all.</summary>
    public void ForgetUploads() => _uploads.Clear();

    private async Task UploadMissingAsync(IReadOnlyList<Blob> blobs, CancellationToken cancellationToken)
    {
        var byKey = blobs.ToDictionary(b => ContentDigest.Key(b.Digest));
        var missing = new List<Blob>();
        for (int start = 0; start < blobs.Count; start += DigestsPerQuery)
        {
            var request = new FindMissingBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
            request.BlobDigests.AddRange(blobs.Skip(start).Take(DigestsPerQuery).Select(b => b.Digest));
            FindMissingBlobsResponse response = await _retry.RunAsync(
                () => _connection.Cas.FindMissingBlobsAsync(request, _connection.Call(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
            missing.AddRange(response.MissingBlobDigests.Select(d => byKey[ContentDigest.Key(d)]));
        }

        var batch = new List<Blob>();
        long batchBytes = 0;
        foreach (Blob blob in missing.OrderBy(b => b.Digest.SizeBytes))
        {
            if (blob.Digest.SizeBytes > BatchPayload)
            {
                await WriteAsync(blob, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (batchBytes + blob.Digest.SizeBytes > BatchPayload)
            {
                await UpdateBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
                batchBytes = 0;
            }

            batch.Add(blob);
            batchBytes += blob.Digest.SizeBytes;
        }

        if (batch.Count > 0)
            await UpdateBatchAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdateBatchAsync(IReadOnlyList<Blob> batch, CancellationToken cancellationToken)
    {
        var request = new BatchUpdateBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        foreach (Blob blob in batch)
            request.Requests.Add(new BatchUpdateBlobsRequest.Types.Request { Digest = blob.Digest, Data = ByteString.CopyFrom(blob.ReadAll()) });
        BatchUpdateBlobsResponse response = await _retry.RunAsync(
            () => _connection.Cas.BatchUpdateBlobsAsync(request, _connection.Call(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
        BatchUpdateBlobsResponse.Types.Response? failed = response.Responses.FirstOrDefault(r => r.Status is not null && r.Status.Code != 0);
        if (failed is not null)
            throw new RpcException(new Status((StatusCode)failed.Status.Code, $"the server refused blob {failed.Digest.Hash}: {failed.Status.Message}"));
    }

    /// <summary>Uploads one blob through ByteStream.Write, in chunks, under a fresh upload name.</summary>
    private Task WriteAsync(Blob blob, CancellationToken cancellationToken) => _retry.RunAsync(
        async () =>
        {
            string resource = $"{_connection.InstancePrefix}uploads/{Guid.NewGuid()}/blobs/{blob.Digest.Hash}/{blob.Digest.SizeBytes}";
            using AsyncClientStreamingCall<WriteRequest, WriteResponse> call = _connection.ByteStream.Write(_connection.Call(cancellationToken));
            using Stream content = blob.Open();
            var buffer = new byte[ChunkSize];
            long offset = 0;
            bool first = true;
            while (true)
            {
                int read = await content.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                bool last = offset + read >= blob.Digest.SizeBytes;
                var request = new WriteRequest { WriteOffset = offset, FinishWrite = last, Data = ByteString.CopyFrom(buffer, 0, read) };
                if (first)
                    request.ResourceName = resource;
                await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                first = false;
                offset += read;
                if (last || read == 0)
                    break;
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            WriteResponse response = await call.ResponseAsync.ConfigureAwait(false);
            if (response.CommittedSize != blob.Digest.SizeBytes && response.CommittedSize != -1)
                throw new RpcException(new Status(StatusCode.DataLoss, $"the server committed {response.CommittedSize} of {blob.Digest.SizeBytes} bytes of {blob.Digest.Hash}"));
        },
        cancellationToken);

    /// <summary>Reads a blob: a batch read when it is small, ByteStream when it is not.</summary>
    public async Task<byte[]> ReadAsync(Digest digest, CancellationToken cancellationToken)
    {
        byte[] data = digest.SizeBytes > BatchPayload
            ? await StreamAsync(digest, cancellationToken).ConfigureAwait(false)
            : await BatchReadAsync(digest, cancellationToken).ConfigureAwait(false);
        if (data.LongLength != digest.SizeBytes || ContentDigest.Hex(SHA256.HashData(data)) != digest.Hash)
            throw new RpcException(new Status(StatusCode.DataLoss, $"blob {digest.Hash} came back with other content"));
        return data;
    }

    /// <summary>Writes a blob to a file through a temporary beside it, so that a failure leaves no part of a file.</summary>
    public async Task DownloadAsync(Digest digest, ByteString? inlined, string path, CancellationToken cancellationToken)
    {
        byte[] data = inlined is not null && inlined.Length == digest.SizeBytes && inlined.Length > 0
            && ContentDigest.Hex(SHA256.HashData(inlined.Span)) == digest.Hash
            ? inlined.ToByteArray()
            : await ReadAsync(digest, cancellationToken).ConfigureAwait(false);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".remote" + Guid.NewGuid().ToString("N").Substring(0, 8);
        try
        {
            await File.WriteAllBytesAsync(temporary, data, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            QuietDelete.File(temporary);
        }
    }

    private async Task<byte[]> BatchReadAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (digest.SizeBytes == 0)
            return Array.Empty<byte>();
        var request = new BatchReadBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        request.Digests.Add(digest);
        BatchReadBlobsResponse response = await _retry.RunAsync(
            () => _connection.Cas.BatchReadBlobsAsync(request, _connection.Call(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
        BatchReadBlobsResponse.Types.Response? blob = response.Responses.FirstOrDefault(r => r.Digest?.Hash == digest.Hash);
        if (blob is null || (blob.Status is not null && blob.Status.Code != 0))
            throw new RpcException(new Status(blob?.Status is null ? StatusCode.NotFound : (StatusCode)blob.Status.Code, $"blob {digest.Hash} could not be read: {blob?.Status?.Message ?? "not in the answer"}"));
        return blob.Data.ToByteArray();
    }

    private Task<byte[]> StreamAsync(Digest digest, CancellationToken cancellationToken) => _retry.RunAsync(
        async () =>
        {
            var request = new ReadRequest { ResourceName = $"{_connection.InstancePrefix}blobs/{digest.Hash}/{digest.SizeBytes}" };
            using AsyncServerStreamingCall<ReadResponse> call = _connection.ByteStream.Read(request, _connection.Call(cancellationToken));
            using var data = new MemoryStream((int)Math.Min(digest.SizeBytes, int.MaxValue));
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                call.ResponseStream.Current.Data.WriteTo(data);

            return data.ToArray();
        },
        cancellationToken);
}
