using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// A generated corpus of damaged and hostile lld job lists. Every one ends in a coded error
/// (a JobListException naming the place) or a correct run, never another exception or a hang,
/// and no backend output lands outside the folders the link writes to.
/// </summary>
[TestClass]
public sealed class JobListFuzzTests
{
    private const int CorpusSize = 1200;

    private static string ValidList(string linkDirectory) => $$"""
        {"common":{"linker_output":"out/app","args":["/usr/lib/llvm-22/bin/clang","-c","-O2"],"inputs":[]},
         "jobs":[
          {"args":["a.o","-fthinlto-index=out/a.1.7.native.o.thinlto.bc","-o","out/a.1.7.native.o"],
           "inputs":["a.o","out/a.1.7.native.o.thinlto.bc","b.o"],"outputs":["out/a.1.7.native.o"]},
          {"args":["lib.a(b.o at 80).2.7.o","-o","out/b.2.7.native.o"],
           "inputs":["lib.a(b.o at 80).2.7.o","out/b.2.7.native.o.thinlto.bc"],"outputs":["out/b.2.7.native.o"]},
          {"args":["c d.o"],"inputs":["c d.o","out/c.bc"],"outputs":["out/c d.3.7.native.o"]}
         ]}
        """;

    /// <summary>Writes each output the way a compiler would, and records where that was.</summary>
    private sealed class RecordingExecutor : IBackendExecutor
    {
        public ConcurrentBag<string> Written { get; } = new();

        public Task<ProcessResult> ExecuteAsync(JobList jobList, BackendJob job, CancellationToken cancellationToken)
        {
            foreach (string output in job.Outputs)
            {
                string path = jobList.Resolve(output);
                Written.Add(path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                TinyObject.WriteTo(path);
            }

            return Task.FromResult(new ProcessResult(0, "", TimeSpan.Zero, stopped: false, startError: null));
        }
    }

    [TestMethod]
    public void EveryMutatedJobListEndsInACodedErrorOrACorrectRun()
    {
        using var dir = new TestDirectory();
        string link = Directory.CreateDirectory(dir.File("link")).FullName;
        var mutator = new JobListMutator(seed: 20261125);
        string valid = ValidList(link);
        int rejected = 0, ran = 0;

        for (int i = 0; i < CorpusSize; i++)
        {
            byte[] input = mutator.Mutate(valid);
            JobList jobList;
            try
            {
                jobList = JobListReader.Parse(input, $"mutant-{i}.json", link);
            }
            catch (JobListException e)
            {
                StringAssert.StartsWith(e.Message, $"mutant-{i}.json: ");
                rejected++;
                continue;
            }

            var executor = new RecordingExecutor();
            Task<BackendCompileResult> run = new BackendCompile(executor, 4).RunAsync(jobList, CancellationToken.None);
            Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(30)), $"mutant {i} finished");
            string linkerFolder = Path.GetDirectoryName(jobList.Resolve(jobList.LinkerOutput))! + Path.DirectorySeparatorChar;
            foreach (string written in executor.Written)
            {
                Assert.IsTrue(
                    written.StartsWith(link + Path.DirectorySeparatorChar, StringComparison.Ordinal) || written.StartsWith(linkerFolder, StringComparison.Ordinal),
                    $"mutant {i} wrote {written}, outside the link's folders");
            }

            ran++;
        }

        Assert.AreEqual(CorpusSize, rejected + ran);
        Assert.IsGreaterThan(100, rejected, "the corpus damages lists");
        Assert.IsGreaterThan(50, ran, "the corpus keeps some lists usable");
        Assert.IsFalse(File.Exists("/tmp/dtlto-escape.o") || File.Exists("/etc/dtlto-escape.o"));
    }

    [TestMethod]
    public void TheDistributorAnswersEveryMutantWithAnExitCodeAndNoStackTrace()
    {
        using var dir = new TestDirectory();
        var mutator = new JobListMutator(seed: 7);
        string valid = ValidList(dir.Path);

        for (int i = 0; i < 40; i++)
        {
            File.WriteAllBytes(dir.File("mutant.json"), mutator.Mutate(valid));
            var clock = Stopwatch.StartNew();
            CommandResult result = Command.Run(dir.Path, Toolchain.Distributor, new[] { "--jobs=2", "mutant.json" }, TimeSpan.FromSeconds(60));

            Assert.IsLessThan(60.0, clock.Elapsed.TotalSeconds);
            Assert.IsTrue(result.ExitCode is 0 or 1 or 2, $"mutant {i}: {result}");
            Assert.IsFalse(result.StandardError.Contains("Unhandled exception") || result.StandardError.Contains("   at "), $"mutant {i}: {result}");
            if (result.ExitCode == 2)
                Assert.HasCount(1, result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), $"mutant {i}: {result}");
        }
    }
}
