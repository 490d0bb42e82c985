using System;
using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.Caching;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Bitcode;

/// <summary>
/// lld numbers and orders an index shard's modules and summaries by hash tables keyed by module
/// paths that hold its process id. Shards that differ only in that numbering and order get one
/// digest; shards whose summaries say anything else get another.
/// </summary>
[TestClass]
public sealed class SummaryCanonicalFormTests
{
    private const ulong Function = 5, Variable = 6, Alias = 8, OriginalName = 9, TypeTests = 11, ParamAccess = 25;

    /// <summary>A summary as the backend reads it: what it is, its GUID, its module, whom it refers to and calls.</summary>
    private sealed record Summary(ulong Kind, ulong Guid, int Module, ulong[] Refs, ulong[] Calls, ulong? OriginalNameHash = null, ulong? TypeTest = null);

    private static readonly string[] Modules = { "main.o", "libx.a(b.o at 90).2.19B8.o", "libx.a(c.o at 3010).3.19B8.o" };

    private static readonly Summary[] Program =
    {
        new(Function, 1001, 0, new ulong[] { 2001 }, new ulong[] { 1002, 1003 }),
        new(Function, 1002, 1, Array.Empty<ulong>(), new ulong[] { 1003 }, OriginalNameHash: 77),
        new(Function, 1003, 2, new ulong[] { 2001, 2002 }, Array.Empty<ulong>(), TypeTest: 555),
        new(Variable, 2001, 1, new ulong[] { 1003 }, Array.Empty<ulong>()),
        new(Variable, 2002, 2, Array.Empty<ulong>(), Array.Empty<ulong>()),
        new(Alias, 3001, 2, new ulong[] { 1003 }, Array.Empty<ulong>()),
    };

    /// <summary>A shard of <paramref name="summaries"/>, its modules, values and summaries numbered and ordered by <paramref name="seed"/>.</summary>
    private static byte[] Shard(IEnumerable<Summary> summaries, int seed, string[]? modules = null, ulong version = 12, bool paramAccess = false)
    {
        modules ??= Modules;
        var random = new Random(seed);
        int[] moduleIds = Enumerable.Range(0, modules.Length).OrderBy(_ => random.Next()).ToArray();
        List<Summary> list = summaries.OrderBy(_ => random.Next()).ToList();
        var guids = list.Select(s => s.Guid).Concat(list.SelectMany(s => s.Refs.Concat(s.Calls))).Distinct().OrderBy(_ => random.Next()).ToList();
        var valueId = guids.Select((guid, i) => (guid, id: (ulong)(i + 10 + seed))).ToDictionary(p => p.guid, p => p.id);

        var w = new BitWriter();
        w.EnterBlock(8, 3);
        w.Unabbreviated(1, 2);
        w.EnterBlock(19, 3);
        foreach (int m in Enumerable.Range(0, modules.Length).OrderBy(i => moduleIds[i]))
        {
            w.Unabbreviated(1, new[] { (ulong)moduleIds[m] }.Concat(modules[m].Select(c => (ulong)c)).ToArray());
            w.Unabbreviated(2, 100 + (ulong)m, 2, 3, 4, 5);
        }

        w.ExitBlock();
        w.EnterBlock(20, 4);
        w.Unabbreviated(10, version);
        w.Unabbreviated(20, 1121);
        foreach (ulong guid in guids)
            w.Unabbreviated(16, valueId[guid], guid >> 32, guid & 0xFFFFFFFF);
        if (paramAccess)
            w.Unabbreviated(ParamAccess, 0, 1, 2);
        foreach (Summary s in list)
        {
            ulong module = (ulong)moduleIds[s.Module];
            if (s.TypeTest is ulong typeTest)
                w.Unabbreviated(TypeTests, typeTest);
            if (s.Kind == Function)
                w.Unabbreviated(Function, new ulong[] { valueId[s.Guid], module, 96, 4, 64, 0, (ulong)s.Refs.Length, 0, 0 }
                    .Concat(s.Refs.Select(r => valueId[r])).Concat(s.Calls.SelectMany(c => new ulong[] { valueId[c], 8 })).ToArray());
            else if (s.Kind == Variable)
                w.Unabbreviated(Variable, new ulong[] { valueId[s.Guid], module, 97, 4 }.Concat(s.Refs.Select(r => valueId[r])).ToArray());
            else
                w.Unabbreviated(Alias, valueId[s.Guid], module, 96, valueId[s.Refs[0]]);
            if (s.OriginalNameHash is ulong hash)
                w.Unabbreviated(OriginalName, hash);
        }

        w.ExitBlock();
        w.ExitBlock();
        return w.ToArray();
    }

