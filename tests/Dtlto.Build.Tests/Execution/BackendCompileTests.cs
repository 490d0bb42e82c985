using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Execution;

[TestClass]
public sealed class BackendCompileTests
{
    private static JobList MakeList(string directory, int jobs) => new(
        "app",
        new[] { "clang", "-c" },
        new string[0],
        Enumerable.Range(0, jobs)
            .Select(i => new BackendJob(i, new[] { $"m{i}.o" }, new[] { $"m{i}.o", $"m{i}.bc" }, new[] { $"m{i}.native.o" }))
            .ToArray(),
        directory);

    private static async Task<ProcessResult> WriteOutputsAfter(JobList list, BackendJob job, int milliseconds, CancellationToken token)
    {
        await Task.Delay(milliseconds, token);
        foreach (string output in job.Outputs)
            TinyObject.WriteTo(list.Resolve(output));
        return FakeExecutor.Exit(0);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(8)]
    public async Task NeverRunsMoreJobsAtOnceThanTheLimit(int limit)
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor((list, job, token) => WriteOutputsAfter(list, job, 20, token));

        BackendCompileResult result = await new BackendCompile(executor, limit).RunAsync(MakeList(dir.Path, 24), CancellationToken.None);

        Assert.IsTrue(result.Succeeded);
        Assert.AreEqual(limit, executor.MaxRunning, "the limit is reached but never exceeded");
        Assert.AreEqual(24, executor.Started.Count);
        Assert.AreEqual(limit, result.Workers);
    }

    [TestMethod]
    public async Task AFailureStopsRunningJobsAndStartsNoMore()
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor(async (list, job, token) =>
        {
            if (job.Index == 0)
            {
                await Task.Delay(50, token);
                return FakeExecutor.Exit(1, "m0.c:3:1: error: boom");
            }

            return await WriteOutputsAfter(list, job, 10_000, token);
        });

        BackendCompileResult result = await new BackendCompile(executor, 3).RunAsync(MakeList(dir.Path, 10), CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(3, executor.Started.Count, "queued jobs are not started after the failure");
        CollectionAssert.AreEquivalent(new[] { 1, 2 }, executor.Stopped.ToArray(), "running jobs are stopped");
        JobResult failed = result.Failures.Single();
        Assert.AreEqual(0, failed.Job.Index);
        Assert.AreEqual("the compiler exited with code 1", failed.Failure);
        Assert.AreEqual("m0.c:3:1: error: boom", failed.Output);
        CollectionAssert.AreEqual(new[] { "clang", "-c", "m0.o" }, failed.Command.ToArray());
        Assert.AreEqual(9, result.Jobs.Count(j => j.Status == JobStatus.NotCompleted));
    }

    [TestMethod]
    public async Task ReportsEveryFailureThatHappensBeforeTheStop()
    {
        using var dir = new TestDirectory();
        using var bothStarted = new CountdownEvent(2);
        var executor = new FakeExecutor(async (list, job, token) =>
        {
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait());
            return FakeExecutor.Exit(job.Index + 1);
        });

        BackendCompileResult result = await new BackendCompile(executor, 2).RunAsync(MakeList(dir.Path, 2), CancellationToken.None);

        CollectionAssert.AreEquivalent(new[] { 0, 1 }, result.Failures.Select(f => f.Job.Index).ToArray());
    }

    [TestMethod]
    public async Task AJobThatExitsZeroWithoutItsOutputFails()
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor((list, job, token) =>
        {
            if (job.Index != 1)
                TinyObject.WriteTo(list.Resolve(job.NativeObject));
            return Task.FromResult(FakeExecutor.Exit(0));
        });

        BackendCompileResult result = await new BackendCompile(executor, 1).RunAsync(MakeList(dir.Path, 3), CancellationToken.None);

        JobResult failed = result.Failures.Single();
        Assert.AreEqual(1, failed.Job.Index);
        Assert.AreEqual("the compiler exited with code 0 but did not write 'm1.native.o'", failed.Failure);
    }

    [TestMethod]
    public async Task AnEmptyOutputIsAFailureAndIsRemoved()
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor((list, job, token) =>
        {
            File.WriteAllText(list.Resolve(job.NativeObject), "");
            return Task.FromResult(FakeExecutor.Exit(0));
        });

        BackendCompileResult result = await new BackendCompile(executor, 1).RunAsync(MakeList(dir.Path, 1), CancellationToken.None);

        Assert.AreEqual("the compiler exited with code 0 but wrote an empty 'm0.native.o'", result.Failures.Single().Failure);
        Assert.IsFalse(File.Exists(dir.File("m0.native.o")));
    }

    [TestMethod]
    public async Task AFailedJobLeavesNoHalfWrittenOutput()
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor((list, job, token) =>
        {
            File.WriteAllText(list.Resolve(job.NativeObject), "half");
            return Task.FromResult(FakeExecutor.Exit(139));
        });

        BackendCompileResult result = await new BackendCompile(executor, 1).RunAsync(MakeList(dir.Path, 1), CancellationToken.None);

        Assert.AreEqual("the compiler exited with code 139", result.Failures.Single().Failure);
        Assert.IsFalse(File.Exists(dir.File("m0.native.o")));
    }

    [TestMethod]
    public async Task CancellationStopsEverythingWithoutReportingFailures()
    {
        using var dir = new TestDirectory();
        using var cancel = new CancellationTokenSource();
        var executor = new FakeExecutor((list, job, token) => WriteOutputsAfter(list, job, 10_000, token));

        Task<BackendCompileResult> run = new BackendCompile(executor, 2).RunAsync(MakeList(dir.Path, 5), cancel.Token);
        while (executor.Started.Count < 2)
            await Task.Delay(5);
        cancel.Cancel();
        BackendCompileResult result = await run;

        Assert.IsFalse(result.Succeeded);
        Assert.IsEmpty(result.Failures.ToArray());
        Assert.AreEqual(2, executor.Stopped.Count);
        Assert.AreEqual(2, executor.Started.Count);
    }

    [TestMethod]
    public async Task StartsTheMostExpensiveModulesFirst()
    {
        using var dir = new TestDirectory();
        JobList list = MakeList(dir.Path, 4);
        int[] sizes = { 10, 4000, 300, 4000 };
        for (int i = 0; i < 4; i++)
            File.WriteAllBytes(dir.File($"m{i}.o"), new byte[sizes[i]]);
        var executor = new FakeExecutor((l, job, token) => WriteOutputsAfter(l, job, 0, token));

        await new BackendCompile(executor, 1).RunAsync(list, CancellationToken.None);

        CollectionAssert.AreEqual(new[] { 1, 3, 2, 0 }, executor.Started.ToArray());
    }

    [TestMethod]
    public async Task AnExecutorExceptionIsAFailureOfThatJob()
    {
        using var dir = new TestDirectory();
        var executor = new FakeExecutor((list, job, token) => throw new IOException("farm unreachable"));

        BackendCompileResult result = await new BackendCompile(executor, 1).RunAsync(MakeList(dir.Path, 2), CancellationToken.None);

        Assert.AreEqual("farm unreachable", result.Failures.Single().Failure);
        Assert.AreEqual(0, result.Failures.Single().Command.Count, "no compile ran, so there is no command to show");
    }
}
