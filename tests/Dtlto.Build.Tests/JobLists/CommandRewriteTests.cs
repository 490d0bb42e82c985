using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Engine.JobLists;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.JobLists;

[TestClass]
public sealed class CommandRewriteTests
{
    private static JobList OneJob(string baseDirectory) => JobListReader.Parse(
        System.Text.Encoding.UTF8.GetBytes("""{"common":{"linker_output":"app","args":["clang","-c"],"inputs":[]},"jobs":[{"args":["-o","m.1.native.o","-fthinlto-index=m.1.thinlto.bc"],"inputs":["m.o","m.1.thinlto.bc"],"outputs":["m.1.native.o"]}]}"""),
        "test.json",
        baseDirectory);

    [TestMethod]
    public void FilesAreRenamedAsPathsAndAsOptionValuesHoweverSpelled()
    {
        string root = Path.GetTempPath();
        JobList jobList = OneJob(root);
        var renames = new Dictionary<string, string>
        {
            [Path.Combine(root, "m.1.native.o")] = "/x/out.o",
            [Path.Combine(root, "m.1.thinlto.bc")] = "/x/shard.bc",
        };

        List<string>? command = CommandRewrite.Command(jobList.CommandFor(jobList.Jobs[0]), jobList, renames);

        CollectionAssert.AreEqual(new[] { "clang", "-c", "-o", "/x/out.o", "-fthinlto-index=/x/shard.bc" }, command);
    }

    [TestMethod]
    public void ACommandThatDoesNotNameAFileCannotBeRewritten()
    {
        string root = Path.GetTempPath();
        JobList jobList = OneJob(root);
        var renames = new Dictionary<string, string> { [Path.Combine(root, "elsewhere.o")] = "/x/out.o" };

        Assert.IsNull(CommandRewrite.Command(jobList.CommandFor(jobList.Jobs[0]), jobList, renames));
    }
}
