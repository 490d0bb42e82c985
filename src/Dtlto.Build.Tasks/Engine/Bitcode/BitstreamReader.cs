using System;
using System.Collections.Generic;

namespace Dtlto.Build.Engine.Bitcode;

/// <summary>What a walk over a bitstream reports: blocks as they open and close, and each record with its operands decoded.</summary>
public interface IBitstreamVisitor
{
    void EnterBlock(ulong blockId);

    void ExitBlock();

    /// <summary>A record of the innermost open block; <paramref name="operands"/> and <paramref name="blob"/> are valid during the call only.</summary>
    void Record(ulong blockId, ulong code, IReadOnlyList<ulong> operands, ReadOnlySpan<byte> blob);
}

/// <summary>
/// Walks LLVM's bitstream container (the format of bitcode files and ThinLTO index shards): blocks,
/// abbreviation definitions (local and from the BLOCKINFO block) and records, with abbreviated
/// fields decoded, so that two files with the same content read the same however they were encoded.
/// It knows nothing of what the blocks mean. Malformed data throws <see cref="BitcodeFormatException"/>;
/// every length is checked against the data before it is used.
/// </summary>
public static class BitstreamReader
{
    private const int EndBlock = 0;
    private const int EnterSubblock = 1;
    private const int DefineAbbrev = 2;
    private const int UnabbreviatedRecord = 3;
    private const ulong BlockInfoBlockId = 0;
    private const ulong SetBlockIdCode = 1;
    private const int MaxDepth = 64;

    public static void Walk(byte[] data, IBitstreamVisitor visitor)
    {
        var cursor = new BitCursor(data, StartOf(data));
        var blockInfo = new Dictionary<ulong, List<AbbrevOp[]>>();
        var operands = new List<ulong>();
        // LLVM pads the last block to 32 bits; what follows the last block can only be padding.
        while (cursor.BitsLeft >= 32)
        {
            if (cursor.Fixed(2) != EnterSubblock)
                throw new BitcodeFormatException("a top-level entry that is not a block");
            ReadBlock(cursor, visitor, blockInfo, operands, depth: 0);
        }
    }

    /// <summary>Where the bitstream starts after the 'BC' 0xC0DE magic (and after the wrapper header some platforms put before it).</summary>
    private static int StartOf(byte[] data)
    {
        int start = 0;
        if (data.Length >= 20 && BitConverter.ToUInt32(data, 0) == 0x0B17C0DE && BitConverter.IsLittleEndian)
        {
            uint offset = BitConverter.ToUInt32(data, 8);
            if (offset % 4 != 0 || offset > data.Length - 4)
                throw new BitcodeFormatException("a wrapper header that points outside the file");
            start = (int)offset;
        }

        if (data.Length < start + 4 || data[start] != (byte)'B' || data[start + 1] != (byte)'C' || data[start + 2] != 0xC0 || data[start + 3] != 0xDE)
            throw new BitcodeFormatException("no bitcode magic");
        return start + 4;
    }

    private static void ReadBlock(BitCursor cursor, IBitstreamVisitor visitor, Dictionary<ulong, List<AbbrevOp[]>> blockInfo, List<ulong> operands, int depth)
    {
        if (depth > MaxDepth)
            throw new BitcodeFormatException("blocks nested too deep");
        ulong blockId = cursor.Vbr(8);
        int abbrevWidth = (int)cursor.Vbr(4);
        if (abbrevWidth < 1 || abbrevWidth > 32)
            throw new BitcodeFormatException($"a block whose abbreviation IDs are {abbrevWidth} bits wide");
        cursor.AlignTo32Bits();
        ulong words = cursor.Fixed(32);
        if (words * 32 > (ulong)cursor.BitsLeft)
            throw new BitcodeFormatException("a block longer than the data");

        var abbrevs = blockInfo.TryGetValue(blockId, out List<AbbrevOp[]>? inherited) ? new List<AbbrevOp[]>(inherited) : new List<AbbrevOp[]>();
        ulong? describedBlock = null;
        visitor.EnterBlock(blockId);
        while (true)
        {
            ulong id = cursor.Fixed(abbrevWidth);
            switch (id)
            {
                case EndBlock:
                    cursor.AlignTo32Bits();
                    visitor.ExitBlock();
                    return;
                case EnterSubblock:
                    ReadBlock(cursor, visitor, blockInfo, operands, depth + 1);
                    continue;
                case DefineAbbrev:
                    AbbrevOp[] abbrev = AbbrevOp.ReadDefinition(cursor);
                    if (blockId != BlockInfoBlockId)
                        abbrevs.Add(abbrev);
                    else if (describedBlock is ulong described)
                        (blockInfo.TryGetValue(described, out List<AbbrevOp[]>? list) ? list : blockInfo[described] = new List<AbbrevOp[]>()).Add(abbrev);
                    else
                        throw new BitcodeFormatException("an abbreviation in BLOCKINFO before any SETBID");
                    continue;
            }

            operands.Clear();
            ulong code;
            ReadOnlySpan<byte> blob = default;
            if (id == UnabbreviatedRecord)
            {
                code = cursor.Vbr(6);
                ulong count = cursor.Vbr(6);
                if (count > (ulong)cursor.BitsLeft / 6)
                    throw new BitcodeFormatException("a record with more operands than the data holds");
                for (ulong i = 0; i < count; i++)
                    operands.Add(cursor.Vbr(6));
            }
            else
            {
                int index = (int)Math.Min(id - 4, int.MaxValue);
                if (index >= abbrevs.Count)
                    throw new BitcodeFormatException($"a record with undefined abbreviation {id}");
                code = AbbrevOp.ReadRecord(cursor, abbrevs[index], operands, out blob);
            }

            if (blockId == BlockInfoBlockId && code == SetBlockIdCode)
                describedBlock = operands.Count > 0 ? operands[0] : throw new BitcodeFormatException("SETBID without a block ID");
            visitor.Record(blockId, code, operands, blob);
        }
    }
}
