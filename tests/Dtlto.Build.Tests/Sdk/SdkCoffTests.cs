using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// Cross-compiling Windows (COFF) images on Linux: TargetTriple x86_64-pc-windows-msvc compiles
/// with clang and links with lld-link 22 through the same three DTLTO phases. The code is
/// freestanding (no CRT), so no Windows SDK is needed; the images are checked with llvm-readobj,
/// run under Wine, and compared with in-process ThinLTO's image of the same objects.
/// </summary>
[TestClass]
public sealed class SdkCoffTests
{
    private const string Freestanding = """
          <PropertyGroup><TargetTriple>x86_64-pc-windows-msvc</TargetTriple></PropertyGroup>
          <ItemDefinitionGroup><ClCompile><AdditionalOptions>-ffreestanding</AdditionalOptions></ClCompile></ItemDefinitionGroup>
        """;

    private static string ReadObj(NativeWorkspace workspace, string image, string what)
    {
        CommandResult result = Command.Run(workspace.Path, Path.Combine(Toolchain.BinDirectory, "llvm-readobj"), what, workspace.File(image));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return result.StandardOutput;
    }

    [TestMethod]
    [DataRow("Integrated", "")]
    [DataRow("Split", "")]
    [DataRow("Split", "/usr/lib/llvm-19")]
    public void AWindowsProgramWithAStaticLibraryAndADllLinksThroughDtltoWithLldLink(string mode, string llvm)
    {
        using var workspace = new NativeWorkspace();
        string toolchain = llvm.Length == 0 ? "" : $"<LLVMInstallDir>{Toolchain.Llvm19InstallDir}</LLVMInstallDir>";
        string freestanding = Freestanding.Replace("</TargetTriple>", $"</TargetTriple><DtltoMode>{mode}</DtltoMode>{toolchain}");
        workspace.Write("lib/twice.c", "int twice(int x) { return 2 * x; }\n");
        workspace.WriteProject("lib/lib.clangproj", freestanding + """
              <PropertyGroup><ConfigurationType>StaticLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="twice.c" /></ItemGroup>
            """);
        workspace.Write("plugin/plugin.c", "__declspec(dllexport) int plugin_answer(void) { return 40; }\n");
        workspace.WriteProject("plugin/plugin.clangproj", freestanding + """
              <PropertyGroup><ConfigurationType>DynamicLibrary</ConfigurationType></PropertyGroup>
              <ItemDefinitionGroup><Link><AdditionalOptions>-nostdlib -Xlinker /noentry</AdditionalOptions></Link></ItemDefinitionGroup>
              <ItemGroup><ClCompile Include="plugin.c" /></ItemGroup>
            """);
        workspace.Write("app/main.c", """
            int twice(int x);
            int add_one(int x);
            __declspec(dllimport) int plugin_answer(void);
            __declspec(dllexport) int exported_answer(void) { return add_one(twice(plugin_answer())) + 1; }
            int entry(void) { return exported_answer() == 82 ? 0 : 1; }
            """);
        workspace.Write("app/helpers.c", "int add_one(int x) { return x + 1; }\n");
        string app = workspace.WriteProject("app/app.clangproj", freestanding + """
              <ItemDefinitionGroup><Link><AdditionalOptions>-nostdlib -Xlinker /entry:entry -Xlinker /subsystem:console -Xlinker /timestamp:0</AdditionalOptions></Link></ItemDefinitionGroup>
              <ItemGroup><ClCompile Include="main.c" /><ClCompile Include="helpers.c" /></ItemGroup>
              <ItemGroup>
                <ProjectReference Include="../lib/lib.clangproj" />
                <ProjectReference Include="../plugin/plugin.clangproj" />
              </ItemGroup>
            """);

        (CommandResult build, string log) = workspace.BuildWithBinlog(app, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        foreach (string phase in new[] { "DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink" })
            Assert.IsTrue(NativeWorkspace.TargetRan(log, phase, "app.clangproj"), phase + " ran");
        Assert.IsTrue(NativeWorkspace.TargetRan(log, "DtltoFinalLink", "plugin.clangproj"), "the DLL's link is a DTLTO link too");
        string thinLink = NativeWorkspace.TargetSection(log, "DtltoThinLink", "app.clangproj");
        Assert.AreEqual(3, SdkSplitModeTests.JobCount(thinLink), "main, helpers and the library's member");
        StringAssert.Contains(thinLink, mode == "Split" ? "/thinlto-index-only:" : "/thinlto-distributor:");
        StringAssert.Contains(build.StandardOutput, $"DTLTO link mode: {mode}");

        Assert.AreEqual("BC", new string(File.ReadAllBytes(workspace.File("app/obj/Release/main.o")).Take(2).Select(b => (char)b).ToArray()), "bitcode objects");
        StringAssert.Contains(ReadObj(workspace, "app/bin/Release/app.exe", "--file-headers"), "IMAGE_FILE_MACHINE_AMD64");
        StringAssert.Contains(ReadObj(workspace, "app/bin/Release/app.exe", "--coff-exports"), "Name: exported_answer");
        string imports = ReadObj(workspace, "app/bin/Release/app.exe", "--coff-imports");
        StringAssert.Contains(imports, "Name: plugin.dll");
        StringAssert.Contains(imports, "Symbol: plugin_answer");
        StringAssert.Contains(ReadObj(workspace, "plugin/bin/Release/plugin.dll", "--coff-exports"), "Name: plugin_answer");
        Assert.IsTrue(File.Exists(workspace.File("app/bin/Release/plugin.dll")), "the DLL is copied beside the program");

        // The program was optimised across modules: twice() and add_one() are inlined, so the
        // only calls left go through the import table to the DLL.
        CommandResult disassembly = Command.Run(workspace.Path, Path.Combine(Toolchain.BinDirectory, "llvm-objdump"), "-d", workspace.File("app/bin/Release/app.exe"));
        int calls = Regex.Matches(disassembly.StandardOutput, @"\bcallq?\s").Count;
        Assert.IsGreaterThan(0, calls);
        Assert.AreEqual(calls, Regex.Matches(disassembly.StandardOutput, @"\bcallq?\s+\*").Count, disassembly.StandardOutput);

        CommandResult run = Wine.Run(workspace.Path, workspace.File("app/bin/Release/app.exe"));
        Assert.AreEqual(0, run.ExitCode, "entry() returns 0 when the DLL's answer made it through: " + run);
        if (mode == "Integrated")
        {
            // lld-link's own ThinLTO backends, in its process, of the same objects.
            CommandResult inProcess = workspace.Build(app, "-c", "Release", "-p:DtltoEnabled=false", "-p:OutDir=in-process/");
            Assert.AreEqual(0, inProcess.ExitCode, inProcess.ToString());
            CollectionAssert.AreEqual(File.ReadAllBytes(workspace.File("app/in-process/app.exe")), File.ReadAllBytes(workspace.File("app/bin/Release/app.exe")), "the DTLTO image is in-process ThinLTO's, byte for byte");
        }
    }
}
