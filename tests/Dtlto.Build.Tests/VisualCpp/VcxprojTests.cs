using System;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.VisualCpp;

/// <summary>
/// The SDK imported into a .vcxproj (ClangCL toolset, lld-link), built against the stand-in for
/// Visual Studio's VCTargets in VCTargets/: clang-cl compiles, the SDK's hook runs the DTLTO link
/// after PreLinkEvent and VC's Link target is skipped; every other configuration keeps VC's link.
/// </summary>
[TestClass]
public sealed class VcxprojTests
{
    private static readonly string StandIn = Path.Combine(RepositoryPaths.Root, "tests", "Dtlto.Build.Tests", "VisualCpp", "VCTargets") + "/";

    internal static string WriteVcxproj(NativeWorkspace workspace, string configuration = "<UseLldLink>true</UseLldLink>")
    {
        workspace.Write("app/main.c", """
            int twice(int x);
            int add_one(int x);
            __declspec(dllexport) int exported_answer(void) { return add_one(twice(20)) + 1; }
            int entry(void) { return exported_answer() == 42 ? 0 : 1; }
            """);
        workspace.Write("app/helpers.c", "int add_one(int x) { return x + 1; }\n");
        workspace.Write("app/twice.c", "int twice(int x) { return 2 * x; }\n");
        return workspace.Write("app/app.vcxproj", $"""
            <Project DefaultTargets="Build">
              <PropertyGroup Label="Globals">
                <VCTargetsPath>{StandIn}</VCTargetsPath>
              </PropertyGroup>
              <Import Project="$(VCTargetsPath)Microsoft.Cpp.Default.props" />
              <PropertyGroup Label="Configuration">
                <ConfigurationType>Application</ConfigurationType>
                <PlatformToolset>ClangCL</PlatformToolset>
                {configuration}
                <WholeProgramOptimization Condition="'$(Configuration)' == 'Release'">true</WholeProgramOptimization>
              </PropertyGroup>
              <Import Project="$(VCTargetsPath)Microsoft.Cpp.props" />
              <ItemDefinitionGroup>
                <ClCompile>
                  <AdditionalOptions>/GS- /Zl %(AdditionalOptions)</AdditionalOptions>
                </ClCompile>
                <Link>
                  <SubSystem>Console</SubSystem>
                  <EntryPointSymbol>entry</EntryPointSymbol>
                  <IgnoreAllDefaultLibraries>true</IgnoreAllDefaultLibraries>
                  <OptimizeReferences>true</OptimizeReferences>
                  <EnableCOMDATFolding>true</EnableCOMDATFolding>
                  <AdditionalOptions>/timestamp:0 %(AdditionalOptions)</AdditionalOptions>
                </Link>
              </ItemDefinitionGroup>
              <ItemGroup>
                <ClCompile Include="main.c" />
                <ClCompile Include="helpers.c" />
                <ClCompile Include="twice.c" />
                <PreLinkEvent Include="mark"><Command>echo pre-link &gt; "$(MSBuildProjectDirectory)/pre-link.txt"</Command></PreLinkEvent>
              </ItemGroup>
              <Import Project="$(VCTargetsPath)Microsoft.Cpp.targets" />
              <Import Project="Sdk.targets" Sdk="Dtlto.Build.Sdk" />
            </Project>
            """);
    }

    private static string ReadObj(NativeWorkspace workspace, string image, string what)
    {
        CommandResult result = Command.Run(workspace.Path, Path.Combine(Toolchain.BinDirectory, "llvm-readobj"), what, workspace.File(image));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return result.StandardOutput;
    }

    private static bool IsBitcode(string path) => File.ReadAllBytes(path).Take(4).SequenceEqual(new byte[] { (byte)'B', (byte)'C', 0xC0, 0xDE });

    /// <summary>VC's Link target did not run: the DTLTO hook left it no @(Link) items.</summary>
    private static bool VcLinkSkipped(string log) => !NativeWorkspace.TargetRan(log, "Link", "app.vcxproj") && !log.Contains("VC Link:");

    [TestMethod]
    [DataRow("Integrated")]
    [DataRow("Split")]
    public void AReleaseBuildWithLldLinkLinksThroughDtltoAndSkipsVcsLink(string mode)
    {
        using var workspace = new NativeWorkspace();
        string project = WriteVcxproj(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release", "-p:DtltoMode=" + mode);

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, $"DTLTO link mode: {mode}");
        foreach (string phase in new[] { "PreLinkEvent", "DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink" })
            Assert.IsTrue(NativeWorkspace.TargetRan(log, phase, "app.vcxproj"), phase + " ran");
        Assert.IsTrue(VcLinkSkipped(log), "VC's Link target had nothing left to link");
        Assert.IsFalse(build.StandardOutput.Contains("VC Link:"), build.StandardOutput);
        Assert.IsLessThan(log.IndexOf("Target \"DtltoThinLink", StringComparison.Ordinal), log.IndexOf("Target \"PreLinkEvent", StringComparison.Ordinal), "the pre-link event runs before the link");
        Assert.IsTrue(File.Exists(workspace.File("app/pre-link.txt")));

        string thinLink = NativeWorkspace.TargetSection(log, "DtltoThinLink", "app.vcxproj");
        Assert.AreEqual(3, SdkSplitModeTests.JobCount(thinLink));
        foreach (string option in new[] { "/subsystem:console", "/entry:entry", "/nodefaultlib", "/debug", "/machine:x64", "/opt:ref", "/opt:icf", "-Xlinker /timestamp:0" })
            StringAssert.Contains(thinLink, option);
        Assert.IsTrue(IsBitcode(workspace.File("app/x64/Release/obj/main.obj")), "clang-cl wrote ThinLTO bitcode");

        StringAssert.Contains(ReadObj(workspace, "app/x64/Release/app.exe", "--file-headers"), "TimeDateStamp: 1970-01-01 00:00:00 (0x0)");
        StringAssert.Contains(ReadObj(workspace, "app/x64/Release/app.exe", "--coff-exports"), "Name: exported_answer");
        Assert.AreEqual(0, Wine.Run(workspace.Path, workspace.File("app/x64/Release/app.exe")).ExitCode, "entry() returns 0 when exported_answer() is 42");
        Assert.IsTrue(File.Exists(workspace.File("app/x64/Release/app.pdb")), "GenerateDebugInformation reached lld-link");
        string tracked = File.ReadAllText(workspace.File("app/x64/Release/obj/app.tlog/dtlto-link.read.1.tlog"));
        StringAssert.Contains(tracked, workspace.File("app/x64/Release/obj/main.obj").ToUpperInvariant());
        StringAssert.Contains(File.ReadAllText(workspace.File("app/x64/Release/obj/app.tlog/dtlto-link.write.1.tlog")), workspace.File("app/x64/Release/app.exe").ToUpperInvariant());
    }

