using System;

namespace Dtlto.Build.Engine.Bitcode;

/// <summary>
/// Reads the bits of an LLVM bitstream in the order LLVM writes them: least significant bit of
/// each byte first. Every read is checked against the end of the data.
/// </summary>
internal sealed class BitCursor
{
    private readonly byte[] _data;
    private long _position;

    public BitCursor(byte[] data, int startByte)
    {
        _data = data;
        _position = startByte * 8L;
    }

    public long BitsLeft => _data.Length * 8L - _position;

    public bool AtEnd => BitsLeft <= 0;

    /// <summary>A fixed-width field of up to 64 bits.</summary>
    public ulong Fixed(int width)
    {
        if (width < 0 || width > 64)
            throw new BitcodeFormatException($"a field of {width} bits");
        if (width > BitsLeft)
            throw new BitcodeFormatException("the data ends inside a field");
        ulong value = 0;
        for (int i = 0; i < width;)
        {
            int bitInByte = (int)(_position & 7);
            int take = Math.Min(8 - bitInByte, width - i);
            ulong bits = (ulong)((_data[_position >> 3] >> bitInByte) & ((1 << take) - 1));
            value |= bits << i;
            i += take;
            _position += take;
        }

        return value;
    }

    /// <summary>A variable-width field: chunks of <paramref name="width"/> bits whose top bit says another follows.</summary>
    public ulong Vbr(int width)
    {
        if (width < 2 || width > 32)
            throw new BitcodeFormatException($"a VBR field of {width} bits");
        ulong continuation = 1UL << (width - 1);
        ulong value = 0;
        for (int shift = 0; ; shift += width - 1)
        {
            if (shift >= 64)
                throw new BitcodeFormatException("a VBR field longer than 64 bits");
            ulong chunk = Fixed(width);
            value |= (chunk & (continuation - 1)) << shift;
            if ((chunk & continuation) == 0)
                return value;
        }
    }

    /// <summary>Moves to the next multiple of 32 bits, as blocks and blobs are aligned.</summary>
    public void AlignTo32Bits()
    {
        long aligned = (_position + 31) & ~31L;
        if (aligned > _data.Length * 8L)
            throw new BitcodeFormatException("the data ends before an aligned field");
        _position = aligned;
    }

    /// <summary>Bytes at the current position, which must be byte-aligned.</summary>
    public ReadOnlySpan<byte> Bytes(long count)
    {
        if ((_position & 7) != 0 || count < 0 || count * 8 > BitsLeft)
            throw new BitcodeFormatException("a blob runs past the end of the data");
        var bytes = new ReadOnlySpan<byte>(_data, (int)(_position >> 3), (int)count);
        _position += count * 8;
        return bytes;
    }
}
