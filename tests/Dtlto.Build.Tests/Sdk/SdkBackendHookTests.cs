using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>The documented way to hand @(DtltoBackendJob) to a system of one's own.</summary>
[TestClass]
public sealed class SdkBackendHookTests
{
    [TestMethod]
    public void ATargetOfTheProjectCanRunTheBackendCompilesInsteadOfTheSdk()
    {
        using var workspace = new NativeWorkspace();
        // The README's example: a "farm" that is a script logging each job, then running it.
        string farm = Scripts.Write(workspace.File("farm-submit.sh"), "echo \"$@\" >> \"$FARM_LOG\"\nexec \"$@\"\n");
        string log = workspace.File("farm.log");
        string project = SamplePrograms.WriteApp(workspace, "<DtltoRunBackendCompiles>false</DtltoRunBackendCompiles>\n<DtltoBackendCompileDependsOn>SubmitToFarm</DtltoBackendCompileDependsOn>", $$"""
              <Target Name="SubmitToFarm">
                <Exec Command="{{farm}} %(DtltoBackendJob.CommandLine)"
                      WorkingDirectory="%(DtltoBackendJob.WorkingDirectory)"
                      EnvironmentVariables="FARM_LOG={{log}}" />
              </Target>
            """);

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.HasCount(3, File.ReadAllLines(log), "one farm submission per module");
        Assert.IsFalse(build.StandardOutput.Contains("Running 3 backend compiles"), "the SDK's own task did not run");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void AHookThatLeavesAnObjectUnbuiltFailsTheLinkWithACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoRunBackendCompiles>false</DtltoRunBackendCompiles>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3102: the backend compile of '");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
    }
}
