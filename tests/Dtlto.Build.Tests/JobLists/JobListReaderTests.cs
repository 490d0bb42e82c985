using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

[TestClass]
public sealed class JobListReaderTests
{
    private const string Valid = """
        {"common":{"linker_output":"app","args":["/usr/lib/llvm-22/bin/clang","-c","-O2"],"inputs":["prof.afdo"]},
         "jobs":[
          {"args":["t1.o","-fthinlto-index=t1.1.9.native.o.thinlto.bc","-o","t1.1.9.native.o"],
           "inputs":["t1.o","t1.1.9.native.o.thinlto.bc","t2.o","lib.a(t3.o at 80).3.9.o"],
           "outputs":["t1.1.9.native.o"]},
          {"args":["t2.o"],"inputs":["t2.o","t2.thinlto.bc"],"outputs":["t2.native.o","t2.extra"]}
         ]}
        """;

    private static readonly string Base = Path.Combine(Path.GetTempPath(), "link dir");

    private static JobList Parse(string json) => JobListReader.Parse(Encoding.UTF8.GetBytes(json), "list.json", Base);

    private static string ErrorOf(string json) => Assert.ThrowsExactly<JobListException>(() => Parse(json)).Message;

    [TestMethod]
    public void ReadsEveryPartOfAValidList()
    {
        JobList list = Parse(Valid);

        Assert.AreEqual("app", list.LinkerOutput);
        CollectionAssert.AreEqual(new[] { "/usr/lib/llvm-22/bin/clang", "-c", "-O2" }, list.CommonArgs.ToArray());
        CollectionAssert.AreEqual(new[] { "prof.afdo" }, list.CommonInputs.ToArray());
        Assert.HasCount(2, list.Jobs);

        BackendJob first = list.Jobs[0];
        Assert.AreEqual(0, first.Index);
        Assert.AreEqual("t1.o", first.Bitcode);
        Assert.AreEqual("t1.1.9.native.o.thinlto.bc", first.IndexShard);
        CollectionAssert.AreEqual(new[] { "t2.o", "lib.a(t3.o at 80).3.9.o" }, first.ImportedModules.ToArray());
        Assert.AreEqual("t1.1.9.native.o", first.NativeObject);
        CollectionAssert.AreEqual(
            new[] { "/usr/lib/llvm-22/bin/clang", "-c", "-O2", "t1.o", "-fthinlto-index=t1.1.9.native.o.thinlto.bc", "-o", "t1.1.9.native.o" },
            list.CommandFor(first).ToArray());

        Assert.AreEqual(1, list.Jobs[1].Index);
        CollectionAssert.AreEqual(new[] { "t2.native.o", "t2.extra" }, list.Jobs[1].Outputs.ToArray());
    }

    [TestMethod]
    public void IgnoresUnknownMembersAtEveryLevel()
    {
        JobList list = Parse("""
            {"version":7,"extra":{"a":[1,2]},
             "common":{"linker_output":"a","args":["clang"],"inputs":[],"future":true},
             "jobs":[{"args":[],"inputs":["a.o","a.bc"],"outputs":["a.native.o"],"priority":3}]}
            """);

        Assert.HasCount(1, list.Jobs);
        Assert.AreEqual("a.native.o", list.Jobs[0].NativeObject);
    }

    [TestMethod]
    public void AModuleImportedByManyJobsIsOneStringForTheWholeList()
    {
        JobList list = Parse("""
            {"common":{"linker_output":"a","args":["clang"],"inputs":[]},
             "jobs":[{"args":[],"inputs":["a.o","a.bc","shared.o"],"outputs":["a.native.o"]},
                     {"args":[],"inputs":["b.o","b.bc","shared.o"],"outputs":["b.native.o"]}]}
            """);

        Assert.AreEqual("shared.o", list.Jobs[1].Inputs[2]);
        Assert.AreSame(list.Jobs[0].Inputs[2], list.Jobs[1].Inputs[2], "a list of 10,000 jobs names each import hundreds of times");
    }

