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
/// their content hashes (the MODULE_STRTAB's HASH records), as in lld's own cache keys. Because
/// lld orders and numbers a shard's summaries by hash tables keyed by those names, the module
/// table and the summaries go in as <see cref="SummaryCanonicalForm"/> writes them.
/// </summary>
public static class IndexShardDigest
{
    private const ulong ModuleStrtabBlockId = 19;

    /// <summary>
    /// The digest of the shard at <paramref name="path"/>; the digest of its bytes when it cannot
    /// be read as a bitstream (such a shard fails its compile, or gets a key no other link shares).
    /// </summary>
    /// <param name="modulesByContent">Take the modules the shard names by their content hashes alone, not by their paths.</param>
    public static FileDigest Of(string path, bool modulesByContent = false) => Of(File.ReadAllBytes(path), modulesByContent);

    internal static FileDigest Of(byte[] bytes, bool modulesByContent = false)
    {
        using var canonical = new MemoryStream(bytes.Length * 2);
        try
        {
            using (var writer = new BinaryWriter(canonical, Encoding.UTF8, leaveOpen: true))
            {
                var visitor = new Canonical(writer, modulesByContent);
                BitstreamReader.Walk(bytes, visitor);
                visitor.Flush();
            }

            canonical.Position = 0;
        }
        catch (BitcodeFormatException)
        {
            canonical.SetLength(0);
            canonical.Write(bytes, 0, bytes.Length);
            canonical.Position = 0;
        }

        // The size too is the canonical form's: the shard's own bytes grow and shrink with lld's names.
        return new FileDigest(FileDigests.OfStream(canonical), canonical.Length);
    }

    /// <summary>
    /// Every block and record, each field at a fixed width; not the BLOCKINFO block, which only
    /// says how the others are encoded; the module table and the summary block as
    /// <see cref="SummaryCanonicalForm"/> writes them, once the module block that holds them ends.
    /// </summary>
    private sealed class Canonical : IBitstreamVisitor
    {
        private const ulong BlockInfoBlockId = 0;
        private const ulong ModuleBlockId = 8;
        private const ulong SummaryBlockId = 20;
        private readonly BinaryWriter _writer;
        private readonly Stack<ulong> _open = new();
        private readonly bool _modulesByContent;
        private SummaryCanonicalForm _summary;

        public Canonical(BinaryWriter writer, bool modulesByContent)
        {
            _writer = writer;
            _modulesByContent = modulesByContent;
            _summary = new SummaryCanonicalForm(modulesByContent);
        }

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
            ulong blockId = _open.Pop();
            if (blockId == BlockInfoBlockId)
                return;
            if (blockId == ModuleBlockId)
                Flush();
            _writer.Write((byte)'}');
        }

        public void Record(ulong blockId, ulong code, IReadOnlyList<ulong> operands, ReadOnlySpan<byte> blob)
        {
            if (blockId == BlockInfoBlockId)
                return;
            if (blockId == ModuleStrtabBlockId && blob.Length == 0)
            {
                _summary.AddModuleRecord(code, operands);
                return;
            }

            if (blockId == SummaryBlockId && blob.Length == 0)
            {
                _summary.AddSummaryRecord(code, operands);
                return;
            }

            _writer.Write((byte)'r');
            _writer.Write(code);
            _writer.Write(operands.Count);
            foreach (ulong operand in operands)
                _writer.Write(operand);
            _writer.Write(blob.Length);
            _writer.Write(blob.ToArray());
        }

        /// <summary>Writes the module table and summaries read so far (at the end of their module block, or of the shard).</summary>
        public void Flush()
        {
            if (_summary.IsEmpty)
                return;
            _summary.Write(_writer);
            _summary = new SummaryCanonicalForm(_modulesByContent);
        }
    }
}
