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
/// small blobs in batches within the server's batch limit and large ones through ByteStream; reads
/// go through <see cref="Reader"/>. Every call has a deadline sized to what it carries.
/// </summary>
internal sealed class RemoteCas
{
    /// <summary>The batch limit when the server names none: gRPC's usual 4 MiB message size.</summary>
    private const long DefaultBatchLimit = 4 * 1024 * 1024;

    /// <summary>Room in a batch request for everything but the blobs' bytes.</summary>
    private const long BatchOverhead = 64 * 1024;

    /// <summary>What one blob adds to a batch besides its bytes: its digest, status and framing.</summary>
    internal const long PerBlobOverhead = 160;

    private const int ChunkSize = 1024 * 1024;
    private const int DigestsPerQuery = 4096;

    /// <summary>Calls of each kind out at once; items submitted meanwhile leave together in the next.</summary>
    private const int CallsAtOnce = 4;

    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _uploads = new();
    private readonly Coalescer<Digest, bool> _findMissing;
    private readonly Coalescer<Blob, bool> _update;
    private long _batchLimit = DefaultBatchLimit;

    // Bumped by ForgetUploads: an upload a blob remembers from an earlier round is not trusted.
    private int _round;

    public RemoteCas(RemoteConnection connection, RemoteRetry retry)
    {
        _connection = connection;
        _retry = retry;
        _findMissing = new Coalescer<Digest, bool>(FindMissingAsync, _ => 1, () => DigestsPerQuery, CallsAtOnce);
        _update = new Coalescer<Blob, bool>(UpdateBatchAsync, b => b.Digest.SizeBytes + PerBlobOverhead, () => BatchPayload, CallsAtOnce);
        Reader = new CasReader(connection, retry, () => BatchPayload, Received, CallsAtOnce);
    }

    /// <summary>Reads of blobs, bounded by their digests.</summary>
    public CasReader Reader { get; }

    /// <summary>Blobs larger than this go through ByteStream.</summary>
    public long BatchLimit
    {
        get => _batchLimit;
        set => _batchLimit = value > 0 ? value : DefaultBatchLimit;
    }

    private long BatchPayload => Math.Max(1, _batchLimit - BatchOverhead);

    /// <summary>The server takes and gives zstd blobs in batch calls (supported_batch_update_compressors).</summary>
    public bool CompressBatches
    {
        get => Reader.CompressBatches;
        set => Reader.CompressBatches = value;
    }

    /// <summary>The server takes and gives zstd blobs through ByteStream (compressed-blobs/zstd/ resource names).</summary>
    public bool CompressStreams
    {
        get => Reader.CompressStreams;
        set => Reader.CompressStreams = value;
    }

    private long _wireUp;
    private long _rawUp;
    private long _wireDown;
    private long _rawDown;

    /// <summary>Blob bytes sent and received, as they went on the wire and as they are.</summary>
    public (long WireUp, long RawUp, long WireDown, long RawDown) Bytes =>
        (Interlocked.Read(ref _wireUp), Interlocked.Read(ref _rawUp), Interlocked.Read(ref _wireDown), Interlocked.Read(ref _rawDown));

    private void Sent(long wire, long raw)
    {
        Interlocked.Add(ref _wireUp, wire);
        Interlocked.Add(ref _rawUp, raw);
    }

    private void Received(long wire, long raw)
    {
        Interlocked.Add(ref _wireDown, wire);
        Interlocked.Add(ref _rawDown, raw);
    }

