using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// An object from the backend cache that passes every check and still breaks the final link (a
/// relocation lld does not know, as a miscompiling compiler of another machine sharing the cache
/// could leave): the failed build removes that entry, and the next build compiles the module and links.
/// </summary>
[TestClass]
public sealed class SdkCacheHealingTests
{
    /// <summary>
    /// The offset of the first relocation of an x86-64 ELF object's code (a <c>.rela.text*</c>
    /// section), or -1 when it has none. Code, because lld names the object of a bad relocation
    /// there; of one in <c>.eh_frame</c> it names no file.
    /// </summary>
    private static int FirstCodeRelocation(byte[] elf)
    {
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        int names = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3E));
        long strings = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)(shoff + (names * 64L)) + 24));
        for (int i = 0; i < count; i++)
        {
            int header = (int)(shoff + (i * 64L));
            bool relocations = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header + 4)) == 4 && BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 32)) > 0;
            int name = (int)(strings + BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header)));
            if (relocations && System.Text.Encoding.ASCII.GetString(elf, name, 10) == ".rela.text")
                return (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 24));
        }

        return -1;
    }

    [TestMethod]
    public void AFinalLinkThatFailsOnACachedObjectRemovesItAndTheNextBuildLinks()
    {
        using var workspace = new NativeWorkspace();
        string cache = workspace.File("cache");
        string project = SamplePrograms.WriteApp(workspace);
        CommandResult first = workspace.Build(project, "-c", "Release", "-p:DtltoCacheDirectory=" + cache);
        Assert.AreEqual(0, first.ExitCode, first.ToString());
        string poisoned = Directory.GetFiles(Path.Combine(cache, "backend"), "*", SearchOption.AllDirectories)
            .First(entry => FirstCodeRelocation(CacheEntries.ReadObject(entry)) >= 0);
        CacheEntries.RewriteObject(poisoned, bytes =>
        {
            // r_info's type (its low 32 bits) becomes 255, which no x86-64 relocation is.
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FirstCodeRelocation(bytes) + 8), 255);
            return bytes;
        });

        CommandResult failed = workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache);

        Assert.AreNotEqual(0, failed.ExitCode, failed.ToString());
        StringAssert.Contains(failed.StandardOutput, "unknown relocation (255)");
        StringAssert.Contains(failed.StandardOutput, "warning DTLTO3110: the final link failed on ");
        StringAssert.Contains(failed.StandardOutput, "which came from the backend cache in " + cache + "; that result was removed, so the next build compiles its module again");
        Assert.IsFalse(File.Exists(poisoned), "the entry is gone");

        CommandResult healed = workspace.Build(project, "-c", "Release", "-t:Rebuild", "-p:DtltoCacheDirectory=" + cache);

        Assert.AreEqual(0, healed.ExitCode, healed.ToString());
        StringAssert.Contains(healed.StandardOutput, "2 local, 1 compiled");
        CommandResult run = Command.Run(workspace.Path, workspace.File("app/bin/Release/app"));
        Assert.AreEqual(SamplePrograms.AppOutput, run.StandardOutput);
    }
}
