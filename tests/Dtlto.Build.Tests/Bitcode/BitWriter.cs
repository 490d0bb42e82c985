using System.Collections.Generic;

namespace Dtlto.Build.Tests.Bitcode;

/// <summary>Writes an LLVM bitstream bit by bit, as LLVM's BitstreamWriter lays it out, for tests of the reader.</summary>
internal sealed class BitWriter
{
    private readonly List<byte> _bytes = new() { (byte)'B', (byte)'C', 0xC0, 0xDE };
    private readonly Stack<(int Width, int LengthAt)> _blocks = new();
    private long _bit = 32;
    private int _width = 2;

    public void Fixed(ulong value, int width)
    {
        for (int i = 0; i < width; i++, _bit++)
        {
            if (_bit / 8 >= _bytes.Count)
                _bytes.Add(0);
            if (((value >> i) & 1) != 0)
                _bytes[(int)(_bit / 8)] |= (byte)(1 << (int)(_bit % 8));
        }
    }

    public void Vbr(ulong value, int width)
    {
        ulong limit = 1UL << (width - 1);
        while (value >= limit)
        {
            Fixed((value & (limit - 1)) | limit, width);
            value >>= width - 1;
        }

        Fixed(value, width);
    }

    public void Align()
    {
        while (_bit % 32 != 0)
            Fixed(0, 1);
    }

    public void EnterBlock(ulong id, int width)
    {
        Fixed(1, _width);
        Vbr(id, 8);
        Vbr((ulong)width, 4);
        Align();
        _blocks.Push((_width, (int)(_bit / 8)));
        Fixed(0, 32);
        _width = width;
    }

    public void ExitBlock()
    {
        Fixed(0, _width);
        Align();
        (int width, int lengthAt) = _blocks.Pop();
        uint words = (uint)((_bit / 8 - lengthAt - 4) / 4);
        for (int i = 0; i < 4; i++)
            _bytes[lengthAt + i] = (byte)(words >> (8 * i));
        _width = width;
    }

    public void Unabbreviated(ulong code, params ulong[] operands)
    {
        Fixed(3, _width);
        Vbr(code, 6);
        Vbr((ulong)operands.Length, 6);
        foreach (ulong operand in operands)
            Vbr(operand, 6);
    }

    /// <summary>DEFINE_ABBREV [literal code, VBR6 id, array of char6 or of 8-bit fixed].</summary>
    public void DefineStringAbbrev(ulong code, bool char6)
    {
        Fixed(2, _width);
        Vbr(4, 5);
        Fixed(1, 1); Vbr(code, 8);
        Fixed(0, 1); Fixed(2, 3); Vbr(6, 5);
        Fixed(0, 1); Fixed(3, 3);
        if (char6)
        {
            Fixed(0, 1); Fixed(4, 3);
        }
        else
        {
            Fixed(0, 1); Fixed(1, 3); Vbr(8, 5);
        }
    }

    /// <summary>A record by abbreviation <paramref name="abbrevId"/> as <see cref="DefineStringAbbrev"/> defines it.</summary>
    public void StringRecord(int abbrevId, ulong id, string text, bool char6)
    {
        Fixed((ulong)abbrevId, _width);
        Vbr(id, 6);
        Vbr((ulong)text.Length, 6);
        foreach (char c in text)
            Fixed(char6 ? Char6(c) : c, char6 ? 6 : 8);
    }

    private static ulong Char6(char c) => c switch
    {
        >= 'a' and <= 'z' => (ulong)(c - 'a'),
        >= 'A' and <= 'Z' => (ulong)(c - 'A' + 26),
        >= '0' and <= '9' => (ulong)(c - '0' + 52),
        '.' => 62,
        _ => 63,
    };

    public byte[] ToArray()
    {
        while (_bytes.Count % 4 != 0)
            _bytes.Add(0);
        return _bytes.ToArray();
    }
}