    /// <summary>
    /// Makes sure every blob is in the CAS. Each blob is asked about and sent once however many
    /// actions share it, and the questions and small uploads of all actions go out together.
    /// </summary>
    public Task UploadAsync(IReadOnlyList<Blob> blobs, CancellationToken cancellationToken)
    {
        List<Task>? pending = null;
        foreach (Blob blob in blobs)
        {
            Task upload = UploadOf(blob);
            if (!upload.IsCompletedSuccessfully)
                (pending ??= new List<Task>()).Add(upload);
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>Forgets which blobs were uploaded, after the server said an input was missing after all.</summary>
    public void ForgetUploads()
    {
        Interlocked.Increment(ref _round);
        _uploads.Clear();
    }

    /// <summary>The blob's upload: the one it remembers from this round, else the one of its digest, started if there is none or it failed.</summary>
    private Task UploadOf(Blob blob)
    {
        int round = Volatile.Read(ref _round);
        if (blob.Upload is { } known && known.Round == round && !known.Task.IsFaulted && !known.Task.IsCanceled)
            return known.Task;

        string key = ContentDigest.Key(blob.Digest);
        Lazy<Task> upload = _uploads.GetOrAdd(key, _ => new Lazy<Task>(() => UploadOneAsync(blob)));
        if (upload.Value.IsFaulted || upload.Value.IsCanceled)
        {
            // An upload that failed before is tried again by the next action that needs the blob.
            var again = new Lazy<Task>(() => UploadOneAsync(blob));
            upload = _uploads.TryUpdate(key, again, upload) ? again : _uploads[key];
        }

        blob.Upload = new BlobUpload(upload.Value, round);
        return upload.Value;
    }

    private async Task UploadOneAsync(Blob blob)
    {
        if (await _findMissing.SubmitAsync(blob.Digest).ConfigureAwait(false))
        {
            if (blob.Digest.SizeBytes > BatchPayload)
                await WriteAsync(blob, CancellationToken.None).ConfigureAwait(false);
            else
                await _update.SubmitAsync(blob).ConfigureAwait(false);
        }

        blob.Uploaded();
    }

    private async Task<IReadOnlyList<bool>> FindMissingAsync(IReadOnlyList<Digest> digests)
    {
        var request = new FindMissingBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        request.BlobDigests.AddRange(digests);
        FindMissingBlobsResponse response = await _retry.RunAsync(
            () => _connection.UnaryAsync("FindMissingBlobs", options => _connection.Cas.FindMissingBlobsAsync(request, options), _connection.ShortCall, CancellationToken.None),
            CancellationToken.None).ConfigureAwait(false);
        var missing = new HashSet<string>(response.MissingBlobDigests.Select(ContentDigest.Key), StringComparer.Ordinal);
        return digests.Select(d => missing.Contains(ContentDigest.Key(d))).ToList();
    }

    private async Task<IReadOnlyList<bool>> UpdateBatchAsync(IReadOnlyList<Blob> batch)
    {
        CancellationToken cancellationToken = CancellationToken.None;
        var request = new BatchUpdateBlobsRequest { InstanceName = _connection.Settings.InstanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        foreach (Blob blob in batch)
        {
            byte[] raw = blob.ReadAll();
            bool compress = CompressBatches && raw.LongLength >= Zstd.WorthCompressing;
            byte[] data = compress ? Zstd.Compress(raw) : raw;
            Sent(data.LongLength, raw.LongLength);
            request.Requests.Add(new BatchUpdateBlobsRequest.Types.Request
            {
                Digest = blob.Digest,
                // The request is serialised before this method returns and nothing writes to the array meanwhile.
                Data = UnsafeByteOperations.UnsafeWrap(data),
                Compressor = compress ? Compressor.Types.Value.Zstd : Compressor.Types.Value.Identity,
            });
        }

        TimeSpan timeout = _connection.Transfer(batch.Sum(b => b.Digest.SizeBytes));
        BatchUpdateBlobsResponse response = await _retry.RunAsync(
            () => _connection.UnaryAsync("BatchUpdateBlobs", options => _connection.Cas.BatchUpdateBlobsAsync(request, options), timeout, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        BatchUpdateBlobsResponse.Types.Response? failed = response.Responses.FirstOrDefault(r => r.Status is not null && r.Status.Code != 0);
        if (failed is not null)
            throw new RpcException(new Status((StatusCode)failed.Status.Code, $"the server refused blob {failed.Digest.Hash}: {failed.Status.Message}"));
        return batch.Select(_ => true).ToList();
    }

    /// <summary>Uploads one blob through ByteStream.Write, in chunks, under a fresh upload name; zstd-compressed when the server takes it.</summary>
    private Task WriteAsync(Blob blob, CancellationToken cancellationToken) => _retry.RunAsync(
        async () =>
        {
            TimeSpan timeout = _connection.Transfer(blob.Digest.SizeBytes);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await WriteOnceAsync(blob, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (RemoteCallTimeoutException.IsOurs(e, clock.Elapsed, timeout, cancellationToken))
            {
                throw new RemoteCallTimeoutException($"ByteStream.Write of a blob of {blob.Digest.SizeBytes} bytes", timeout, e);
            }
        },
        cancellationToken);

    private async Task WriteOnceAsync(Blob blob, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool compress = CompressStreams;
        string kind = compress ? "compressed-blobs/zstd" : "blobs";
        string resource = $"{_connection.InstancePrefix}uploads/{Guid.NewGuid()}/{kind}/{blob.Digest.Hash}/{blob.Digest.SizeBytes}";
        using AsyncClientStreamingCall<WriteRequest, WriteResponse> call = _connection.ByteStream.Write(_connection.Call(cancellationToken, timeout));
        using Stream content = compress ? new MemoryStream(Zstd.Compress(blob.ReadAll()), writable: false) : blob.Open();
        long length = content.Length;
        var buffer = new byte[ChunkSize];
        long offset = 0;
        bool first = true;
        while (true)
        {
            int read = await content.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            bool last = offset + read >= length;
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
        // The committed size of a compressed upload is its compressed length (servers also give -1 or the blob's size).
        if (response.CommittedSize != blob.Digest.SizeBytes && response.CommittedSize != length && response.CommittedSize != -1)
            throw new RpcException(new Status(StatusCode.DataLoss, $"the server committed {response.CommittedSize} of {length} bytes of {blob.Digest.Hash}"));
        Sent(length, blob.Digest.SizeBytes);
    }
}
