using System.Linq;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// A file every backend compile of a link reads (a sample profile: lld puts it in the job list's
/// common inputs) goes with each job on every route: into the backend cache's keys, so that a
/// changed profile compiles again, and into each farm action, so that the farm compiles with it,
/// whether the batch runs in the build's process or in dtlto-distributor.
/// </summary>
[TestClass]
public sealed class SdkSampleProfileTests
{
    private const string FirstProfile = "main:100:1\n 1: 10\n";
    private const string SecondProfile = "fib:5000:50\n 1: 500\n 2: 4000\n";

    private static string WriteProfiledApp(NativeWorkspace workspace)
    {
        // lld runs in obj/Release/: the profile is named relative to it, as a farm action needs.
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><Link><AdditionalOptions>-fprofile-sample-use=../../prof.txt</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        workspace.Write("app/prof.txt", FirstProfile);
        return project;
    }

    [TestMethod]
    public void AChangedProfileCompilesEveryModuleAgain()
    {
        using var workspace = new NativeWorkspace();
        string project = WriteProfiledApp(workspace);

        CommandResult first = workspace.Build(project, "-c", "Release");
        CommandResult same = workspace.Build(project, "-c", "Release", "-t:Rebuild");
        workspace.Write("app/prof.txt", SecondProfile);
        CommandResult changed = workspace.Build(project, "-c", "Release", "-t:Rebuild");

        Assert.AreEqual(0, first.ExitCode, first.StandardOutput);
        StringAssert.Contains(first.StandardOutput, "app: DTLTO Integrated, 3 backend jobs, 3 compiled here, ");
        StringAssert.Contains(same.StandardOutput, "app: DTLTO Integrated, 3 backend jobs, 3 from the local cache (");
        Assert.AreEqual(0, changed.ExitCode, changed.StandardOutput);
        StringAssert.Contains(changed.StandardOutput, "app: DTLTO Integrated, 3 backend jobs, 3 compiled here, ", "the profile is in every key");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task AFarmCompilesWithTheProfileAndAChangedProfileIsCompiledAgainThere(bool outOfProcess)
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var workspace = new NativeWorkspace();
        string project = WriteProfiledApp(workspace);
        string[] remote = { "-c", "Release", "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false", "-p:DtltoRemoteOutOfProcess=" + outOfProcess };
        string farmCompiled = $"app: DTLTO Integrated, 3 backend jobs, 3 compiled on the farm ({server.Endpoint}), ";

        CommandResult first = workspace.Build(project, remote);
        workspace.Write("app/prof.txt", SecondProfile);
        CommandResult changed = workspace.Build(project, remote.Append("-t:Rebuild").ToArray());

        Assert.AreEqual(0, first.ExitCode, first.StandardOutput);
        Assert.IsFalse(first.StandardOutput.Contains("DTLTO3107"), "the farm had what it needed: " + first.StandardOutput);
        StringAssert.Contains(first.StandardOutput, farmCompiled, "each action carries the profile (clang fails without it)");
        Assert.AreEqual(0, changed.ExitCode, changed.StandardOutput);
        StringAssert.Contains(changed.StandardOutput, farmCompiled, "neither this machine's cache nor the farm's serves the old profile's objects");
        Assert.AreEqual(6, server.State.Executed.Count);
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }
}
