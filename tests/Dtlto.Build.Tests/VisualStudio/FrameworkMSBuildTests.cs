using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Dtlto.Build.Tests.VisualCpp;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.VisualStudio;

/// <summary>
/// The packed SDK built by the .NET Framework MSBuild engine (17.7.2 under Mono, see
/// <see cref="FrameworkMSBuild"/>), as Visual Studio's MSBuild.exe loads it: its targets pick
/// the tools/net472 task assembly by themselves, which brings its own dependencies from the
/// package. .clangproj and .vcxproj (on the stand-in VC targets), both link modes, a static
/// library, the remote batch out of process, cancellation, and coded diagnostics.
/// </summary>
[TestClass]
public sealed class FrameworkMSBuildTests
{
    private const string NoCache = "-p:DtltoCache=false";

    [TestInitialize]
    public void RequireMono() => FrameworkMSBuild.RequireMono();

    [TestMethod]
    [DataRow("Integrated")]
    [DataRow("Split")]
    public void AClangprojLinksThroughTheNet472TasksAndBuildsIncrementally(string mode)
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", "-p:DtltoMode=" + mode, NoCache, "-v:d");
        CommandResult again = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", "-p:DtltoMode=" + mode, NoCache, "-v:d");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, $"DTLTO link mode: {mode}");
        StringAssert.Contains(build.StandardOutput, "tools/net472/Dtlto.Build.Tasks.dll", "MSBuildRuntimeType Full picked the .NET Framework tasks");
        Assert.IsFalse(File.Exists(Path.Combine(FrameworkMSBuild.HostFolder, "System.Text.Json.dll")), "the host carries no System.Text.Json: the tasks loaded theirs from the package");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        StringAssert.Contains(again.StandardOutput, "Skipping target \"DtltoThinLink\" because all output files are up-to-date");
    }

    [TestMethod]
    [DataRow("Integrated")]
    [DataRow("Split")]
    public void AVcxprojOnTheVcTargetsLinksThroughDtltoAndItsImageRunsUnderWine(string mode)
    {
        using var workspace = new NativeWorkspace();
        string project = VcxprojTests.WriteVcxproj(workspace);

        CommandResult build = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", "-p:DtltoMode=" + mode, NoCache);

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, $"DTLTO link mode: {mode}");
        Assert.IsFalse(build.StandardOutput.Contains("VC Link:"), "VC's Link target was skipped: " + build.StandardOutput);
        CommandResult run = Wine.Run(workspace.Path, workspace.File("app/x64/Release/app.exe"));
        Assert.AreEqual(0, run.ExitCode, "entry() returns 0 when exported_answer() is 42: " + run);
    }

    [TestMethod]
    public void AStaticLibraryReferenceIsBuiltAndLinked()
    {
        using var workspace = new NativeWorkspace();
        SamplePrograms.WriteShapesLibrary(workspace);
        workspace.Write("app/main.cpp", "#include <cstdio>\n#include \"shapes.h\"\nint main() { std::printf(\"%d\\n\", square_area(5)); }\n");
        string app = workspace.WriteProject("app/app.clangproj", """
              <ItemDefinitionGroup><ClCompile><AdditionalIncludeDirectories>../lib</AdditionalIncludeDirectories></ClCompile></ItemDefinitionGroup>
              <ItemGroup><ClCompile Include="main.cpp" /></ItemGroup>
              <ItemGroup><ProjectReference Include="../lib/shapes.clangproj" /></ItemGroup>
            """);

        CommandResult build = FrameworkMSBuild.Build(workspace, app, "-p:Configuration=Release", NoCache);

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.IsTrue(File.Exists(workspace.File("lib/bin/Release/shapes.a")));
        Assert.AreEqual("25\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public async Task TheRemoteBatchRunsInTheDistributorAndTheFarmCompiles()
    {
        await using ReapiTestServer server = await ReapiTestServer.StartAsync();
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", NoCache, "-p:DtltoRemoteEndpoint=" + server.Endpoint, "-p:DtltoRemoteRace=false");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.AreEqual(3, server.State.Executed.Count, "every backend compile ran on the farm: " + build.StandardOutput);
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void CtrlCDuringTheBackendCompilesStopsTheBuildAndLeavesNothing()
    {
        using var workspace = new NativeWorkspace();
        string marker = workspace.File("started");
        string project = SamplePrograms.WriteApp(workspace, extraItems: $"""
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler={workspace.Path}/faulty-clang.sh</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        Scripts.FaultyCompiler(workspace.Path);
        var environment = new Dictionary<string, string?>(FrameworkMSBuild.Environment(workspace)) { ["FAULT_STARTED"] = marker, ["FAULT"] = "slow", ["FAULT_MODULE"] = "greet.o" };

        using var build = new BackgroundProcess(workspace.Path, "mono", FrameworkMSBuild.Arguments(project, "-p:Configuration=Release", NoCache), environment);
        Assert.IsTrue(build.WaitForFile(marker, TimeSpan.FromMinutes(2)), "the backend compiles were reached: " + build.OutputSoFar);
        build.Signal("INT");

        CommandResult? ended = build.WaitForExit(TimeSpan.FromSeconds(20));
        Assert.IsNotNull(ended, "the build ends within seconds of Ctrl+C");
        Assert.AreNotEqual(0, ended.ExitCode);
        string[] left = ProcessTable.StillMentioning(workspace.Path, TimeSpan.FromSeconds(5));
        Assert.IsEmpty(left, "no process of the build is left: " + string.Join("\n", left) + "\n" + ended.StandardOutput);
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no program that looks built");

        CommandResult next = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", NoCache);
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ACompileErrorHasItsFileAndLineAndABackendFailureItsCode()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        workspace.Write("app/greet.cpp", "#include \"app.h\"\nstd::string greeting() {\n  return undeclared_name;\n}\n");
        CommandResult compile = FrameworkMSBuild.Build(workspace, project, "-p:Configuration=Release", NoCache);

        using var other = new NativeWorkspace();
        string backend = SamplePrograms.WriteApp(other, extraItems: """
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler-arg=--no-such-backend-flag</AdditionalOptions></Link></ItemDefinitionGroup>
            """);
        CommandResult link = FrameworkMSBuild.Build(other, backend, "-p:Configuration=Release", NoCache);

        Assert.AreNotEqual(0, compile.ExitCode);
        StringAssert.Contains(compile.StandardOutput, workspace.File("app/greet.cpp") + "(3,10): error : use of undeclared identifier 'undeclared_name'");
        Assert.AreNotEqual(0, link.ExitCode);
        StringAssert.Contains(link.StandardOutput, "error DTLTO3101: backend compile of '");
        StringAssert.Contains(link.StandardOutput, "unknown argument: '--no-such-backend-flag'");
        Assert.IsFalse(File.Exists(other.File("app/bin/Release/app")), "no output that looks up to date");
    }
}
