using System;
using System.IO;
using Dtlto.Build.Engine.Remote;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>The memory of a server found down: kept per server, for its period only, and a damaged or hand-edited file is no memory at all.</summary>
[TestClass]
public sealed class FarmDownMemoryTests
{
    private static readonly RemoteSettings Farm = new(new Uri("http://farm:8980"));

    [TestMethod]
    public void ARememberedServerIsRecalledUntilForgottenAndOnlyForItself()
    {
        using var dir = new TestDirectory();
        var memory = new FarmDownMemory(dir.Path, Farm, TimeSpan.FromMinutes(5));
        var other = new FarmDownMemory(dir.Path, new RemoteSettings(new Uri("http://other:8980")), TimeSpan.FromMinutes(5));

        Assert.IsNull(memory.Recall());
        memory.Remember("connection refused\nsecond line");
        Assert.AreEqual("connection refused second line", memory.Recall()?.Why);
        Assert.IsNull(other.Recall(), "another server is not down because this one is");
        memory.Forget();
        Assert.IsNull(memory.Recall());
    }

    [TestMethod]
    public void AnOldAFutureOrADamagedMemoryIsNoMemory()
    {
        using var dir = new TestDirectory();
        var memory = new FarmDownMemory(dir.Path, Farm, TimeSpan.FromMinutes(5));
        memory.Remember("no answer");

        foreach (string text in new[] { DateTime.UtcNow.AddMinutes(-6).ToString("o") + "\nold\n", DateTime.UtcNow.AddDays(1).ToString("o") + "\nfuture\n", "garbage", "", "\0\0\0" })
        {
            File.WriteAllText(memory.File, text);
            Assert.IsNull(memory.Recall(), text);
        }

        Directory.Delete(Path.GetDirectoryName(memory.File)!, recursive: true);
        File.WriteAllText(Path.Combine(dir.Path, "remote"), "a file where the folder belongs");
        memory.Remember("no answer");
        Assert.IsNull(memory.Recall(), "a folder that cannot be made only costs the memory");
    }
}