    [TestMethod]
    public void EachDistinctInputHasOneNumberAsReadAndAsCountedForAListBuiltInMemory()
    {
        const string json = """
            {"common":{"linker_output":"a","args":["clang"],"inputs":["profile.txt"]},
             "jobs":[{"args":[],"inputs":["a.o","a.bc","shared.o"],"outputs":["a.native.o"]},
                     {"args":[],"inputs":["b.o","b.bc","shared.o","a.o"],"outputs":["b.native.o"]}]}
            """;
        JobList read = Parse(json);
        JobList built = new(read.LinkerOutput, read.CommonArgs, read.CommonInputs, read.Jobs.Select(j => new BackendJob(j.Index, j.Args, j.Inputs.ToArray(), j.Outputs)).ToList(), read.BaseDirectory);

        foreach (JobList list in new[] { read, built })
        {
            InputNumbers numbers = list.InputNumbers;
            Assert.AreEqual(6, numbers.Count, "profile.txt, a.o, a.bc, shared.o, b.o, b.bc");
            int[] first = numbers.Of(list.Jobs[0])!, second = numbers.Of(list.Jobs[1])!;
            Assert.AreEqual(first[2], second[2], "shared.o");
            Assert.AreEqual(first[0], second[3], "a.o");
            Assert.AreEqual(6, first.Concat(second).Concat(numbers.Common).Distinct().Count(), "other paths, other numbers");
            Assert.IsTrue(first.Concat(second).Concat(numbers.Common).All(n => n >= 0 && n < numbers.Count));
            Assert.IsNull(numbers.Of(new BackendJob(0, list.Jobs[0].Args, new[] { "x.o", "x.bc" }, list.Jobs[0].Outputs)), "a job of another list has no numbers here");
        }

        // Stable names worked out through the numbers are those worked out from the paths.
        StableJob viaNumbers = StableJob.Of(read, read.Jobs[1], out _)!;
        StableJob viaPaths = StableJob.Of(read, new BackendJob(1, read.Jobs[1].Args, read.Jobs[1].Inputs.ToArray(), read.Jobs[1].Outputs), out _)!;
        CollectionAssert.AreEqual(viaPaths.Inputs.ToList(), viaNumbers.Inputs.ToList());
        Assert.IsNull(viaPaths.InputNumbers);
        int[] job = read.InputNumbers.Of(read.Jobs[1])!;
        CollectionAssert.AreEqual(new[] { job[0], job[2], job[3], read.InputNumbers.Common[0] }, viaNumbers.InputNumbers!.ToList(), "module, imports, common inputs; not the shard");
    }

    [TestMethod]
    public void ResolvesRelativePathsAgainstTheLinkDirectoryAndKeepsAbsoluteOnes()
    {
        JobList list = Parse(Valid);

        Assert.AreEqual(Path.Combine(Base, "t1.1.9.native.o"), list.Resolve(list.Jobs[0].NativeObject));
        Assert.AreEqual(Path.Combine(Base, "lib.a(t3.o at 80).3.9.o"), list.Resolve(list.Jobs[0].Inputs[3]));
        Assert.AreEqual(Path.Combine(Base, "sub", "x.o"), list.Resolve("sub/../sub/x.o"));
        Assert.AreEqual("/abs/x.o", list.Resolve("/abs/x.o"));
        Assert.AreEqual(Base, list.BaseDirectory);
    }

    [TestMethod]
    public void AcceptsOutputsBesideTheLinkerOutputInAnotherFolder()
    {
        JobList list = Parse("""{"common":{"linker_output":"/elsewhere/bin/app","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"],"outputs":["/elsewhere/bin/a.1.9.native.o"]}]}""");
        Assert.AreEqual("/elsewhere/bin/a.1.9.native.o", list.Jobs[0].NativeObject);
    }

    [TestMethod]
    public void AcceptsAnEmptyJobArray()
    {
        JobList list = Parse("""{"common":{"linker_output":"a","args":["clang"],"inputs":[]},"jobs":[]}""");
        Assert.IsEmpty(list.Jobs);
    }

