using System;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>A tmpfs of a given size mounted on a folder of the test (the suite runs as root), to make a disk fill up or refuse writes.</summary>
public sealed class SmallFileSystem : IDisposable
{
    public SmallFileSystem(string path, string size, bool readOnly = false)
    {
        Path = Directory.CreateDirectory(path).FullName;
        CommandResult mount = Command.Run("/", "mount", "-t", "tmpfs", "-o", $"size={size}" + (readOnly ? ",ro" : ""), "tmpfs", Path);
        if (mount.ExitCode != 0)
            Assert.Fail($"mounting a tmpfs on {Path} failed (the disk fault tests run as root): {mount}");
    }

    public string Path { get; }

    public void Dispose() => Command.Run("/", "umount", "-l", Path);
}
