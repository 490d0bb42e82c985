using System;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>Second builds do only what changed; Clean removes what builds wrote.</summary>
[TestClass]
public sealed class SdkIncrementalTests
{
    private static void AssertBuilt(CommandResult build) => Assert.AreEqual(0, build.ExitCode, build.ToString());

    private static DateTime WrittenAt(NativeWorkspace workspace, string relative) => File.GetLastWriteTimeUtc(workspace.File(relative));

    /// <summary>Makes a file newer than anything built so far, whatever the file system's time resolution.</summary>
    private static void Touch(NativeWorkspace workspace, string relative, string? newText = null)
    {
        string path = workspace.File(relative);
        if (newText is not null)
            File.WriteAllText(path, newText);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));
    }

    [TestMethod]
    public void ANothingChangedBuildCompilesNothingAndDoesNotRelink()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        DateTime program = WrittenAt(workspace, "app/bin/Release/app");
        DateTime obj = WrittenAt(workspace, "app/obj/Release/main.o");

        (CommandResult again, string log) = workspace.BuildWithBinlog(project, "-c", "Release");

        AssertBuilt(again);
        Assert.IsFalse(again.StandardOutput.Contains("Compiling"), again.StandardOutput);
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoThinLink"), "the link is up to date");
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoBackendCompile"));
        Assert.IsFalse(NativeWorkspace.TargetRan(log, "DtltoFinalLink"));
        Assert.AreEqual(program, WrittenAt(workspace, "app/bin/Release/app"));
        Assert.AreEqual(obj, WrittenAt(workspace, "app/obj/Release/main.o"));
    }

    [TestMethod]
    public void AChangedHeaderRecompilesOnlyItsIncludersAndRelinks()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        DateTime numbers = WrittenAt(workspace, "app/obj/Release/numbers.o");

        Touch(workspace, "app/include/app.h", File.ReadAllText(workspace.File("app/include/app.h")) + "\n#define GREETER \"a changed header\"\n");
        CommandResult build = workspace.Build(project, "-c", "Release");

        AssertBuilt(build);
        StringAssert.Contains(build.StandardOutput, "Compiling 2 of 3 sources");
        Assert.AreEqual(numbers, WrittenAt(workspace, "app/obj/Release/numbers.o"), "numbers.c does not include app.h");
        Assert.AreEqual("hello from a changed header, 6*7=42, fib(20)=6765\n", Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    [TestMethod]
    public void AChangedSourceRecompilesItAlone()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release"));

        Touch(workspace, "app/numbers.c", File.ReadAllText(workspace.File("app/numbers.c")).Replace("return a * b;", "return a * b + 1;"));
        CommandResult build = workspace.Build(project, "-c", "Release");

        AssertBuilt(build);
        StringAssert.Contains(build.StandardOutput, "Compiling 1 of 3 sources");
        StringAssert.Contains(Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput, "6*7=43");
    }

    [TestMethod]
    public void AChangedCompileFlagRecompilesAndAChangedLinkFlagRelinks()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        string text = File.ReadAllText(project);

        File.WriteAllText(project, text.Replace("<ClCompile>", "<ClCompile><PreprocessorDefinitions>GREETER=\"a flag\"</PreprocessorDefinitions>"));
        CommandResult compile = workspace.Build(project, "-c", "Release");
        AssertBuilt(compile);
        StringAssert.Contains(compile.StandardOutput, "Compiling 3 of 3 sources");
        StringAssert.Contains(Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput, "hello from a flag");

        DateTime program = WrittenAt(workspace, "app/bin/Release/app");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</ItemDefinitionGroup>", "<Link><AdditionalOptions>-Wl,--build-id=sha1</AdditionalOptions></Link></ItemDefinitionGroup>"));
        (CommandResult link, string log) = workspace.BuildWithBinlog(project, "-c", "Release");
        AssertBuilt(link);
        Assert.IsFalse(link.StandardOutput.Contains("Compiling"), "a link flag recompiles nothing");
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "DtltoFinalLink"), "a link flag relinks");
        Assert.AreNotEqual(program, WrittenAt(workspace, "app/bin/Release/app"));
        CommandResult notes = Command.Run(workspace.Path, Path.Combine(Toolchain.BinDirectory, "llvm-readelf"), "-n", workspace.File("app/bin/Release/app"));
        StringAssert.Contains(notes.StandardOutput, "Build ID");
    }

    [TestMethod]
    public void CleanRemovesWhatTheBuildWrote()
    {
        using var workspace = new NativeWorkspace();
        string project = SamplePrograms.WriteApp(workspace);
        AssertBuilt(workspace.Build(project, "-c", "Release"));
        Assert.IsTrue(File.Exists(workspace.File("app/bin/Release/app")));

        AssertBuilt(workspace.Dotnet("clean", project, "-c", "Release"));

        string[] left = Directory.GetFiles(workspace.File("app/bin"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(workspace.File("app/obj"), "*", SearchOption.AllDirectories))
            .ToArray();
        CollectionAssert.AreEqual(Array.Empty<string>(), left, string.Join("\n", left));
        Assert.IsTrue(File.Exists(workspace.File("app/main.cpp")), "sources stay");

        AssertBuilt(workspace.Build(project, "-c", "Release"));
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }
}
