using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>How the SDK finds LLVM, and what it says when it cannot use what it finds.</summary>
[TestClass]
public sealed class SdkToolchainTests
{
    [TestMethod]
    public void FindsTheNewestLlvmWithDtltoOnItsOwn()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(NativeWorkspace.TargetSection(log, "DtltoResolveToolchain"), "Using LLVM 22 at /usr/lib/llvm-22 (DTLTO: yes)");
    }

    [TestMethod]
    public void LlvmInstallDirChoosesTheToolchain()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<LLVMInstallDir>/usr/lib/llvm-22</LLVMInstallDir>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.StartsWith(File.ReadAllText(workspace.File("app/obj/Release/main.o.cmd")), "/usr/lib/llvm-22/bin/clang++\n");
    }

    [TestMethod]
    public void AMissingToolchainIsACodedErrorSayingWhatToInstall()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<LLVMInstallDir>/no/such/llvm</LLVMInstallDir>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO1002: LLVMInstallDir '/no/such/llvm' is not a usable LLVM installation: bin/ lacks clang, clang++, ld.lld, llvm-ar");
    }

    [TestMethod]
    public void AnLldWithoutDtltoIsACodedErrorForAnIntegratedLinkOnly()
    {
        using var workspace = new NativeWorkspace();
        // An LLVM root whose lld predates DTLTO: the real LLVM 22 tools, but an ld.lld that lists no
        // --thinlto-distributor in its help, as lld 19 does.
        FakeLlvm.Create(workspace.File("old-llvm"), ("ld.lld", "echo 'OVERVIEW: lld'\necho '  --thinlto-jobs=<value>'\n"));
        string project = SamplePrograms.WriteApp(workspace, $"<LLVMInstallDir>{workspace.File("old-llvm")}</LLVMInstallDir>");

        CommandResult release = workspace.Build(project, "-c", "Release", "-p:DtltoMode=Integrated");

        Assert.AreNotEqual(0, release.ExitCode);
        StringAssert.Contains(release.StandardOutput, "error DTLTO1003: The DTLTO link needs lld 21 or newer, but LLVM 22 at " + workspace.File("old-llvm"));
        StringAssert.Contains(release.StandardOutput, "Leave DtltoMode at Auto");
        StringAssert.Contains(release.StandardOutput, "DtltoEnabled=false");
        CommandResult compileOnly = workspace.Build(project, "-c", "Release", "-p:DtltoEnabled=false", "-t:ClCompile");
        Assert.AreEqual(0, compileOnly.ExitCode, "without the DTLTO link the toolchain is usable: " + compileOnly);
    }

    [TestMethod]
    public void NoLlvmAnywhereIsACodedErrorSayingWhatToInstall()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoLlvmSearchPath>/no/llvm-99;/no/llvm-98</DtltoLlvmSearchPath>");

        CommandResult build = workspace.Build(project);

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO1001: No LLVM toolchain with clang, clang++, ld.lld and llvm-ar was found (searched /no/llvm-99, /no/llvm-98)");
        StringAssert.Contains(build.StandardOutput, "sudo apt-get install clang-22 lld-22 llvm-22");
    }

    [TestMethod]
    public void ACompilerThatCannotStartIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string bin = Path.Combine(FakeLlvm.Create(workspace.File("broken-llvm"), ("clang", null), ("clang++", null)), "bin");
        string project = SamplePrograms.WriteApp(workspace, $"<LLVMInstallDir>{workspace.File("broken-llvm")}</LLVMInstallDir>");

        CommandResult build = workspace.Build(project);

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO2002: cannot compile " + workspace.File("app/main.cpp") + ": cannot run '" + Path.Combine(bin, "clang++") + "'");
    }

    [TestMethod]
    public void ADistributorHostNamedWithoutAFolderIsFoundOnPath()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoDistributorHost>dotnet</DtltoDistributorHost>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void ADistributorHostThatCannotBeFoundIsACodedError()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace, "<DtltoDistributorHost>no-such-dotnet-host</DtltoDistributorHost>");

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO3005: cannot find 'no-such-dotnet-host'");
    }
}
