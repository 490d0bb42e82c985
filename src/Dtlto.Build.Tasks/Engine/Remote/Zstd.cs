using System;

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

    /// <summary>Decompresses a blob; throws <see cref="InvalidOperationException"/> when it is not zstd or not <paramref name="size"/> bytes.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> data, long size)
    {
        using var decompressor = new ZstdSharp.Decompressor();
        byte[] result;
        try
        {
            result = decompressor.Unwrap(data).ToArray();
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidOperationException("a zstd blob could not be decompressed: " + e.Message, e);
        }

        return result.LongLength == size ? result : throw new InvalidOperationException($"a zstd blob decompressed to {result.LongLength} bytes, not {size}");
    }
}