    private static string Digest(byte[] shard) => IndexShardDigest.Of(shard).Hash;

    [TestMethod]
    public void AnotherNumberingAndOrderOfTheSameSummariesGivesTheSameDigest()
    {
        byte[] first = Shard(Program, seed: 1);
        string digest = Digest(first);

        foreach (int seed in Enumerable.Range(2, 20))
        {
            byte[] other = Shard(Program, seed, new[] { "main.o", $"libx.a(b.o at {90 + seed}).{seed}.1A54.o", $"libx.a(c.o at {3010 + seed}).{seed + 1}.1A54.o" });
            CollectionAssert.AreNotEqual(first, other);
            Assert.AreEqual(digest, Digest(other), $"seed {seed}");
        }
    }

    [TestMethod]
    public void AnythingTheSummariesSayOtherwiseGivesAnotherDigest()
    {
        string digest = Digest(Shard(Program, seed: 1));
        Summary[] With(int index, Summary changed) => Program.Select((s, i) => i == index ? changed : s).ToArray();

        var changes = new Dictionary<string, Summary[]>
        {
            ["a reference to another value"] = With(0, Program[0] with { Refs = new ulong[] { 2002 } }),
            ["calls in another order"] = With(0, Program[0] with { Calls = new ulong[] { 1003, 1002 } }),
            ["a call fewer"] = With(0, Program[0] with { Calls = new ulong[] { 1002 } }),
            ["a function in another module"] = With(1, Program[1] with { Module = 2 }),
            ["the original name on another function"] = With(1, Program[1] with { OriginalNameHash = null }).Select((s, i) => i == 2 ? s with { OriginalNameHash = 77 } : s).ToArray(),
            ["the type test on another function"] = With(2, Program[2] with { TypeTest = null }).Select((s, i) => i == 0 ? s with { TypeTest = 555 } : s).ToArray(),
            ["an alias of another function"] = With(5, Program[5] with { Refs = new ulong[] { 1002 } }),
            ["a variable that is a function"] = With(4, Program[4] with { Kind = Function }),
            ["a summary fewer"] = Program.Take(5).ToArray(),
        };

        foreach ((string change, Summary[] summaries) in changes)
            Assert.AreNotEqual(digest, Digest(Shard(summaries, seed: 3)), change);
    }

    [TestMethod]
    public void TakenByContentModulesOfOtherNamesGiveTheSameDigest()
    {
        byte[] here = Shard(Program, seed: 1);
        byte[] there = Shard(Program, seed: 2, new[] { "CMakeFiles/x.dir/main.o", "liby.a(b.o at 4).2.1A2B.o", "libz.a(c.o at 8).3.1A2B.o" });

        Assert.AreEqual(IndexShardDigest.Of(here, modulesByContent: true).Hash, IndexShardDigest.Of(there, modulesByContent: true).Hash);
        Assert.AreNotEqual(Digest(here), Digest(there), "by name, they are other modules");
    }

    [TestMethod]
    public void ASummaryBlockOfAnotherVersionOrWithARecordNotKnownIsTakenAsRead()
    {
        // Read as written: the same bytes give one digest, another numbering another one.
        foreach ((ulong version, bool paramAccess) in new[] { (13UL, false), (6UL, false), (12UL, true) })
        {
            string digest = Digest(Shard(Program, 1, version: version, paramAccess: paramAccess));
            Assert.AreEqual(digest, Digest(Shard(Program, 1, version: version, paramAccess: paramAccess)));
            Assert.AreNotEqual(digest, Digest(Shard(Program, 2, version: version, paramAccess: paramAccess)), $"version {version}, a parameter-access record: {paramAccess}");
        }
    }
}
