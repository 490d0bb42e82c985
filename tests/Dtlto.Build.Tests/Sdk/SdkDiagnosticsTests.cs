using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>Failures surface as MSBuild errors with codes, files and lines, and leave no output that looks built.</summary>
[TestClass]
public sealed class SdkDiagnosticsTests
{
    [TestMethod]
    public void ACompileErrorIsAnMSBuildErrorWithFileAndLine()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        workspace.Write("app/greet.cpp", "#include \"app.h\"\nstd::string greeting() {\n  return undeclared_name;\n}\n");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, workspace.File("app/greet.cpp") + "(3,10): error : use of undeclared identifier 'undeclared_name'");
        Assert.IsFalse(File.Exists(workspace.File("app/obj/Release/greet.o")));
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
    }

    [TestMethod]
    public void ACompileWarningIsAnMSBuildWarningAndTheBuildSucceeds()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        workspace.Write("app/numbers.c", "int multiply(int a, int b) { int unused; return a * b; }\nint fib(int n) { return n == 20 ? 6765 : 0; }\n");
        File.WriteAllText(project, File.ReadAllText(project).Replace("<ClCompile>", "<ClCompile><AdditionalOptions>-Wall</AdditionalOptions>"));

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, workspace.File("app/numbers.c") + "(1,34): warning : unused variable 'unused'");
    }

    [TestMethod]
    public void ABackendCompileFailureIsACodedErrorCarryingClangsDiagnostic()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler-arg=--no-such-backend-flag</AdditionalOptions></Link></ItemDefinitionGroup>
            """);

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3101: backend compile of '");
        StringAssert.Contains(build.StandardOutput, "unknown argument: '--no-such-backend-flag'");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no output that looks up to date");
        Assert.IsEmpty(Directory.GetFiles(workspace.File("app/bin/Release"), "*.native.o*"), "lld removed its temporaries");
    }

    [TestMethod]
    public void AnUndefinedSymbolInTheFinalLinkIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        workspace.Write("app/numbers.c", "int missing_function(void);\nint multiply(int a, int b) { return a * b + missing_function(); }\nint fib(int n) { return n; }\n");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3201: ld.lld: undefined symbol: missing_function");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
    }

    [TestMethod]
    public void AnUnknownConfigurationTypeIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<ConfigurationType>Utility</ConfigurationType>");

        CommandResult build = workspace.Build(project);

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO1004: ConfigurationType 'Utility' is not supported");
    }

    [TestMethod]
    public void TwoSourcesWithOneObjectNameAreACodedError()
    {
        using var workspace = new NativeWorkspace();
        workspace.Write("app/a/util.c", "int a(void) { return 1; }\n");
        workspace.Write("app/b/util.c", "int main(void) { return 0; }\n");
        string project = workspace.WriteProject("app/app.clangproj", "<ItemGroup><ClCompile Include=\"a/util.c\" /><ClCompile Include=\"b/util.c\" /></ItemGroup>");

        CommandResult build = workspace.Build(project);

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO1005:");
        StringAssert.Contains(build.StandardOutput, "give one of them another ObjectFileName");
    }

    [TestMethod]
    public void AClangErrorWithNoPlaceIsCoded()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemDefinitionGroup><ClCompile><AdditionalOptions>--no-such-compile-option</AdditionalOptions></ClCompile></ItemDefinitionGroup>
            """);

        CommandResult build = workspace.Build(project);

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, project + " : error DTLTO2001: clang++: unknown argument: '--no-such-compile-option'");
    }

    [TestMethod]
    public void AMissingSourceIsOneErrorAtTheProject()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, extraItems: """
              <ItemGroup><ClCompile Include="gone.c" /></ItemGroup>
            """);

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, project + " : error DTLTO2003: the source file gone.c does not exist (" + workspace.File("app/gone.c") + ")");
        StringAssert.Contains(build.StandardOutput, "1 Error(s)", "one error per fault, not clang's 'no input files' as well");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
    }

    [TestMethod]
    public void ATimelineThatCannotBeWrittenIsAWarningAndTheLinkSucceeds()
    {
        using var workspace = new NativeWorkspace();
        // A folder cannot be made under a file.
        string project = SamplePrograms.WriteApp(workspace,
            "<DtltoTraceFile>$(MSBuildProjectFullPath)/trace.json</DtltoTraceFile>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "warning DTLTO3202: cannot write the link timeline");
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ALinkerDriverThatCannotStartIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string llvm = FakeLlvm.Create(workspace.File("fake-llvm"), ("clang++", null));
        workspace.Write("app/main.c", "int main(void) { return 0; }\n");
        string project = workspace.WriteProject("app/app.clangproj", $"<PropertyGroup><LLVMInstallDir>{llvm}</LLVMInstallDir></PropertyGroup><ItemGroup><ClCompile Include=\"main.c\" /></ItemGroup>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3002: cannot link " + workspace.File("app/bin/Release/app") + ": cannot run '" + Path.Combine(llvm, "bin", "clang++") + "'");
    }

    [TestMethod]
    public void AnArchiverFailureIsACodedErrorAndLeavesNoLibrary()
    {
        using var workspace = new NativeWorkspace();
        string llvm = FakeLlvm.Create(workspace.File("fake-llvm"), ("llvm-ar", "echo 'llvm-ar: error: injected failure' >&2\nexit 1\n"));
        workspace.Write("lib/f.c", "int f(void) { return 1; }\n");
        string project = workspace.WriteProject("lib/lib.clangproj", $"<PropertyGroup><ConfigurationType>StaticLibrary</ConfigurationType><LLVMInstallDir>{llvm}</LLVMInstallDir></PropertyGroup><ItemGroup><ClCompile Include=\"f.c\" /></ItemGroup>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO4001: llvm-ar could not create");
        StringAssert.Contains(build.StandardOutput, "injected failure");
        Assert.IsFalse(File.Exists(workspace.File("lib/bin/Release/lib.a")));
    }

    [TestMethod]
    public void BackendJobItemsStrippedOfTheirMetadataAreACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoBackendCompileDependsOn>BreakTheItems</DtltoBackendCompileDependsOn>", """
              <Target Name="BreakTheItems">
                <ItemGroup><DtltoBackendJob Update="@(DtltoBackendJob)" Command="" /></ItemGroup>
              </Target>
            """);

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3103: a DtltoBackendJob item cannot be run:");
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")));
        CollectionAssert.AreEqual(System.Array.Empty<string>(), ProcessTable.StillMentioning(workspace.Path, System.TimeSpan.FromSeconds(5)), "the waiting lld was ended");
    }

    [TestMethod]
    public void FinishingALinkThatIsNotRunningIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release", "-t:DtltoResolveToolchain;DtltoFinalLink", "-p:_DtltoLinkId=Dtlto.Build.Link:stale");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3004: the link of");
    }
}
