using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Jobserver;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Jobserver;

/// <summary>MAKEFLAGS as make writes it, and tokens through a real fifo: taken beyond the first job, given back however a job ends.</summary>
[TestClass]
public sealed class JobserverUnitTests
{
    [TestMethod]
    public void TheJobserverIsReadFromMakeflagsInEachFormMakeWrites()
    {
        Assert.AreEqual("fifo:/tmp/GMfifo123", JobserverAuth.FromMakeflags(" -j4 --jobserver-auth=fifo:/tmp/GMfifo123")!.ToString());
        Assert.AreEqual("3,4", JobserverAuth.FromMakeflags("-j --jobserver-auth=3,4")!.ToString());
        Assert.AreEqual("5,6", JobserverAuth.FromMakeflags("--jobserver-fds=5,6 -j")!.ToString());
        Assert.AreEqual("7,8", JobserverAuth.FromMakeflags("--jobserver-auth=3,4 --jobserver-auth=7,8")!.ToString(), "the last one counts");
        Assert.IsNull(JobserverAuth.FromMakeflags("-j4"));
        Assert.IsNull(JobserverAuth.FromMakeflags(null));
        Assert.IsNull(JobserverAuth.FromMakeflags("--jobserver-auth=gmake_semaphore_1234"), "Windows' semaphores are not for this client");
    }

    [TestMethod]
    public void ADescriptorMakeDidNotPassIsAClearError()
    {
        IOException e = Assert.ThrowsExactly<IOException>(() => JobserverClient.Open(JobserverAuth.FromMakeflags("--jobserver-auth=900,901")!));
        StringAssert.Contains(e.Message, "file descriptors 900 and 901 are not the jobserver's pipe in this process (make passes the jobserver only to recipes marked with '+'");
    }

    [TestMethod]
    public async Task TokensAreTakenBeyondTheFirstJobAndAllComeBackWhateverBecameOfTheJobs()
    {
        using var dir = new TestDirectory();
        string fifo = dir.File("jobserver");
        Assert.AreEqual(0, Command.Run(dir.Path, "mkfifo", fifo).ExitCode);
        using (FileStream writer = new(fifo, FileMode.Open, FileAccess.ReadWrite))
        {
            using JobserverClient client = JobserverClient.Open(JobserverAuth.FromMakeflags("--jobserver-auth=fifo:" + fifo)!);
            client.Release((byte)'+');
            client.Release((byte)'+');
            var inner = new GatedExecutor();
            var executor = new JobserverExecutor(inner, client);
            JobList jobs = JobListReader.Parse(System.Text.Encoding.UTF8.GetBytes("""{"common":{"linker_output":"app","args":["clang"],"inputs":[]},"jobs":[]}"""), "list.json", dir.Path);
            var job = new BackendJob(0, Array.Empty<string>(), new[] { "a.o", "a.bc" }, new[] { "a.native.o" });

            Task<ProcessResult>[] running = new Task<ProcessResult>[4];
            for (int i = 0; i < running.Length; i++)
                running[i] = executor.ExecuteAsync(jobs, job, CancellationToken.None);
            await Task.Delay(500);
            Assert.AreEqual(3, inner.Running, "the job's own slot and two tokens: three at once, the fourth waits");
            inner.Finish(exitCode: 1);
            await Task.WhenAll(running);

            Assert.AreEqual(3, executor.MostAtOnce);
            using var cancelled = new CancellationTokenSource();
            byte first = client.Acquire(cancelled.Token);
            byte second = client.Acquire(cancelled.Token);
            Assert.AreEqual((byte)'+', first);
            Assert.AreEqual((byte)'+', second);
            cancelled.CancelAfter(300);
            Assert.ThrowsExactly<OperationCanceledException>(() => client.Acquire(cancelled.Token), "both tokens came back after failed jobs, and no more");
        }
    }

    /// <summary>Jobs that run until told to end, all with the same exit code.</summary>
    private sealed class GatedExecutor : IBackendExecutor
    {
        private readonly TaskCompletionSource<int> _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;

        public int Running => Volatile.Read(ref _running);

        public void Finish(int exitCode) => _finish.SetResult(exitCode);

        public async Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _running);
            int exitCode = await _finish.Task.ConfigureAwait(false);
            return new ProcessResult(exitCode, "", TimeSpan.Zero, stopped: false, startError: null);
        }
    }
}
