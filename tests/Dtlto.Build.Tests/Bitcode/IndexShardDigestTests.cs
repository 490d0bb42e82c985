using System;
using System.Linq;
using Dtlto.Build.Engine.Bitcode;
using Dtlto.Build.Engine.Caching;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Bitcode;

/// <summary>
/// The digest of an index shard: the same for shards that differ only in where lld put an archive
/// member and in its process id, however the bitstream encodes them; different when anything else
/// differs; and never an exception, whatever the bytes.
/// </summary>
[TestClass]
public sealed class IndexShardDigestTests
{
    private static readonly string[] FirstLink = { "main.o", "libx.a(b.o at 90).2.19B8.o", "libx.a(c.o at 3010).3.19B8.o" };
    private static readonly string[] SecondLink = { "main.o", "libx.a(b.o at 94).5.1A54.o", "libx.a(c.o at 3106).6.1A54.o" };

    private enum Encoding
    {
        Unabbreviated,
        LocalAbbrev,
        BlockInfoAbbrev,
    }

    /// <summary>A shard shaped as lld writes one: MODULE_BLOCK { VERSION, MODULE_STRTAB { ENTRY, HASH ... }, GLOBALVAL_SUMMARY }.</summary>
    private static byte[] Shard(string[] modules, Encoding encoding, ulong hashSeed = 7)
    {
        var w = new BitWriter();
        if (encoding == Encoding.BlockInfoAbbrev)
        {
            w.EnterBlock(0, 2);
            w.Unabbreviated(1, 19);
            w.DefineStringAbbrev(1, char6: false);
            w.ExitBlock();
        }

        w.EnterBlock(8, 3);
        w.Unabbreviated(1, 2);
        w.EnterBlock(19, 3);
        if (encoding == Encoding.LocalAbbrev)
            w.DefineStringAbbrev(1, char6: false);
        for (int i = 0; i < modules.Length; i++)
        {
            if (encoding == Encoding.Unabbreviated)
                w.Unabbreviated(1, new[] { (ulong)i }.Concat(modules[i].Select(c => (ulong)c)).ToArray());
            else
                w.StringRecord(4, (ulong)i, modules[i], char6: false);
            w.Unabbreviated(2, hashSeed + (ulong)i, 3393579132, 3241472699, 3980570739, 2443709490);
        }

        w.ExitBlock();
        w.EnterBlock(20, 4);
        w.Unabbreviated(1, 12);
        w.Unabbreviated(20, 1, 0, 96, 2, 64);
        w.ExitBlock();
        w.ExitBlock();
        return w.ToArray();
    }

    [TestMethod]
    public void ArchiveMembersAtOtherPlacesAndOfAnotherLinkGiveTheSameDigest()
    {
        string first = IndexShardDigest.Of(Shard(FirstLink, Encoding.LocalAbbrev)).Hash;

        CollectionAssert.AreNotEqual(Shard(FirstLink, Encoding.LocalAbbrev), Shard(SecondLink, Encoding.LocalAbbrev));
        Assert.AreEqual(first, IndexShardDigest.Of(Shard(SecondLink, Encoding.LocalAbbrev)).Hash);
        Assert.AreEqual(first, IndexShardDigest.Of(Shard(SecondLink, Encoding.Unabbreviated)).Hash, "the fields, not their encoding");
        Assert.AreEqual(first, IndexShardDigest.Of(Shard(SecondLink, Encoding.BlockInfoAbbrev)).Hash, "an abbreviation from BLOCKINFO");
    }

    [TestMethod]
    public void AnotherModuleOrAnotherHashGivesAnotherDigest()
    {
        string first = IndexShardDigest.Of(Shard(FirstLink, Encoding.LocalAbbrev)).Hash;

        Assert.AreNotEqual(first, IndexShardDigest.Of(Shard(FirstLink, Encoding.LocalAbbrev, hashSeed: 8)).Hash, "a module's content hash");
        Assert.AreNotEqual(first, IndexShardDigest.Of(Shard(new[] { "main.o", "libx.a(d.o at 90).2.19B8.o", "libx.a(c.o at 3010).3.19B8.o" }, Encoding.LocalAbbrev)).Hash, "another member");
        Assert.AreNotEqual(first, IndexShardDigest.Of(Shard(new[] { "main.o", "liby.a(b.o at 90).2.19B8.o", "libx.a(c.o at 3010).3.19B8.o" }, Encoding.LocalAbbrev)).Hash, "another archive");
        Assert.AreNotEqual(first, IndexShardDigest.Of(Shard(new[] { "main2.o", FirstLink[1], FirstLink[2] }, Encoding.LocalAbbrev)).Hash, "a module outside archives by its path");
    }

    [TestMethod]
    public void Char6NamesReadAsTheirCharacters()
    {
        static byte[] Named(bool char6)
        {
            var w = new BitWriter();
            w.EnterBlock(19, 3);
            w.DefineStringAbbrev(1, char6);
            w.StringRecord(4, 0, "Main_2.o", char6);
            w.ExitBlock();
            return w.ToArray();
        }

        Assert.AreEqual(IndexShardDigest.Of(Named(char6: false)).Hash, IndexShardDigest.Of(Named(char6: true)).Hash);
    }

    [TestMethod]
    public void MalformedBytesGetTheDigestOfTheBytesAndNeverAnException()
    {
        byte[] shard = Shard(FirstLink, Encoding.BlockInfoAbbrev);
        var random = new Random(20261207);
        int readAsBitstream = 0;
        for (int length = 0; length < shard.Length; length++)
            Assert.AreEqual(64, IndexShardDigest.Of(shard.Take(length).ToArray()).Hash.Length);
        for (int i = 0; i < 3000; i++)
        {
            byte[] damaged = (byte[])shard.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                damaged[random.Next(4, damaged.Length)] ^= (byte)(1 << random.Next(8));
            FileDigest digest = IndexShardDigest.Of(damaged);
            Assert.AreEqual(64, digest.Hash.Length);
            try
            {
                BitstreamReader.Walk(damaged, new NullVisitor());
                readAsBitstream++;
            }
            catch (BitcodeFormatException)
            {
            }
        }

        Assert.IsTrue(readAsBitstream > 0 && readAsBitstream < 3000, $"{readAsBitstream} of 3000 damaged shards still read as a bitstream");
        Assert.ThrowsExactly<BitcodeFormatException>(() => BitstreamReader.Walk(new byte[] { 1, 2, 3, 4 }, new NullVisitor()), "no magic");
    }

    [TestMethod]
    public void BlocksNestedWithoutEndAreRefused()
    {
        var w = new BitWriter();
        for (int i = 0; i < 100; i++)
            w.EnterBlock(8, 3);
        for (int i = 0; i < 100; i++)
            w.ExitBlock();

        Assert.ThrowsExactly<BitcodeFormatException>(() => BitstreamReader.Walk(w.ToArray(), new NullVisitor()));
    }

    private sealed class NullVisitor : IBitstreamVisitor
    {
        public void EnterBlock(ulong blockId)
        {
        }

        public void ExitBlock()
        {
        }

        public void Record(ulong blockId, ulong code, System.Collections.Generic.IReadOnlyList<ulong> operands, ReadOnlySpan<byte> blob)
        {
        }
    }
}
