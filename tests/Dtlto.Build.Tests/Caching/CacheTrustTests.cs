using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Caching;

/// <summary>
/// The local cache trusts whoever can write to it: a folder other users can write to is said,
/// an entry of another user (or one others can change) is not served unless the cache is declared
/// shared, and an entry copied under another key is discarded. Real clang-22/lld-22 links through
/// dtlto-distributor; another user is uid 65534 (nobody), made owner with chown.
/// </summary>
[TestClass]
public sealed class CacheTrustTests
{
    private static string[] Entries(string cache) => Directory.GetFiles(Path.Combine(cache, "backend"), "*", SearchOption.AllDirectories);

    private static (int Hits, int Compiled) Counts(CommandResult link)
    {
        (int jobs, int hits, _, int compiled) = CacheCounts.Of(link.StandardError);
        Assert.AreEqual(5, jobs);
        return (hits, compiled);
    }

    [TestMethod]
    public void AnEntryOfAnotherUserIsNotServedUnlessTheCacheIsDeclaredShared()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string cacheDir = dir.File("cache");
        string cache = "-Xthinlto-distributor=--cache-dir=" + cacheDir;
        ThinLtoBuild.Expect(build.LinkWith(Toolchain.Distributor, "app", objects, cache), "first link");
        string foreign = Entries(cacheDir).First();
        ThinLtoBuild.Expect(Command.Run(dir.Path, "chown", "65534:65534", foreign), "chown");

        CommandResult privateCache = build.LinkWith(Toolchain.Distributor, "private", objects, cache, "-Xthinlto-distributor=--verbose");
        ThinLtoBuild.Expect(Command.Run(dir.Path, "chown", new[] { "65534:65534" }.Concat(Entries(cacheDir).Where(e => e != foreign))), "chown");
        CommandResult sharedCache = build.LinkWith(Toolchain.Distributor, "shared", objects, cache, "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--cache-shared");

        ThinLtoBuild.Expect(privateCache, "link with a private cache");
        StringAssert.Contains(privateCache.StandardError, "belongs to another user, or others can change it, and was not used");
        Assert.AreEqual((4, 1), Counts(privateCache), "the other user's entry was compiled again");
        Assert.IsTrue(File.Exists(foreign), "an entry that is not ours is left alone");
        ThinLtoBuild.Expect(sharedCache, "link with the cache declared shared");
        Assert.AreEqual((5, 0), Counts(sharedCache), "a shared cache serves every user's entries");
        Assert.IsFalse(sharedCache.StandardError.Contains("another user"), sharedCache.StandardError);
        Assert.AreEqual(CProgram.Output, build.Run("private").StandardOutput);
        Assert.AreEqual(CProgram.Output, build.Run("shared").StandardOutput);
    }

    [TestMethod]
    public void AFolderOtherUsersCanWriteIsSaidAndSharedCachesWriteForTheirGroup()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string open = Directory.CreateDirectory(dir.File("open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF);
        string team = dir.File("team-cache");

        CommandResult openLink = build.LinkWith(Toolchain.Distributor, "app", objects, "-Xthinlto-distributor=--cache-dir=" + open);
        CommandResult teamLink = build.LinkWith(Toolchain.Distributor, "team", objects, "-Xthinlto-distributor=--cache-dir=" + team, "-Xthinlto-distributor=--cache-shared");

        ThinLtoBuild.Expect(openLink, "link with a folder anyone can write");
        StringAssert.Contains(openLink.StandardError, $"dtlto-distributor: warning: the backend cache folder {open} can be written by other users (mode 777); only entries this user wrote are used from it");
        Assert.AreEqual(1, Regex.Matches(openLink.StandardError, "can be written by other users").Count, "said once per link");
        ThinLtoBuild.Expect(teamLink, "link with a shared cache");
        Assert.IsFalse(teamLink.StandardError.Contains("warning"), teamLink.StandardError);
        string entry = Entries(team).First();
        Assert.AreEqual(UnixFileMode.GroupWrite, File.GetUnixFileMode(entry) & UnixFileMode.GroupWrite, "a shared cache's entries are its group's to replace");
        Assert.AreEqual(UnixFileMode.GroupWrite | UnixFileMode.SetGroup, File.GetUnixFileMode(Path.GetDirectoryName(entry)!) & (UnixFileMode.GroupWrite | UnixFileMode.SetGroup));
    }

    [TestMethod]
    public void AnEntryCopiedUnderAnotherKeyIsDiscarded()
    {
        using var dir = new TestDirectory();
        var cache = new BackendCache(dir.File("cache"));
        string output = dir.File("a.o");
        TinyObject.WriteTo(output);
        string key = new('a', 64), other = new('b', 64);
        cache.Store(key, new[] { output }, "");
        Directory.CreateDirectory(Path.GetDirectoryName(cache.EntryPath(other))!);
        File.Copy(cache.EntryPath(key), cache.EntryPath(other));

        CacheRestore restore = cache.Restore(other, new[] { dir.File("restored.o") }, check: null);

        Assert.AreEqual(CacheLookup.Damaged, restore.Lookup);
        Assert.AreEqual("it was stored under another key", restore.Damage);
        Assert.IsFalse(File.Exists(dir.File("restored.o")));
        Assert.AreEqual(CacheLookup.Hit, cache.Restore(key, new[] { dir.File("restored.o") }, check: null).Lookup, "the entry under its own key is served");
    }
}
