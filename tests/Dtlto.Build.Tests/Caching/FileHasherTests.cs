using System.IO;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Caching;

/// <summary>
/// File digests belong to one link: two links in one process (two builds in one MSBuild node)
/// keep their digests each in its own cache folder, and a compiler replaced between them is read again.
/// </summary>
[TestClass]
public sealed class FileHasherTests
{
    [TestMethod]
    public void TwoLinksWithTwoCacheFoldersKeepTheirDigestsEachInItsOwnStore()
    {
        using var dir = new TestDirectory();
        string first = dir.File("first.bc"), second = dir.File("second.bc");
        File.WriteAllText(first, "one module");
        File.WriteAllText(second, "another module");
        Directory.CreateDirectory(dir.File("cache-a"));
        Directory.CreateDirectory(dir.File("cache-b"));
        FileHasher a = FileHasher.KeepingIn(dir.File("cache-a")), b = FileHasher.KeepingIn(dir.File("cache-b"));

        a.Of(first);
        b.Of(second);
        a.Of(first);
        a.Save();
        b.Save();

        string storeA = File.ReadAllText(dir.File("cache-a/digests-v1.tsv")), storeB = File.ReadAllText(dir.File("cache-b/digests-v1.tsv"));
        StringAssert.Contains(storeA, "first.bc");
        Assert.IsFalse(storeA.Contains("second.bc"), storeA);
        StringAssert.Contains(storeB, "second.bc");
        Assert.IsFalse(storeB.Contains("first.bc"), storeB);
        Assert.AreEqual(10, a.Hashed.Bytes, "hashed once in its link");
        Assert.AreEqual(0, FileHasher.KeepingIn(dir.File("cache-a")).Hashed.Bytes);
    }

    [TestMethod]
    public void TheNextLinkFindsTheDigestInTheStoreWithoutHashing()
    {
        using var dir = new TestDirectory();
        string module = dir.File("m.bc");
        File.WriteAllText(module, "a module");
        FileHasher first = FileHasher.KeepingIn(dir.Path);
        FileDigest digest = first.Of(module);
        first.Save();

        FileHasher next = FileHasher.KeepingIn(dir.Path);

        Assert.AreEqual(digest.Hash, next.Of(module).Hash);
        Assert.AreEqual(1, next.StoreHits);
        Assert.AreEqual(0, next.Hashed.Bytes);
    }

    [TestMethod]
    public void ACompilerIsHashedOncePerProcessAndAgainWhenItIsReplacedInPlace()
    {
        using var dir = new TestDirectory();
        string clang = dir.File("llvm/bin/clang");
        Directory.CreateDirectory(Path.GetDirectoryName(clang)!);
        Directory.CreateDirectory(dir.File("llvm/lib"));
        File.WriteAllText(clang, "clang 22.1.7");
        File.WriteAllText(dir.File("llvm/lib/libLLVM.so.22.1"), "the code generator");
        string before = CompilerIdentity.Of(clang, FileHasher.ForOneLink());

        FileHasher next = FileHasher.ForOneLink();
        Assert.AreEqual(before, CompilerIdentity.Of(clang, next));
        Assert.AreEqual(0, next.Hashed.Bytes, "the next link of the process hashes nothing of an unchanged compiler");

        // An update in place while a build node lives on: same path, same size.
        File.WriteAllText(dir.File("llvm/lib/libLLVM.so.22.1"), "the code generatoR");
        File.SetLastWriteTimeUtc(dir.File("llvm/lib/libLLVM.so.22.1"), File.GetLastWriteTimeUtc(clang).AddSeconds(5));
        FileHasher afterUpdate = FileHasher.ForOneLink();
        Assert.AreNotEqual(before, CompilerIdentity.Of(clang, afterUpdate), "a library updated alone is a new compiler");
        Assert.IsTrue(afterUpdate.Hashed.Bytes > 0);
    }
}
