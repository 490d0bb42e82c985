using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>In-process ThinLTO with lld's own --thinlto-cache-dir: the yardstick of how many backend compiles a relink needs.</summary>
public static class LldCache
{
    /// <summary>Links with <paramref name="compiler"/> and <paramref name="arguments"/> (inputs, output, options) using <paramref name="cache"/>; returns how many backend compiles lld ran (new cache files).</summary>
    public static int Compiles(string workingDirectory, string compiler, string cache, params string[] arguments)
    {
        int before = Directory.Exists(cache) ? Directory.GetFiles(cache, "llvmcache-*").Length : 0;
        CommandResult link = Command.Run(workingDirectory, compiler, new[] { "-flto=thin", "-fuse-ld=lld", "-Wl,--thinlto-cache-dir=" + cache }.Concat(arguments));
        Assert.AreEqual(0, link.ExitCode, link.ToString());
        return Directory.GetFiles(cache, "llvmcache-*").Length - before;
    }
}
