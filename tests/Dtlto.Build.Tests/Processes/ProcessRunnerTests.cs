using System;
using System.Linq;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Processes;

[TestClass]
public sealed class ProcessRunnerTests
{
    [TestMethod]
    public async Task PassesEveryArgumentUnchangedWithoutAShell()
    {
        string[] awkward =
        {
            "a b", "it's", "\"quoted\"", "lib.a(t2.o at 80).2.1164.o", "ünï-cødé 名前", "$HOME", "`date`", "*", "back\\slash\\", "",
        };
        using var dir = new TestDirectory();
        var argv = new[] { "/usr/bin/printf", "[%s]\\n" }.Concat(awkward).ToArray();

        ProcessResult result = await ProcessRunner.RunAsync(argv, dir.Path, CancellationToken.None);

        Assert.AreEqual(0, result.ExitCode);
        string expected = string.Concat(Array.ConvertAll(awkward, a => $"[{a}]\n"));
        Assert.AreEqual(expected, result.Output);
    }

    [TestMethod]
    public async Task CapturesStandardErrorAndTheExitCode()
    {
        using var dir = new TestDirectory();
        ProcessResult result = await ProcessRunner.RunAsync(new[] { "/bin/sh", "-c", "echo out; echo err >&2; exit 3" }, dir.Path, CancellationToken.None);

        Assert.AreEqual(3, result.ExitCode);
        StringAssert.Contains(result.Output, "out\n");
        StringAssert.Contains(result.Output, "err\n");
        Assert.IsFalse(result.Stopped);
    }

    [TestMethod]
    public async Task RunsInTheGivenDirectory()
    {
        using var dir = new TestDirectory(" with space");
        ProcessResult result = await ProcessRunner.RunAsync(new[] { "/bin/pwd" }, dir.Path, CancellationToken.None);
        Assert.AreEqual(dir.Path + "\n", result.Output);
    }

    [TestMethod]
    public async Task ReportsAProgramThatCannotStart()
    {
        using var dir = new TestDirectory();
        ProcessResult result = await ProcessRunner.RunAsync(new[] { "/no/such/clang", "-c" }, dir.Path, CancellationToken.None);
        StringAssert.StartsWith(result.StartError, "cannot run '/no/such/clang':");
    }

    [TestMethod]
    public async Task CancellationKillsTheProcessAndItsChildren()
    {
        using var dir = new TestDirectory();
        string pidFile = dir.File("child.pid");
        using var cancel = new CancellationTokenSource();
        Task<ProcessResult> run = ProcessRunner.RunAsync(
            new[] { "/bin/sh", "-c", $"sleep 60 & echo $! > '{pidFile}'; wait" }, dir.Path, cancel.Token);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
            await Task.Delay(10);
        int child = int.Parse(File.ReadAllText(pidFile).Trim());

        cancel.Cancel();
        ProcessResult result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.IsTrue(result.Stopped);
        await Task.Delay(100);
        Assert.IsFalse(ProcessTable.IsRunning(child), $"child {child} outlived the cancellation");
    }

}