    [TestMethod]
    [DataRow("""[]""", "list.json: top level: expected an object, found an array")]
    [DataRow("""{"jobs":[]}""", "list.json: common: missing; expected an object")]
    [DataRow("""{"common":[],"jobs":[]}""", "list.json: common: expected an object, found an array")]
    [DataRow("""{"common":{"args":["c"],"inputs":[]},"jobs":[]}""", "list.json: common.linker_output: missing; expected a string")]
    [DataRow("""{"common":{"linker_output":5,"args":["c"],"inputs":[]},"jobs":[]}""", "list.json: common.linker_output: expected a string, found a number")]
    [DataRow("""{"common":{"linker_output":"","args":["c"],"inputs":[]},"jobs":[]}""", "list.json: common.linker_output: expected a path, found an empty string")]
    [DataRow("""{"common":{"linker_output":"a","inputs":[]},"jobs":[]}""", "list.json: common.args: missing; expected an array of strings")]
    [DataRow("""{"common":{"linker_output":"a","args":[],"inputs":[]},"jobs":[]}""", "list.json: common.args: expected at least 1 entry")]
    [DataRow("""{"common":{"linker_output":"a","args":[""],"inputs":[]},"jobs":[]}""", "list.json: common.args[0]: expected the compiler's path, found an empty string")]
    [DataRow("""{"common":{"linker_output":"a","args":["c",null],"inputs":[]},"jobs":[]}""", "list.json: common.args[1]: expected a string, found null")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"]},"jobs":[]}""", "list.json: common.inputs: missing; expected an array of strings")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":"x"},"jobs":[]}""", "list.json: common.inputs: expected an array of strings, found a string")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]}}""", "list.json: jobs: missing; expected an array")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":{}}""", "list.json: jobs: expected an array, found an object")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[true]}""", "list.json: jobs[0]: expected an object, found a boolean")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"inputs":["a","b"],"outputs":["c"]}]}""", "list.json: jobs[0].args: missing; expected an array of strings")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"outputs":["c"]}]}""", "list.json: jobs[0].inputs: missing; expected an array of strings")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"]}]}""", "list.json: jobs[0].outputs: missing; expected an array of strings")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"],"outputs":[]}]}""", "list.json: jobs[0].outputs: expected at least 1 entry")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[1],"inputs":["a","b"],"outputs":["c"]}]}""", "list.json: jobs[0].args[0]: expected a string, found a number")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a",""],"outputs":["c"]}]}""", "list.json: jobs[0].inputs[1]: expected a path, found an empty string")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"],"outputs":["c\u0000d"]}]}""", "list.json: jobs[0].outputs[0]: contains a NUL character")]
    [DataRow("""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"],"outputs":["/etc/x.o"]}]}""", "list.json: jobs[0].outputs[0]: '/etc/x.o' is outside the folders the link writes to")]
    [DataRow("""{"common":{"linker_output":"out/app","args":["c"],"inputs":[]},"jobs":[{"args":[],"inputs":["a","b"],"outputs":["out/../../x.o"]}]}""", "list.json: jobs[0].outputs[0]: 'out/../../x.o' is outside the folders the link writes to")]
    public void RejectsMalformedListsNamingThePlace(string json, string expected)
    {
        Assert.AreEqual(expected, ErrorOf(json));
    }

    [TestMethod]
    public void NamesTheJobWhoseInputsAreTooFew()
    {
        string job = """{"args":[],"inputs":["a.o","a.bc"],"outputs":["a.native.o"]}""";
        string bad = """{"args":[],"inputs":["d.o"],"outputs":["d.native.o"]}""";
        string json = $$"""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[{{job}},{{job}},{{job}},{{bad}}]}""";

        Assert.AreEqual("list.json: jobs[3].inputs: expected at least 2 entries", ErrorOf(json));
    }

    [TestMethod]
    public void ReportsInvalidJsonWithItsPosition()
    {
        string message = ErrorOf("{\"common\":\n  {\"linker_output\": \"a\",,}}");
        StringAssert.StartsWith(message, "list.json: line 2, position");
        StringAssert.Contains(message, "not valid JSON");
    }

    [TestMethod]
    public void ReportsInvalidUtf8WithItsPlace()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("""{"common":{"linker_output":"XX","args":["c"],"inputs":[]},"jobs":[]}""");
        int at = System.Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        var error = Assert.ThrowsExactly<JobListException>(() => JobListReader.Parse(bytes, "list.json", Base));
        Assert.AreEqual("list.json: common.linker_output: not valid UTF-8", error.Message);
    }

    [TestMethod]
    public void RejectsNestingDeeperThanAnyJobList()
    {
        string deep = new string('[', 100) + new string(']', 100);
        string message = ErrorOf($$"""{"common":{"linker_output":"a","args":["c"],"inputs":[]},"jobs":[],"x":{{deep}}}""");
        StringAssert.Contains(message, "not valid JSON");
    }

    [TestMethod]
    public void ReportsAnUnreadableFile()
    {
        string missing = Path.Combine(Base, "no-such.json");
        var error = Assert.ThrowsExactly<JobListException>(() => JobListReader.ReadFile(missing, Base));
        StringAssert.StartsWith(error.Message, missing + ": cannot read the job list:");
    }
}
