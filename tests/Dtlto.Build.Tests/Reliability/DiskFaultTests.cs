using System;
using System.IO;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// A disk that fills up during the backend compiles, and an output folder that refuses writes:
/// a clear error, and nothing half-written left that a later build would trust.
/// </summary>
[TestClass]
public sealed class DiskFaultTests
{
    [TestMethod]
    public void ADiskThatFillsUpDuringBackendCompilesFailsTheLinkAndLeavesNoObjects()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        using var disk = new SmallFileSystem(dir.File("out"), "8m");
        // lld has written its job list and index shards; then the disk fills up.
        string filling = Scripts.Write(dir.File("filling-distributor.sh"), $"dd if=/dev/zero of='{disk.Path}/filler' bs=64k 2>/dev/null\nexec '{Toolchain.Distributor}' \"$@\"\n");

        CommandResult full = build.LinkWith(filling, "out/app", objects);

        Assert.AreNotEqual(0, full.ExitCode);
        StringAssert.Contains(full.StandardError, "dtlto-distributor: error: backend compile of '");
        StringAssert.Contains(full.StandardError, "No space left on device");
        File.Delete(Path.Combine(disk.Path, "filler"));
        CollectionAssert.AreEqual(Array.Empty<string>(), Directory.GetFiles(disk.Path), "no half-written object, shard or program");

        CommandResult retry = build.LinkWith(Toolchain.Distributor, "out/app", objects);
        Assert.AreEqual(0, retry.ExitCode, retry.ToString());
        Assert.AreEqual(CProgram.Output, build.Run("out/app").StandardOutput);
    }

    [TestMethod]
    public void AnOutputFolderThatRefusesWritesIsACodedErrorAndTheNextBuildSucceeds()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        CommandResult failed;
        using (new SmallFileSystem(workspace.File("app/bin/Release"), "1m", readOnly: true))
        {
            failed = workspace.Build(project, "-c", "Release");
            Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
        }

        Assert.AreNotEqual(0, failed.ExitCode);
        StringAssert.Contains(failed.StandardOutput, "error DTLTO3201: ld.lld:");
        StringAssert.Contains(failed.StandardOutput, "Read-only file system");
        CommandResult next = workspace.Build(project, "-c", "Release");
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }
}
