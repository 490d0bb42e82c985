using System;
using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Verification;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Verification;

/// <summary>
/// The one check of a job's objects that every trusting step asks: a compile that exited 0 over
/// garbage is caught and named, a result checked on its way is not read again, and a file not
/// yet at its name (a download, a cache entry's temporary) is read where it is.
/// </summary>
[TestClass]
public sealed class JobObjectCheckTests
{
    private const string Triple = "x86_64-pc-linux-gnu";

    private static TestDirectory _dir = null!;

    [ClassInitialize]
    public static void CompileObject(TestContext context)
    {
        _dir = new TestDirectory();
        _dir.Write("m.c", "int twice(int x) { return 2 * x; }\n");
        Integration.ThinLtoBuild.Expect(Command.Run(_dir.Path, Toolchain.Clang, new[] { "-c", "--target=" + Triple, "m.c", "-o", "whole.o" }), "compile whole.o");
    }

    [ClassCleanup]
    public static void Remove() => _dir.Dispose();

    private static (JobList List, BackendJob Job) JobWriting(string output)
    {
        var job = new BackendJob(0, new[] { "-o", output }, new[] { "m.bc" }, new[] { output });
        return (new JobList("app", new[] { "clang", "-c", "--target=" + Triple }, Array.Empty<string>(), new[] { job }, _dir.Path), job);
    }

    private static ProcessResult ExitedZero() => new(0, "", TimeSpan.FromMilliseconds(5), stopped: false, startError: null);

    [TestMethod]
    public void AWholeObjectIsChecked()
    {
        File.Copy(_dir.File("whole.o"), _dir.File("good.o"), overwrite: true);
        (JobList list, BackendJob job) = JobWriting("good.o");

        ProcessResult run = JobObjectCheck.Checked(list, job, ExitedZero());

        Assert.IsTrue(run.ObjectChecked);
        Assert.IsNull(run.BadObject);
    }

    [TestMethod]
    public void GarbageAfterExitCodeZeroIsNamedWithItsOutput()
    {
        File.WriteAllBytes(_dir.File("garbage.o"), new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0 });
        (JobList list, BackendJob job) = JobWriting("garbage.o");

        ProcessResult run = JobObjectCheck.Checked(list, job, ExitedZero());

        Assert.IsFalse(run.ObjectChecked);
        Assert.AreEqual("garbage.o", run.BadObject?.Output);
        Assert.AreEqual(ObjectProblemKind.Truncated, run.BadObject?.Problem.Kind);
    }

    [TestMethod]
    public void AFailedCompileIsNotChecked()
    {
        (JobList list, BackendJob job) = JobWriting("never-written.o");
        var failed = new ProcessResult(1, "error: boom", TimeSpan.Zero, stopped: false, startError: null);

        ProcessResult run = JobObjectCheck.Checked(list, job, failed);

        Assert.AreSame(failed, run, "its failure is the compiler's, not its object's");
    }

    [TestMethod]
    public void AResultCheckedOnItsWayIsNotReadAgain()
    {
        (JobList list, BackendJob job) = JobWriting("gone.o");
        ProcessResult checkedBefore = ExitedZero().WithObjectChecked();

        Assert.AreSame(checkedBefore, JobObjectCheck.Checked(list, job, checkedBefore), "a missing file would fail a second read");
        Assert.AreEqual(ObjectProblemKind.Missing, JobObjectCheck.Problem(list, job)?.Problem.Kind);
    }

    [TestMethod]
    public void AnObjectNotYetAtItsNameIsReadWhereItIs()
    {
        File.Copy(_dir.File("whole.o"), _dir.File("download.tmp"), overwrite: true);
        File.WriteAllText(_dir.File("placed.o"), "an older, broken object at the final name");
        (JobList list, BackendJob job) = JobWriting("placed.o");

        Assert.IsNull(JobObjectCheck.Problem(list, job, new Dictionary<string, string> { [list.Resolve("placed.o")] = _dir.File("download.tmp") }));
        Assert.AreEqual(ObjectProblemKind.Invalid, JobObjectCheck.Problem(list, job)?.Problem.Kind);
    }

    [TestMethod]
    public void BytesJustWrittenAreCheckedAsTheyAreWithoutReadingTheFileBack()
    {
        byte[] whole = File.ReadAllBytes(_dir.File("whole.o"));
        byte[] cut = whole.AsSpan(0, whole.Length / 2).ToArray();
        (JobList list, BackendJob job) = JobWriting("written.o");
        string path = list.Resolve("written.o");
        QuietDelete.File(path);

        Assert.IsNull(JobObjectCheck.Problem(list, job, written: new Dictionary<string, ReadOnlyMemory<byte>> { [path] = whole }), "no file is needed");
        Assert.AreEqual(ObjectProblemKind.Truncated, JobObjectCheck.Problem(list, job, written: new Dictionary<string, ReadOnlyMemory<byte>> { [path] = cut })?.Problem.Kind);
        Assert.AreEqual(ObjectVerifier.Problem(WrittenTo("cut.o", cut), list.TargetOf(job))?.Reason,
            JobObjectCheck.Problem(list, job, written: new Dictionary<string, ReadOnlyMemory<byte>> { [path] = cut })?.Problem.Reason, "the same words as the file's check");
    }

    private static string WrittenTo(string name, byte[] bytes)
    {
        File.WriteAllBytes(_dir.File(name), bytes);
        return _dir.File(name);
    }
}
