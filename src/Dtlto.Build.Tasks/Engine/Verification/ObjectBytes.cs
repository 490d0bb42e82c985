using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;

namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// An object file's bytes for a check: read whole in one call into a pooled buffer (a file a
/// compile just wrote is in the page cache, so this costs about a copy), or for a file past
/// 1 GiB range by range. Every range is checked against the file's length before it is used, so
/// a header that claims a table of terabytes costs nothing. (A memory map would touch only the
/// tables and halve the cost, but a file cut short while mapped kills the process with SIGBUS,
/// and this runs inside MSBuild's nodes.)
/// </summary>
internal sealed class ObjectBytes : IDisposable
{
    private const long WholeFileLimit = 1L << 30;

    private readonly FileStream? _stream;
    private byte[]? _pooled;
    private readonly ReadOnlyMemory<byte> _whole;

    public ObjectBytes(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.RandomAccess);
        Length = stream.Length;
        if (Length > WholeFileLimit)
        {
            _stream = stream;
            return;
        }

        using (stream)
        {
            _pooled = ArrayPool<byte>.Shared.Rent((int)Math.Max(Length, 1));
            int total = 0;
            int read;
            while (total < Length && (read = stream.Read(_pooled, total, (int)Length - total)) > 0)
                total += read;
            // A file cut short while it was read is as long as what could be read.
            Length = total;
            _whole = _pooled.AsMemory(0, total);
        }
    }

    /// <summary>An object's bytes already in memory: those just written to its file.</summary>
    public ObjectBytes(ReadOnlyMemory<byte> contents)
    {
        _whole = contents;
        Length = contents.Length;
    }

    public long Length { get; }

    /// <summary>Whether [offset, offset + size) lies inside the file (with no overflow on the way).</summary>
    public bool Holds(ulong offset, ulong size) => offset <= (ulong)Length && size <= (ulong)Length - offset;

    /// <summary>The bytes of [offset, offset + size), which the caller has checked with <see cref="Holds"/>; at most 2 GiB at once.</summary>
    public ReadOnlySpan<byte> Span(ulong offset, ulong size)
    {
        if (!Holds(offset, size) || size > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), "a range outside the file");
        if (_stream is null)
            return _whole.Span.Slice((int)offset, (int)size);
        var buffer = new byte[size];
        _stream!.Position = (long)offset;
        int total = 0;
        int read;
        while (total < buffer.Length && (read = _stream.Read(buffer, total, buffer.Length - total)) > 0)
            total += read;
        return buffer;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        if (_pooled is not null)
            ArrayPool<byte>.Shared.Return(_pooled);
        _pooled = null;
    }

    public static ulong U16(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at)) : BinaryPrimitives.ReadUInt16BigEndian(b.Slice(at));

    public static ulong U32(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.Slice(at));

    public static ulong U64(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at)) : BinaryPrimitives.ReadUInt64BigEndian(b.Slice(at));
}
