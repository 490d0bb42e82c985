using System;
using System.Collections.Generic;

namespace Dtlto.Build.Engine.Bitcode;

/// <summary>One operand of a bitstream abbreviation: a literal value, or how the field is encoded.</summary>
internal readonly struct AbbrevOp
{
    private const int MaxFieldWidth = 32;
    private const ulong MaxArrayLength = 1 << 24;

    private AbbrevOp(AbbrevEncoding encoding, ulong value)
    {
        Encoding = encoding;
        Value = value;
    }

    public AbbrevEncoding Encoding { get; }

    /// <summary>The literal's value, or the width of a fixed or VBR field.</summary>
    public ulong Value { get; }

    /// <summary>The operands of a DEFINE_ABBREV, checked as LLVM checks them.</summary>
    public static AbbrevOp[] ReadDefinition(BitCursor cursor)
    {
        ulong count = cursor.Vbr(5);
        if (count == 0 || count > (ulong)cursor.BitsLeft)
            throw new BitcodeFormatException("an abbreviation with no operands, or more than the data holds");
        var ops = new AbbrevOp[count];
        for (ulong i = 0; i < count; i++)
        {
            if (cursor.Fixed(1) == 1)
            {
                ops[i] = new AbbrevOp(AbbrevEncoding.Literal, cursor.Vbr(8));
                continue;
            }

            var encoding = (AbbrevEncoding)(int)cursor.Fixed(3);
            switch (encoding)
            {
                case AbbrevEncoding.Fixed or AbbrevEncoding.Vbr:
                    ulong width = cursor.Vbr(5);
                    if (width > MaxFieldWidth || (encoding == AbbrevEncoding.Vbr && width == 1))
                        throw new BitcodeFormatException($"an abbreviated field {width} bits wide");
                    // A field of no bits is always zero: LLVM reads it as the literal 0.
                    ops[i] = width == 0 ? new AbbrevOp(AbbrevEncoding.Literal, 0) : new AbbrevOp(encoding, width);
                    break;
                case AbbrevEncoding.Array or AbbrevEncoding.Char6 or AbbrevEncoding.Blob:
                    ops[i] = new AbbrevOp(encoding, 0);
                    break;
                default:
                    throw new BitcodeFormatException($"an abbreviation operand of unknown encoding {(int)encoding}");
            }
        }

        for (int i = 0; i < ops.Length; i++)
        {
            bool arrayFollowedByElement = ops[i].Encoding != AbbrevEncoding.Array
                || (i == ops.Length - 2 && ops[i + 1].Encoding is AbbrevEncoding.Fixed or AbbrevEncoding.Vbr or AbbrevEncoding.Char6);
            if (!arrayFollowedByElement || (ops[i].Encoding == AbbrevEncoding.Blob && i != ops.Length - 1))
                throw new BitcodeFormatException("an array or blob out of place in an abbreviation");
        }

        if (ops[0].Encoding is AbbrevEncoding.Array or AbbrevEncoding.Blob)
            throw new BitcodeFormatException("an abbreviation whose record code is an array or a blob");
        return ops;
    }

    /// <summary>Reads a record by its abbreviation; returns its code and fills its operands (and its blob, if it has one).</summary>
    public static ulong ReadRecord(BitCursor cursor, AbbrevOp[] abbrev, List<ulong> operands, out ReadOnlySpan<byte> blob)
    {
        blob = default;
        ulong code = abbrev[0].Read(cursor);
        for (int i = 1; i < abbrev.Length; i++)
        {
            AbbrevOp op = abbrev[i];
            if (op.Encoding == AbbrevEncoding.Array)
            {
                ulong length = cursor.Vbr(6);
                if (length > MaxArrayLength || length > (ulong)cursor.BitsLeft)
                    throw new BitcodeFormatException("an array longer than the data holds");
                AbbrevOp element = abbrev[++i];
                for (ulong e = 0; e < length; e++)
                    operands.Add(element.Read(cursor));
            }
            else if (op.Encoding == AbbrevEncoding.Blob)
            {
                ulong length = cursor.Vbr(6);
                cursor.AlignTo32Bits();
                if (length > (ulong)cursor.BitsLeft / 8)
                    throw new BitcodeFormatException("a blob longer than the data holds");
                blob = cursor.Bytes((long)length);
                cursor.AlignTo32Bits();
            }
            else
            {
                operands.Add(op.Read(cursor));
            }
        }

        return code;
    }

    private ulong Read(BitCursor cursor) => Encoding switch
    {
        AbbrevEncoding.Literal => Value,
        AbbrevEncoding.Fixed => cursor.Fixed((int)Value),
        AbbrevEncoding.Vbr => cursor.Vbr((int)Value),
        AbbrevEncoding.Char6 => DecodeChar6(cursor.Fixed(6)),
        _ => throw new BitcodeFormatException("an array or blob where a scalar field belongs"),
    };

    /// <summary>The character a 6-bit field stands for: a-z, A-Z, 0-9, '.', '_'.</summary>
    private static ulong DecodeChar6(ulong value) => value switch
    {
        < 26 => 'a' + value,
        < 52 => 'A' + value - 26,
        < 62 => '0' + value - 52,
        62 => '.',
        _ => '_',
    };
}

internal enum AbbrevEncoding
{
    Literal = 0,
    Fixed = 1,
    Vbr = 2,
    Array = 3,
    Char6 = 4,
    Blob = 5,
}
