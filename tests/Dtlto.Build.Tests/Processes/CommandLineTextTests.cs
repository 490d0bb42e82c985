using Dtlto.Build.Engine.Processes;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Processes;

[TestClass]
public sealed class CommandLineTextTests
{
    [TestMethod]
    public void QuotesForAPosixShellOnlyWhereNeeded()
    {
        string line = CommandLineText.FormatPosix(new[] { "/usr/bin/clang", "-O2", "lib.a(t2.o at 80).o", "it's", "" });
        Assert.AreEqual("/usr/bin/clang -O2 'lib.a(t2.o at 80).o' 'it'\\''s' ''", line);
    }

    [TestMethod]
    [DataRow("plain", "plain")]
    [DataRow("a b", "\"a b\"")]
    [DataRow("", "\"\"")]
    [DataRow("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [DataRow("C:\\dir with space\\", "\"C:\\dir with space\\\\\"")]
    [DataRow("C:\\no\\space\\", "C:\\no\\space\\")]
    [DataRow("a\\\"b", "\"a\\\\\\\"b\"")]
    public void QuotesForWindowsSoArgvSplitsBackTheSame(string argument, string expected)
    {
        Assert.AreEqual(expected, WindowsCommandLine.Join(new[] { argument }));
    }
}
