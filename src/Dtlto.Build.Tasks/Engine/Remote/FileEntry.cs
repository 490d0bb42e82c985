using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;

namespace Dtlto.Build.Engine.Remote;

/// <summary>A file as its Directory lists it (name, content, executable bit), encoded once for every input root it is in.</summary>
internal sealed class FileEntry
{
    public FileEntry(string name, Blob content, bool executable)
    {
        Name = name;
        Content = content;
        Encoded = Field(1, new FileNode { Name = name, Digest = content.Digest, IsExecutable = executable }.ToByteArray());
    }

    public string Name { get; }

    public Blob Content { get; }

    /// <summary>The entry as a field of its Directory message: tag, length, FileNode.</summary>
    public byte[] Encoded { get; }

    /// <summary>A length-delimited field: its tag, the length as a varint, then the bytes.</summary>
    internal static byte[] Field(int number, byte[] value)
    {
        int lengthSize = CodedOutputStream.ComputeLengthSize(value.Length);
        byte[] field = new byte[1 + lengthSize + value.Length];
        field[0] = (byte)((number << 3) | 2);
        int at = 1;
        for (uint length = (uint)value.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                field[at++] = (byte)length;
                break;
            }

            field[at++] = (byte)(length | 0x80);
        }

        value.CopyTo(field, at);
        return field;
    }
}
