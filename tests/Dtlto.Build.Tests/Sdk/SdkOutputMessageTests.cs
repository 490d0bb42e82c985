using System.Linq;
using Dtlto.Build.Tests.Support;
using Dtlto.Build.Tests.VisualCpp;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// A build says what it made, as every .NET project does: "name -> path" at high importance after
/// the link, which the console logger prints and the terminal logger shows as "name succeeded →
/// path", for programs, shared and static libraries, and .vcxproj links through the hook.
/// </summary>
[TestClass]
public sealed class SdkOutputMessageTests
{
    [TestMethod]
    public void EachProjectNamesItsOutputToTheConsoleAndTheTerminalLogger()
    {
        using var workspace = new NativeWorkspace();
        SamplePrograms.WriteShapesLibrary(workspace);
        workspace.Write("plugin/plugin.cpp", "extern \"C\" int plugin_answer() { return 42; }\n");
        workspace.WriteProject("plugin/plugin.clangproj", """
              <PropertyGroup><ConfigurationType>DynamicLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="plugin.cpp" /></ItemGroup>
            """);
        workspace.Write("app/main.cpp", "int square_area(int);\nextern \"C\" int plugin_answer();\nint main() { return square_area(5) + plugin_answer() == 67 ? 0 : 1; }\n");
        string app = workspace.WriteProject("app/app.clangproj", """
              <ItemGroup><ClCompile Include="main.cpp" /></ItemGroup>
              <ItemGroup><ProjectReference Include="../lib/shapes.clangproj" /><ProjectReference Include="../plugin/plugin.clangproj" /></ItemGroup>
            """);

        CommandResult console = workspace.Build(app, "-c", "Release");
        CommandResult terminal = Command.Run(workspace.Path, "dotnet", new[] { "build", app, "-c", "Release", "-tl:on", "-nodeReuse:false", "-nologo" }, System.TimeSpan.FromMinutes(5), SdkPackage.Environment);

        Assert.AreEqual(0, console.ExitCode, console.ToString());
        StringAssert.Contains(console.StandardOutput, "app -> " + workspace.File("app/bin/Release/app"));
        StringAssert.Contains(console.StandardOutput, "shapes -> " + workspace.File("lib/bin/Release/shapes.a"));
        StringAssert.Contains(console.StandardOutput, "plugin -> " + workspace.File("plugin/bin/Release/plugin.so"));
        Assert.AreEqual(0, terminal.ExitCode, terminal.ToString());
        string shown = System.Text.RegularExpressions.Regex.Replace(terminal.StandardOutput, @"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "");
        StringAssert.Matches(shown, new System.Text.RegularExpressions.Regex(@"app succeeded.*→ .*app/bin/Release/app"), shown);
    }

    [TestMethod]
    public void AtDefaultVerbosityEachDtltoLinkSaysHowItLinkedAndWhereItsResultsCameFrom()
    {
        using var workspace = new NativeWorkspace();
        string app = SamplePrograms.WriteApp(workspace);
        string cache = workspace.File("user-cache/dtlto");
        CommandResult Build(params string[] more) => DiagnosticPlaces.NoneInThePackage(Command.Run(workspace.Path, "dotnet",
            new[] { "build", app, "-c", "Release", "-nodeReuse:false", "-nologo" }.Concat(more), System.TimeSpan.FromMinutes(5), SdkPackage.Environment));

        CommandResult cold = Build();
        CommandResult rebuilt = Build("-t:Rebuild");

        Assert.AreEqual(0, cold.ExitCode, cold.ToString());
        Assert.AreEqual(0, rebuilt.ExitCode, rebuilt.ToString());
        var line = new System.Text.RegularExpressions.Regex(@"^\s*app: DTLTO .*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.AreEqual(1, line.Matches(cold.StandardOutput).Count, cold.StandardOutput);
        StringAssert.Matches(cold.StandardOutput, new System.Text.RegularExpressions.Regex(@"app: DTLTO Integrated, (\d+) backend jobs, \1 compiled here, \d+\.\d\d s"));
        StringAssert.Matches(rebuilt.StandardOutput, new System.Text.RegularExpressions.Regex(@"app: DTLTO Integrated, (\d+) backend jobs, \1 from the local cache \(" + System.Text.RegularExpressions.Regex.Escape(cache) + @"\), \d+\.\d\d s"));
        StringAssert.Contains(rebuilt.StandardOutput, "app -> " + workspace.File("app/bin/Release/app"));
    }

    [TestMethod]
    public void AVcxprojLinkedThroughTheHookNamesItsImage()
    {
        using var workspace = new NativeWorkspace();
        string project = VcxprojTests.WriteVcxproj(workspace);

        CommandResult build = workspace.Build(project, "-c", "Release");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.StandardOutput, "app -> " + workspace.File("app/x64/Release/app.exe"));
    }
}
