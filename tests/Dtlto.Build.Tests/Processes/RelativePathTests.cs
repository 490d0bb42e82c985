using Dtlto.Build.Engine.Processes;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Processes;

[TestClass]
public sealed class RelativePathTests
{
    [TestMethod]
    [DataRow("/w/app/obj/Release", "/w/app/obj/Release/main.o", "main.o")]
    [DataRow("/w/app/obj/Release/", "/w/lib/bin/Release/lib.a", "../../../lib/bin/Release/lib.a")]
    [DataRow("/w/ü dir/obj", "/w/ü dir/obj/sub/x.o", "sub/x.o")]
    [DataRow("/w/app", "/w/app", ".")]
    [DataRow("/w/app", "/other/x.o", "../../other/x.o")]
    public void IsRelativeToTheDirectory(string directory, string path, string expected)
    {
        Assert.AreEqual(expected, RelativePath.From(directory, path));
    }
}
