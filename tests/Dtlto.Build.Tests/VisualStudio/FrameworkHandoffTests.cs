using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Handoff;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.VisualStudio;

/// <summary>
/// The handoff pipe of the package's tools/net472 assembly, run by Mono on Linux: the build's
/// end only takes a connection of its own user there too (the .NET build's test:
/// HandoffSecurityTests). A probe program compiled here hosts the package's HandoffServer; a
/// process of another account (nobody, through setpriv) connects first, then the .NET client.
/// </summary>
[TestClass]
public sealed class FrameworkHandoffTests
{
    private const string Probe = """
        using System;
        using System.IO;
        using System.Threading;
        using Dtlto.Build.Engine.Handoff;
        static class Probe
        {
            static int Main(string[] args)
            {
                using (var server = new HandoffServer())
                {
                    var waiting = server.WaitForJobListAsync(CancellationToken.None);
                    File.WriteAllText(args[0] + ".tmp", server.PipeName);
                    File.Move(args[0] + ".tmp", args[0]);
                    if (!waiting.Wait(TimeSpan.FromSeconds(60)))
                        return 3;
                    Console.WriteLine("job list " + waiting.Result.Item1 + ", refused " + server.Refused);
                    server.SendResultAsync(true, "").Wait();
                    return 0;
                }
            }
        }
        """;

    [TestMethod]
    public async Task AnotherUsersConnectionIsTurnedAwayByTheNet472Build()
    {
        FrameworkMSBuild.RequireMono();
        Assert.AreEqual("0", Command.Run("/", "id", "-u").StandardOutput.Trim(), "the test switches to another user, which needs root");
        using var workspace = new NativeWorkspace();
        string tasks = Path.Combine(FrameworkMSBuild.PackageFolder(workspace), "tools", "net472");
        workspace.Write("probe.cs", Probe);
        const string facades = "/usr/lib/mono/4.5/Facades/";
        CommandResult compile = Command.Run(workspace.Path, "mcs", "-out:probe.exe", "-r:" + Path.Combine(tasks, "Dtlto.Build.Tasks.dll"),
            "-r:" + facades + "netstandard.dll", "-r:" + facades + "System.Runtime.dll", "-r:" + facades + "System.Threading.Tasks.dll", "probe.cs");
        Assert.AreEqual(0, compile.ExitCode, compile.ToString());
        string pipeFile = workspace.File("pipe-name");
        using var probe = new BackgroundProcess(workspace.Path, "mono", new[] { "probe.exe", pipeFile }, new Dictionary<string, string?> { ["MONO_PATH"] = tasks });
        Assert.IsTrue(probe.WaitForFile(pipeFile, TimeSpan.FromSeconds(30)), "the server is up: " + probe.OutputSoFar);
        string pipeName = File.ReadAllText(pipeFile);
        string socket = Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + pipeName);
        File.SetUnixFileMode(socket, (UnixFileMode)0b111_111_111);

        CommandResult nobody = Command.Run("/", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "perl", "-e", Handoff.HandoffSecurityTests.Intruder, socket);
        (bool succeeded, _) = await HandoffClient.HandOverAsync(pipeName, "/work/app.dist-file.json", "/work", TimeSpan.FromSeconds(10));
        CommandResult? ended = probe.WaitForExit(TimeSpan.FromSeconds(30));

        StringAssert.Matches(nobody.StandardOutput, new System.Text.RegularExpressions.Regex("^(refused: |answer: 0 bytes)"), "nobody got nothing back: " + nobody);
        Assert.IsTrue(succeeded, "this user's distributor got the build's answer");
        Assert.IsNotNull(ended);
        Assert.AreEqual(0, ended.ExitCode, ended.ToString());
        StringAssert.Contains(ended.StandardOutput, "job list /work/app.dist-file.json, refused 1", "the build took this user's job list, not nobody's");
    }
}
