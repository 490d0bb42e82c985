using System;
using System.IO;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Handoff;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Handoff;

/// <summary>
/// The pipe through which lld's distributor hands its job list to the build, against a process of
/// another account (nobody) on the same machine: a real second user, through setpriv.
/// </summary>
[TestClass]
public sealed class HandoffSecurityTests
{
    /// <summary>What the other user runs (perl, socket path as its argument): connect, offer a job list of its own, say what came back.</summary>
    internal const string Intruder = "use Socket; $SIG{ALRM} = sub { print qq(answer: none, still connected\\n); exit }; alarm 5;" +
        "socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die;" +
        "if (connect($s, sockaddr_un($ARGV[0]))) { syswrite($s, qq({\"jobList\":\"/tmp/evil.json\",\"workingDirectory\":\"/tmp\"}\\n));" +
        " my $n = sysread($s, my $answer, 100); print qq(answer: ), ($n // 0), qq( bytes\\n) } else { print qq(refused: $!\\n) }";

    [TestMethod]
    public async Task AnotherUsersConnectionIsTurnedAwayAndTheBuildStillGetsLldsJobList()
    {
        Assert.AreEqual("0", Command.Run("/", "id", "-u").StandardOutput.Trim(), "the test switches to another user, which needs root");
        using var server = new HandoffServer();
        Task<(string JobList, string WorkingDirectory)> waiting = server.WaitForJobListAsync(default);
        string socket = Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + server.PipeName);
        Assert.IsTrue(File.Exists(socket), socket);
        // A permissive umask, or a shared folder: the socket file itself lets everyone connect.
        File.SetUnixFileMode(socket, (UnixFileMode)0b111_111_111);

        CommandResult nobody = Command.Run("/", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "perl", "-e", Intruder, socket);

        StringAssert.Matches(nobody.StandardOutput, new System.Text.RegularExpressions.Regex("^(refused: |answer: 0 bytes)"), "nobody got nothing back: " + nobody);
        await Task.Delay(200);
        Assert.IsFalse(waiting.IsCompleted, "the build did not take nobody's job list");
        Assert.AreEqual(1, server.Refused, "nobody's connection was turned away by its credentials");

        Task<(bool Succeeded, string Message)> handover = HandoffClient.HandOverAsync(server.PipeName, "/work/app.dist-file.json", "/work", TimeSpan.FromSeconds(5));
        (string jobList, string workingDirectory) = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.AreEqual("/work/app.dist-file.json", jobList);
        Assert.AreEqual("/work", workingDirectory);
        await server.SendResultAsync(true, "");
        Assert.IsTrue((await handover.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded);
    }
}
