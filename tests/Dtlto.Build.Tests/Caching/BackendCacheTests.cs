using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Caching;

/// <summary>Entries go in whole and come out checked; concurrent inserts and pruning keep the cache whole and bounded.</summary>
[TestClass]
public sealed class BackendCacheTests
{
    private static readonly string Key = new string('a', 64);

    private static string Output(TestDirectory dir, string name, int size, byte fill)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, Enumerable.Repeat(fill, size).ToArray());
        return path;
    }

    [TestMethod]
    public void AStoredResultComesBackWithItsBytesAndWhatTheCompilerSaid()
    {
        using var dir = new TestDirectory();
        var cache = new BackendCache(dir.File("cache"));
        string first = Output(dir, "a.o", 100_000, 7);
        string second = Output(dir, "a.dwo", 10, 9);
        cache.Store(Key, new[] { first, second }, "a.c:1:2: warning: something\n");
        string[] restored = { dir.File("out/x.o"), dir.File("out/x.dwo") };
        Directory.CreateDirectory(dir.File("out"));

        CacheRestore lookup = cache.Restore(Key, restored, check: null);
        string said = lookup.CompilerOutput;

        Assert.AreEqual(CacheLookup.Hit, lookup.Lookup);
        CollectionAssert.AreEqual(File.ReadAllBytes(first), File.ReadAllBytes(restored[0]));
        CollectionAssert.AreEqual(File.ReadAllBytes(second), File.ReadAllBytes(restored[1]));
        Assert.AreEqual("a.c:1:2: warning: something\n", said);
        Assert.AreEqual(CacheLookup.Miss, cache.Restore(new string('b', 64), restored, check: null).Lookup);
    }

    [TestMethod]
    public void ADamagedOrTruncatedEntryIsDiscardedAndLeavesNoOutput()
    {
        using var dir = new TestDirectory();
        var cache = new BackendCache(dir.File("cache"));
        string output = Output(dir, "a.o", 50_000, 7);
        foreach (Action<string> damage in new Action<string>[]
        {
            entry => { byte[] b = File.ReadAllBytes(entry); b[b.Length - 10] ^= 1; File.WriteAllBytes(entry, b); },
            entry => { byte[] b = File.ReadAllBytes(entry); File.WriteAllBytes(entry, b.Take(b.Length / 2).ToArray()); },
            entry => File.WriteAllText(entry, "not an entry"),
        })
        {
            cache.Store(Key, new[] { output }, "");
            damage(cache.EntryPath(Key));
            string restored = dir.File("restored.o");

            Assert.AreEqual(CacheLookup.Damaged, cache.Restore(Key, new[] { restored }, check: null).Lookup);
            Assert.IsFalse(File.Exists(restored));
            Assert.IsFalse(File.Exists(cache.EntryPath(Key)), "a damaged entry is removed");
            Assert.AreEqual(0, Directory.GetFiles(dir.Path).Count(f => f.Contains(".cached-")), "no temporary is left");
        }
    }

    [TestMethod]
    public void TheSameKeyInsertedConcurrentlyIsNeverSeenHalfWritten()
    {
        using var dir = new TestDirectory();
        var cache = new BackendCache(dir.File("cache"));
        string output = Output(dir, "a.o", 400_000, 3);
        int hits = 0;

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i % 2 == 0)
            {
                cache.Store(Key, new[] { output }, "");
                return;
            }

            string restored = dir.File($"restored-{i}.o");
            CacheLookup lookup = cache.Restore(Key, new[] { restored }, check: null).Lookup;
            Assert.AreNotEqual(CacheLookup.Damaged, lookup);
            if (lookup == CacheLookup.Hit)
            {
                System.Threading.Interlocked.Increment(ref hits);
                Assert.AreEqual(400_000, new FileInfo(restored).Length);
            }
        });

        Assert.IsTrue(hits > 0);
        CollectionAssert.AreEqual(new[] { cache.EntryPath(Key) }, Directory.GetFiles(cache.EntriesFolder, "*", SearchOption.AllDirectories));
    }

    [TestMethod]
    public void PruningRemovesLeastRecentlyUsedEntriesDownToTheMaximum()
    {
        using var dir = new TestDirectory();
        string output = Output(dir, "a.o", 10_000, 1);
        var cache = new BackendCache(dir.File("cache"), maxSize: 35_000);
        string[] keys = Enumerable.Range(0, 5).Select(i => new string((char)('a' + i), 64)).ToArray();
        for (int i = 0; i < keys.Length; i++)
        {
            cache.Store(keys[i], new[] { output }, "");
            File.SetLastWriteTimeUtc(cache.EntryPath(keys[i]), DateTime.UtcNow.AddHours(-10 + i));
        }

        // Using the oldest entry makes it the most recently used.
        Assert.AreEqual(CacheLookup.Hit, cache.Restore(keys[0], new[] { dir.File("r.o") }, check: null).Lookup);
        string abandoned = cache.EntryPath(keys[0]) + ".1234abcd.tmp";
        File.WriteAllText(abandoned, "killed mid-insert");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));

        PruneResult? pruned = CachePruning.IfDue(cache, TimeSpan.FromMinutes(20));

        Assert.IsNotNull(pruned);
        Assert.AreEqual(5, pruned.Value.Entries);
        Assert.AreEqual(2, pruned.Value.Removed);
        Assert.IsTrue(pruned.Value.BytesAfter <= 35_000);
        CollectionAssert.AreEquivalent(new[] { keys[0], keys[3], keys[4] }, keys.Where(k => File.Exists(cache.EntryPath(k))).ToArray());
        Assert.IsFalse(File.Exists(abandoned));
        Assert.IsNull(CachePruning.IfDue(cache, TimeSpan.FromMinutes(20)), "not again within the interval");
    }

    [TestMethod]
    public void SizesAreReadAsUsersWriteThem()
    {
        Assert.AreEqual(10L << 30, CacheSize.Parse("10G"));
        Assert.AreEqual(10L << 30, CacheSize.Parse("10GiB"));
        Assert.AreEqual(500L << 20, CacheSize.Parse("500m"));
        Assert.AreEqual(1536L, CacheSize.Parse("1.5K"));
        Assert.AreEqual(12345L, CacheSize.Parse("12345"));
        Assert.ThrowsExactly<FormatException>(() => CacheSize.Parse("lots"));
        Assert.ThrowsExactly<FormatException>(() => CacheSize.Parse("-1G"));
    }
}
