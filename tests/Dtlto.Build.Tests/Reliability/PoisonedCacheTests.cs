using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// A backend compiler that exits 0 after writing garbage (random bytes, a real ELF header over
/// random bytes, a truncated object), in real clang-22/lld-22 links with the backend cache on:
/// the link fails naming the module, and nothing of it reaches the cache, so the next link with a
/// sound compiler succeeds and compiles that module again.
/// </summary>
[TestClass]
public sealed class PoisonedCacheTests
{
    private static Dictionary<string, string?> Fault(string fault) => new() { ["FAULT"] = fault, ["FAULT_MODULE"] = "fib.o" };

    [TestMethod]
    [DataRow("garbage", "which is not a valid object: its first bytes (")]
    [DataRow("elf-garbage", "fib.4.")]
    [DataRow("truncated", "wrote a truncated 'fib.4.")]
    public void GarbageWithExitZeroFailsTheLinkAndNeverReachesTheCache(string fault, string reason)
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string faulty = Scripts.FaultyCompiler(dir.Path);
        string cache = "-Xthinlto-distributor=--cache-dir=" + dir.File("cache");

        CommandResult poisoned = build.LinkWith(Fault(fault), Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}", cache, "-Xthinlto-distributor=--verbose");

        Assert.AreNotEqual(0, poisoned.ExitCode);
        StringAssert.Contains(poisoned.StandardError, "dtlto-distributor: error: backend compile of 'fib.o' failed: the compiler exited with code 0 but ");
        StringAssert.Contains(poisoned.StandardError, reason);
        Assert.IsFalse(File.Exists(dir.File("app")));

        CommandResult healed = build.LinkWith(Fault("none"), Toolchain.Distributor, "app", objects, $"-Wl,--thinlto-remote-compiler={faulty}", cache, "-Xthinlto-distributor=--verbose");

        // Had the garbage been kept, this link would have been served it and lld would have failed on it.
        ThinLtoBuild.Expect(healed, "the link with a sound compiler");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
        Assert.IsGreaterThanOrEqualTo(1, CacheCounts.Of(healed.StandardError).Compiled, "at least the module whose result was garbage compiles again: " + healed.StandardError);
    }

    [TestMethod]
    public void AnEntryThatFailsTheObjectCheckIsDiscardedAndTheModuleCompiledAgain()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string cacheDir = dir.File("cache");
        string cache = "-Xthinlto-distributor=--cache-dir=" + cacheDir;
        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, cache), "first link");

        // Damage that keeps the entry's own digests right: a bad object stored as if it were good
        // (by an older version, a hand copy, another tool writing the folder).
        string entry = Directory.GetFiles(Path.Combine(cacheDir, "backend"), "*", SearchOption.AllDirectories).First();
        Support.CacheEntries.RewriteObject(entry, bytes => bytes.Take(64).Concat(new byte[bytes.Length - 64]).ToArray());

        CommandResult again = build.LinkWith(Toolchain.Distributor, "app", objects, cache, "-Xthinlto-distributor=--verbose");

        ThinLtoBuild.Expect(again, "second link");
        StringAssert.Contains(again.StandardError, "was damaged (its object failed the object check: ");
        StringAssert.Contains(again.StandardError, "4 local, 1 compiled, 1 damaged entries discarded");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
