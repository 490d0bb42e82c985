using System;
using System.IO;
using System.Security.Cryptography;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Takes a blob's bytes as they arrive and passes them on (to a file, or to memory), hashing them
/// on the way, and never one byte past the size its digest promised: a server that sends without
/// end fails at the first byte too many, before it costs memory or disk. <see cref="Finish"/>
/// checks the size and the hash.
/// </summary>
internal sealed class BlobSink : IDisposable
{
    private readonly Digest _digest;
    private readonly Stream _target;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _written;

    public BlobSink(Digest digest, Stream target)
    {
        _digest = digest;
        _target = target;
    }

    public long Written => _written;

    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length > _digest.SizeBytes - _written)
            throw new RpcException(new Status(StatusCode.DataLoss, $"the server sent more than the {_digest.SizeBytes} bytes of blob {_digest.Hash}"));
        _hash.AppendData(data);
        _target.Write(data);
        _written += data.Length;
    }

    /// <summary>Checks that the whole blob, and only it, arrived.</summary>
    public void Finish()
    {
        if (_written != _digest.SizeBytes)
            throw new RpcException(new Status(StatusCode.DataLoss, $"the server sent {_written} of the {_digest.SizeBytes} bytes of blob {_digest.Hash}"));
        if (ContentDigest.Hex(_hash.GetHashAndReset()) != _digest.Hash)
            throw new RpcException(new Status(StatusCode.DataLoss, $"blob {_digest.Hash} came back with other content"));
        _target.Flush();
    }

    public void Dispose() => _hash.Dispose();
}