    [TestMethod]
    public void DebugKeepsVcsOwnLink()
    {
        using var workspace = new NativeWorkspace();
        string project = WriteVcxproj(workspace);

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Debug");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "VC Link: lld-link");
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoThinLink"));
        Assert.IsFalse(IsBitcode(workspace.File("app/x64/Debug/obj/main.obj")), "no -flto=thin without WholeProgramOptimization");
        StringAssert.Contains(ReadObj(workspace, "app/x64/Debug/app.exe", "--coff-exports"), "Name: exported_answer");
        Assert.AreEqual(0, Wine.Run(workspace.Path, workspace.File("app/x64/Debug/app.exe")).ExitCode, "VC's own link made a program that runs");
    }

    [TestMethod]
    public void LinkExeKeepsVcsOwnLinkAndSaysWhy()
    {
        using var workspace = new NativeWorkspace();
        string project = WriteVcxproj(workspace, "<UseLldLink>false</UseLldLink>");

        (CommandResult build, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        StringAssert.Contains(build.StandardOutput, "DTLTO link not used: it needs lld-link (UseLldLink=true), and this project links with link.exe.");
        StringAssert.Contains(build.StandardOutput, "VC Link: link.exe", "VC's Link ran (and, with no link.exe on this machine, failed)");
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoThinLink"));
        Assert.IsFalse(IsBitcode(workspace.File("app/x64/Release/obj/main.obj")), "link.exe gets no bitcode from the SDK");
    }

    [TestMethod]
    public void DesignTimeBuildsAreLeftAlone()
    {
        using var workspace = new NativeWorkspace();
        string project = WriteVcxproj(workspace);

        CommandResult build = workspace.Dotnet("msbuild", project, "-p:Configuration=Release", "-getProperty:_DtltoLink");
        CommandResult designTime = workspace.Dotnet("msbuild", project, "-p:Configuration=Release", "-p:DesignTimeBuild=true", "-getProperty:_DtltoLink", "-getItem:ClCompile");

        Assert.AreEqual("true", build.StandardOutput.Trim(), build.ToString());
        Assert.AreEqual(0, designTime.ExitCode, designTime.ToString());
        StringAssert.Contains(designTime.StandardOutput, "\"_DtltoLink\": \"\"");
        Assert.IsFalse(designTime.StandardOutput.Contains("-flto=thin"), designTime.StandardOutput);
    }

    [TestMethod]
    public void TheTrackerCapsIncrementalityAndCleanFollowVcsRules()
    {
        using var workspace = new NativeWorkspace();
        string project = WriteVcxproj(workspace);
        string tlogs = workspace.File("app/x64/Release/obj/app.tlog");
        CommandResult vcLink = workspace.Build(project, "-c", "Release", "-p:DtltoEnabled=false");
        Assert.AreEqual(0, vcLink.ExitCode, vcLink.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(tlogs, "link.command.1.tlog")), "VC's Link left its tlogs");

        (CommandResult dtlto, string log) = workspace.BuildWithBinlog(project, "-c", "Release", "-p:CL_MPCount=1");

        Assert.AreEqual(0, dtlto.ExitCode, dtlto.ToString());
        StringAssert.Contains(NativeWorkspace.TargetSection(log, "DtltoBackendCompile"), "Running 3 backend compiles on 1 cores.");
        Assert.IsEmpty(Directory.GetFiles(tlogs, "link.*.tlog"), "VC's link tlogs no longer describe the output, so they are removed");
        DateTime linked = File.GetLastWriteTimeUtc(workspace.File("app/x64/Release/app.exe"));

        (CommandResult again, string againLog) = workspace.BuildWithBinlog(project, "-c", "Release", "-p:CL_MPCount=1");

        Assert.AreEqual(0, again.ExitCode, again.ToString());
        Assert.IsFalse(NativeWorkspace.TargetRan(againLog, "DtltoThinLink"), "nothing changed: the link is up to date");
        Assert.IsTrue(VcLinkSkipped(againLog), "and VC's Link does not relink either");
        Assert.AreEqual(linked, File.GetLastWriteTimeUtc(workspace.File("app/x64/Release/app.exe")));

        CommandResult clean = workspace.Dotnet("msbuild", project, "-t:Clean", "-p:Configuration=Release");

        Assert.AreEqual(0, clean.ExitCode, clean.ToString());
        Assert.IsFalse(File.Exists(workspace.File("app/x64/Release/obj/app.exe.link-options")), "ExtensionsToDeleteOnClean names the SDK's files");
        Assert.IsFalse(File.Exists(workspace.File("app/x64/Release/app.exe")));
    }
}
