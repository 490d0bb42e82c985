using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Docs;

/// <summary>
/// The README's "Use it in your project" on a fresh clone, command by command as written: pack
/// with nothing restored, `dotnet pack` at the root, the tool install, a first project through
/// nuget.config and global.json, and the distributor and CMake lines. The clone is of the
/// repository's last commit; HOME and the package folder are the test's own, as on a new machine.
/// </summary>
[TestClass]
public sealed class DocumentedCommandsTests
{
    private static string ReadmeBlock(string startsWith)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        int at = readme.IndexOf(startsWith, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, at, "the README still shows: " + startsWith);
        return readme.Substring(at, readme.IndexOf('\n', at) - at).Split("   #")[0].Trim();
    }

    [TestMethod]
    public void TheReadmesCommandsWorkOnAFreshCloneAsWritten()
    {
        using var dir = new TestDirectory();
        string clone = dir.File("clone");
        CommandResult cloned = Command.Run(dir.Path, "git", "clone", "--quiet", RepositoryPaths.Root, clone);
        Assert.AreEqual(0, cloned.ExitCode, cloned.ToString());
        // Packing restores through this machine's package folder (a clean one would download
        // every dependency again); what a user does with the packages runs as a new user: HOME,
        // where --global installs tools, and a package folder of its own.
        var packing = new Dictionary<string, string?>(SdkPackage.WithoutHostMSBuild) { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        string home = Directory.CreateDirectory(dir.File("home")).FullName;
        var user = new Dictionary<string, string?>(packing)
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = dir.File("nuget-packages"),
            ["PATH"] = Path.Combine(home, ".dotnet", "tools") + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        CommandResult Shell(string workingDirectory, string command, IReadOnlyDictionary<string, string?>? environment = null) =>
            Command.Run(workingDirectory, "/bin/bash", new[] { "-c", command }, TimeSpan.FromMinutes(10), environment ?? user);

        string pack = ReadmeBlock("dotnet pack nuget/Dtlto.Build.Sdk.csproj");
        CommandResult packed = Shell(clone, pack, packing);
        Assert.AreEqual(0, packed.ExitCode, pack + " on a fresh clone: " + packed);
        CollectionAssert.IsSubsetOf(new[] { "Dtlto.Build.Sdk.0.1.0.nupkg", "Dtlto.Distributor.0.1.0.nupkg" },
            Directory.GetFiles(Path.Combine(clone, "artifacts", "packages")).Select(Path.GetFileName).ToArray());

        CommandResult atRoot = Shell(clone, "dotnet pack -c Release", packing);
        Assert.AreEqual(0, atRoot.ExitCode, "dotnet pack at the root: " + atRoot);
        CommandResult again = Shell(clone, pack, packing);
        Assert.AreEqual(0, again.ExitCode, pack + " after dotnet pack at the root: " + again);

        string install = ReadmeBlock("dotnet tool install --global Dtlto.Distributor");
        CommandResult installed = Shell(clone, install);
        Assert.AreEqual(0, installed.ExitCode, install + ": " + installed);
        Assert.IsTrue(File.Exists(Path.Combine(home, ".dotnet", "tools", "dtlto-distributor")));

        // The first project, in a folder of its own beside the clone, with the README's files.
        string project = Directory.CreateDirectory(dir.File("first")).FullName;
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="dtlto" value="{Path.Combine(clone, "artifacts", "packages")}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "global.json"), """{ "msbuild-sdks": { "Dtlto.Build.Sdk": "0.1.0" } }""");
        File.WriteAllText(Path.Combine(project, "first.clangproj"), "<Project Sdk=\"Dtlto.Build.Sdk\">\n  <ItemGroup>\n    <ClCompile Include=\"main.cpp\" />\n    <ClCompile Include=\"util.c\" />\n  </ItemGroup>\n</Project>\n");
        File.WriteAllText(Path.Combine(project, "main.cpp"), "#include <cstdio>\nextern \"C\" int twice(int);\nint main() { std::printf(\"%d\\n\", twice(21)); }\n");
        File.WriteAllText(Path.Combine(project, "util.c"), "int twice(int x) { return 2 * x; }\n");
        StringAssert.Contains(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")), "<Project Sdk=\"Dtlto.Build.Sdk\">\n     <ItemGroup>\n       <ClCompile Include=\"main.cpp\" />\n       <ClCompile Include=\"util.c\" />", "the README's project is the one built here");
        CommandResult built = Shell(project, "dotnet build -c Release -nodeReuse:false");
        Assert.AreEqual(0, built.ExitCode, built.ToString());
        StringAssert.Contains(built.StandardOutput, "first -> " + Path.Combine(project, "bin", "Release", "first"), "the build names what it made");
        Assert.AreEqual("42\n", Command.Run(project, Path.Combine(project, "bin", "Release", "first")).StandardOutput);

        // The distributor line, with the installed tool, on objects of the same sources.
        string link = ReadmeBlock("clang-22 -flto=thin -O2 -fuse-ld=lld -fthinlto-distributor=");
        string objects = Directory.CreateDirectory(dir.File("objects")).FullName;
        File.Copy(Path.Combine(project, "util.c"), Path.Combine(objects, "util.c"));
        File.WriteAllText(Path.Combine(objects, "main.c"), "int twice(int); int main(void) { return twice(21) - 42; }\n");
        string compile = ReadmeBlock("clang-22 -flto=thin -O2 -c main.c util.c");
        Assert.AreEqual(0, Shell(objects, compile).ExitCode, compile);
        CommandResult linked = Shell(objects, link);
        Assert.AreEqual(0, linked.ExitCode, link + ": " + linked);
        StringAssert.Contains(linked.StandardError, "dtlto-distributor: 2 backend jobs");
        Assert.AreEqual(0, Command.Run(objects, Path.Combine(objects, "app")).ExitCode);

        // The CMake line, with the installed tool's module.
        string cmake = ReadmeBlock("CC=clang-22 CXX=clang++-22 cmake -S . -B build -G Ninja").TrimEnd('\\').Trim() + " " + ReadmeBlock("-DCMAKE_PROJECT_INCLUDE=\"$(dtlto-distributor --cmake-module)\"");
        string source = Directory.CreateDirectory(dir.File("cmake")).FullName;
        File.WriteAllText(Path.Combine(source, "CMakeLists.txt"), "cmake_minimum_required(VERSION 3.20)\nproject(first C CXX)\nadd_executable(first main.cpp util.c)\n");
        File.Copy(Path.Combine(project, "main.cpp"), Path.Combine(source, "main.cpp"));
        File.Copy(Path.Combine(project, "util.c"), Path.Combine(source, "util.c"));
        CommandResult configured = Shell(source, cmake);
        Assert.AreEqual(0, configured.ExitCode, cmake + ": " + configured);
        Assert.IsFalse(configured.All.Contains("not used by the project"), "no setting the project does not use: " + configured);
        CommandResult cmakeBuild = Shell(source, "cmake --build build");
        Assert.AreEqual(0, cmakeBuild.ExitCode, cmakeBuild.ToString());
        Assert.AreEqual("42\n", Command.Run(source, Path.Combine(source, "build", "first")).StandardOutput);
    }
}
