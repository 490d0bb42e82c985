namespace Dtlto.Build.RemoteTestServer;

/// <summary>The server's zstd, for blobs that come and go compressed.</summary>
internal static class ZstdCodec
{
    public static byte[] Compress(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    public static byte[] Decompress(byte[] data)
    {
        using var decompressor = new ZstdSharp.Decompressor();
        return decompressor.Unwrap(data).ToArray();
    }
}
