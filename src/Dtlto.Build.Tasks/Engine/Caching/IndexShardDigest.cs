using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Dtlto.Build.Engine.Bitcode;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// The digest of an index shard with the archive members it names taken by their names alone.
/// A shard lists every module its backend compile reads by the path lld gave it, and lld names an
/// archive member after its offset, a task number and its own process id
/// (<c>lib.a(t2.o at 80).2.1164.o</c>): the bytes of such a shard differ in every link. The shard
/// is read as a bitstream, and its records go into the digest with those names as
/// <see cref="ExtractedArchiveMember.Display"/> gives them; the modules themselves stay in it by
/// their content hashes (the MODULE_STRTAB's HASH records), as in lld's own cache keys.
/// </summary>
public static class IndexShardDigest
{
    private const ulong ModuleStrtabBlockId = 19;
    private const ulong ModuleEntryCode = 1;

    /// <summary>
    /// The digest of the shard at <paramref name="path"/>; the digest of its bytes when it cannot
    /// be read as a bitstream (such a shard fails its compile, or gets a key no other link shares).
    /// </summary>
    public static FileDigest Of(string path) => Of(File.ReadAllBytes(path));

    internal static FileDigest Of(byte[] bytes)
    {
        using var canonical = new MemoryStream(bytes.Length * 2);
        try
        {
            using (var writer = new BinaryWriter(canonical, Encoding.UTF8, leaveOpen: true))
                BitstreamReader.Walk(bytes, new Canonical(writer));
            canonical.Position = 0;
        }
        catch (BitcodeFormatException)
        {
            canonical.SetLength(0);
            canonical.Write(bytes, 0, bytes.Length);
            canonical.Position = 0;
        }

        return new FileDigest(FileDigests.OfStream(canonical), bytes.Length);
    }

    /// <summary>
    /// Every block and record, each field at a fixed width, module names without their place; not
    /// the BLOCKINFO block, which only says how the others are encoded.
    /// </summary>
    private sealed class Canonical : IBitstreamVisitor
    {
        private const ulong BlockInfoBlockId = 0;
        private readonly BinaryWriter _writer;
        private readonly Stack<ulong> _open = new();

        public Canonical(BinaryWriter writer) => _writer = writer;

        public void EnterBlock(ulong blockId)
        {
            _open.Push(blockId);
            if (blockId == BlockInfoBlockId)
                return;
            _writer.Write((byte)'{');
            _writer.Write(blockId);
        }

        public void ExitBlock()
        {
            if (_open.Pop() != BlockInfoBlockId)
                _writer.Write((byte)'}');
        }

        public void Record(ulong blockId, ulong code, IReadOnlyList<ulong> operands, ReadOnlySpan<byte> blob)
        {
            if (blockId == BlockInfoBlockId)
                return;
            _writer.Write((byte)'r');
            _writer.Write(code);
            if (blockId == ModuleStrtabBlockId && code == ModuleEntryCode && operands.Count > 1)
            {
                _writer.Write(operands[0]);
                var name = new StringBuilder(operands.Count - 1);
                for (int i = 1; i < operands.Count; i++)
                    name.Append((char)(byte)operands[i]);
                _writer.Write(ExtractedArchiveMember.Display(name.ToString()));
                return;
            }

            _writer.Write(operands.Count);
            foreach (ulong operand in operands)
                _writer.Write(operand);
            _writer.Write(blob.Length);
            _writer.Write(blob.ToArray());
        }
    }
}
