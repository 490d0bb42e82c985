using System;
using System.IO;

namespace Dtlto.Build.Engine.Verification;

/// <summary>
/// Reads the parts of an object file a check needs (its header, a table) by offset, never past
/// the file's end: every range is checked against the file's length before a byte of it is read,
/// so a header that claims a table of terabytes costs nothing.
/// </summary>
internal sealed class ObjectBytes : IDisposable
{
    private readonly FileStream _stream;

    public ObjectBytes(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.RandomAccess);
        Length = _stream.Length;
    }

    public long Length { get; }

    /// <summary>Whether [offset, offset + size) lies inside the file (with no overflow on the way).</summary>
    public bool Holds(ulong offset, ulong size) => offset <= (ulong)Length && size <= (ulong)Length - offset;

    /// <summary>The bytes of [offset, offset + size); null when the range is not inside the file.</summary>
    public byte[]? Read(ulong offset, ulong size)
    {
        if (!Holds(offset, size))
            return null;
        var buffer = new byte[size];
        _stream.Position = (long)offset;
        int total = 0;
        while (total < buffer.Length)
        {
            int read = _stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
                return null;
            total += read;
        }

        return buffer;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>An unsigned integer of <paramref name="size"/> bytes at <paramref name="offset"/> of <paramref name="bytes"/>.</summary>
    public static ulong UInt(byte[] bytes, long offset, int size, bool little)
    {
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            long index = little ? offset + size - 1 - i : offset + i;
            value = (value << 8) | bytes[index];
        }

        return value;
    }
}
