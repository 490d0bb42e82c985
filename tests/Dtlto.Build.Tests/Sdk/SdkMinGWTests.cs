using System.IO;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// TargetTriple x86_64-w64-windows-gnu: MinGW-w64 programs, cross-compiled here with clang and
/// linked by ld.lld's MinGW driver, whose DTLTO options reach lld-link through --Xlink. A C++
/// program with global constructors and a DLL it imports through its import library (name.dll.a)
/// runs under Wine and is, byte for byte, what in-process ThinLTO links from the same objects.
/// </summary>
[TestClass]
public sealed class SdkMinGWTests
{
    private const string Expected = "constructed before main; 6*7=42; plugin says 40\n";

    private const string MinGW = """
          <PropertyGroup><TargetTriple>x86_64-w64-windows-gnu</TargetTriple></PropertyGroup>
          <ItemDefinitionGroup><Link><AdditionalOptions>-static -Wl,--no-insert-timestamp</AdditionalOptions></Link></ItemDefinitionGroup>
        """;

    private static string WritePrograms(NativeWorkspace workspace)
    {
        workspace.Write("plugin/plugin.cpp", "extern \"C\" __declspec(dllexport) int plugin_answer() { return 40; }\n");
        workspace.WriteProject("plugin/plugin.clangproj", MinGW + """
              <PropertyGroup><ConfigurationType>DynamicLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="plugin.cpp" /></ItemGroup>
            """);
        workspace.Write("app/greeting.cpp", """
            #include <string>
            std::string greeting = "constructed before main";
            """);
        workspace.Write("app/main.cpp", """
            #include <cstdio>
            #include <string>
            extern std::string greeting;
            extern "C" __declspec(dllimport) int plugin_answer();
            int multiply(int a, int b);
            int main() { std::printf("%s; 6*7=%d; plugin says %d\n", greeting.c_str(), multiply(6, 7), plugin_answer()); return 0; }
            """);
        workspace.Write("app/multiply.cpp", "int multiply(int a, int b) { return a * b; }\n");
        return workspace.WriteProject("app/app.clangproj", MinGW + """
              <ItemGroup><ClCompile Include="main.cpp" /><ClCompile Include="greeting.cpp" /><ClCompile Include="multiply.cpp" /></ItemGroup>
              <ItemGroup><ProjectReference Include="../plugin/plugin.clangproj" /></ItemGroup>
            """);
    }

    [TestMethod]
    public void AMinGWProgramAndItsDllLinkThroughDtltoAndRunUnderWine()
    {
        using var workspace = new NativeWorkspace();
        string app = WritePrograms(workspace);

        CommandResult build = workspace.Build(app, "-c", "Release");
        CommandResult inProcess = workspace.Build(app, "-c", "Release", "-p:DtltoEnabled=false", "-p:OutDir=in-process/");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "DTLTO link mode: Integrated");
        StringAssert.Contains(build.StandardOutput, "app.exe: 3 backend compiles", "lld handed the backend compiles over");
        Assert.IsTrue(File.Exists(workspace.File("plugin/bin/Release/plugin.dll.a")), "the DLL's import library");
        Assert.IsTrue(File.Exists(workspace.File("app/bin/Release/plugin.dll")), "the DLL is copied beside the program");
        CommandResult run = Wine.Run(workspace.File("app/bin/Release"), workspace.File("app/bin/Release/app.exe"));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual(Expected, run.StandardOutput.Replace("\r\n", "\n"));
        Assert.AreEqual(0, inProcess.ExitCode, inProcess.ToString());
        CollectionAssert.AreEqual(File.ReadAllBytes(workspace.File("app/in-process/app.exe")), File.ReadAllBytes(workspace.File("app/bin/Release/app.exe")), "the program is in-process ThinLTO's, byte for byte");
        CollectionAssert.AreEqual(File.ReadAllBytes(workspace.File("plugin/in-process/plugin.dll")), File.ReadAllBytes(workspace.File("plugin/bin/Release/plugin.dll")), "so is the DLL");
    }

    [TestMethod]
    public void SplitModeSaysItCannotLinkMinGW()
    {
        using var workspace = new NativeWorkspace();
        string app = WritePrograms(workspace);

        CommandResult build = workspace.Build(app, "-c", "Release", "-p:DtltoMode=Split");

        Assert.AreNotEqual(0, build.ExitCode);
        StringAssert.Contains(build.StandardOutput, "error DTLTO1007: x86_64-w64-windows-gnu links through ld.lld's MinGW driver, which split mode cannot drive");
    }
}
