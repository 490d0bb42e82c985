using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

[TestClass]
public sealed class JobListWriterTests
{
    [TestMethod]
    public void WritesWhatTheReaderReadsBack()
    {
        var original = new JobList(
            "out dir/app ü",
            new[] { "/usr/bin/clang", "-c", "-O2" },
            new[] { "profile.afdo" },
            new[]
            {
                new BackendJob(0, new[] { "a.o", "-o", "a.native.o" }, new[] { "a.o", "a.bc", "lib.a(b.o at 80).2.1.o" }, new[] { "a.native.o" }),
                new BackendJob(1, new string[0], new[] { "\"quoted\".o", "q.bc" }, new[] { "q.native.o", "q.extra" }),
            },
            "/tmp/link");

        using var stream = new MemoryStream();
        JobListWriter.Write(original, stream, indented: true);
        JobList read = JobListReader.Parse(stream.ToArray(), "written.json", "/tmp/link");

        Assert.AreEqual(original.LinkerOutput, read.LinkerOutput);
        CollectionAssert.AreEqual(original.CommonArgs.ToArray(), read.CommonArgs.ToArray());
        CollectionAssert.AreEqual(original.CommonInputs.ToArray(), read.CommonInputs.ToArray());
        Assert.HasCount(original.Jobs.Count, read.Jobs);
        for (int i = 0; i < original.Jobs.Count; i++)
        {
            CollectionAssert.AreEqual(original.Jobs[i].Args.ToArray(), read.Jobs[i].Args.ToArray());
            CollectionAssert.AreEqual(original.Jobs[i].Inputs.ToArray(), read.Jobs[i].Inputs.ToArray());
            CollectionAssert.AreEqual(original.Jobs[i].Outputs.ToArray(), read.Jobs[i].Outputs.ToArray());
        }
    }
}
