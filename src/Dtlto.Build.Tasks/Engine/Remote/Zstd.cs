using System;
using System.IO;

namespace Dtlto.Build.Engine.Remote;

/// <summary>zstd as the Remote Execution API's ZSTD compressor: whole blobs, level 1 (the network, not the ratio, is what is saved).</summary>
internal static class Zstd
{
    /// <summary>Blobs smaller than this go as they are: compressing them saves nothing worth the CPU.</summary>
    public const long WorthCompressing = 1024;

    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var compressor = new ZstdSharp.Compressor(1);
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>
    /// The most compressed bytes a blob of <paramref name="size"/> bytes can honestly take (zstd's
    /// own bound on incompressible data, with room to spare): a server that sends more is not
    /// sending that blob.
    /// </summary>
    public static long MaxCompressedSize(long size) => size + (size / 128) + (128 * 1024);

    /// <summary>
    /// Decompresses a blob of <paramref name="size"/> bytes into a buffer of exactly that size, so a
    /// frame that would expand further (a zstd bomb) fails at the buffer's end instead of taking
    /// memory; throws <see cref="InvalidOperationException"/> when it is not zstd or not that size.
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> data, long size)
    {
        var result = new byte[size];
        int written;
        try
        {
            using var decompressor = new ZstdSharp.Decompressor();
            written = decompressor.Unwrap(data, result);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidOperationException($"a zstd blob of {size} bytes could not be decompressed ({e.Message})", e);
        }

        return written == size ? result : throw new InvalidOperationException($"a zstd blob decompressed to {written} bytes, not {size}");
    }

    /// <summary>Decompresses a stream into <paramref name="sink"/>, which stops it at the blob's size; throws <see cref="InvalidOperationException"/> when it is not zstd.</summary>
    public static void Decompress(Stream compressed, BlobSink sink)
    {
        var buffer = new byte[81920];
        try
        {
            using var stream = new ZstdSharp.DecompressionStream(compressed, leaveOpen: true);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                sink.Write(buffer.AsSpan(0, read));
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidOperationException("a zstd stream could not be decompressed (" + e.Message + ")", e);
        }
    }
}
