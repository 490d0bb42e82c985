using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// The .NET Framework MSBuild engine that Visual Studio runs our tools/net472 tasks in: the real
/// MSBuild 17.7.2 assemblies, hosted by tests/Dtlto.Build.FrameworkMSBuild (built once per run)
/// and run by Mono. The SDK is found as Visual Studio finds it: NuGet's SDK resolver extracts
/// the package named in global.json into the package folder, and MSBuild imports it from there
/// (here through MSBuildSDKsPath, since the host has no NuGet resolver of its own). Without
/// Mono the tests are skipped with that reason; .ci/run installs it.
/// </summary>
public static class FrameworkMSBuild
{
    private static readonly Lazy<string> Host = new(BuildHost);

    /// <summary>Skips the calling test, saying why, where Mono is not installed.</summary>
    public static void RequireMono()
    {
        if (!File.Exists("/usr/bin/mono"))
            Assert.Inconclusive("Mono is not installed (apt-get install mono-complete; bash eng/install-prerequisites.sh does): the .NET Framework MSBuild tests need it");
    }

    /// <summary>The folder MSBuild.exe and the engine's assemblies are in.</summary>
    public static string HostFolder => Path.GetDirectoryName(Host.Value)!;

    /// <summary>Runs MSBuild.exe on <paramref name="project"/> of <paramref name="workspace"/> at normal verbosity.</summary>
    public static CommandResult Build(NativeWorkspace workspace, string project, params string[] arguments) =>
        DiagnosticPlaces.NoneInThePackage(Command.Run(workspace.Path, "mono", Arguments(project, arguments), TimeSpan.FromMinutes(5), Environment(workspace)));

    /// <summary>The arguments of `mono` for a build, for a test that runs it in the background.</summary>
    public static IEnumerable<string> Arguments(string project, params string[] arguments) =>
        new[] { Host.Value, project, "-v:n" }.Concat(arguments);

    /// <summary>
    /// The environment of a build: the run's package folder, the SDK as NuGet extracted it, and
    /// nothing of the test host's own MSBuild.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Environment(NativeWorkspace workspace) =>
        new Dictionary<string, string?>(SdkPackage.Environment) { ["MSBuildSDKsPath"] = SdksFolder(workspace) };

    /// <summary>A folder whose Dtlto.Build.Sdk is the package of the workspace's global.json, extracted by NuGet.</summary>
    private static string SdksFolder(NativeWorkspace workspace)
    {
        string folder = Path.Combine(workspace.Path, "msbuild-sdks");
        Directory.CreateDirectory(folder);
        string link = Path.Combine(folder, "Dtlto.Build.Sdk");
        if (!Directory.Exists(link))
            Directory.CreateSymbolicLink(link, PackageFolder(workspace));
        return folder;
    }

    /// <summary>The package of the workspace's global.json as NuGet's SDK resolver extracted it.</summary>
    public static string PackageFolder(NativeWorkspace workspace)
    {
        string package = Path.Combine(SdkPackage.PackageCache, "dtlto.build.sdk", SdkPackage.Version.ToLowerInvariant());
        if (!File.Exists(Path.Combine(package, "Sdk", "Sdk.props")))
        {
            // An evaluation through `dotnet` runs NuGet's SDK resolver, which restores the package.
            string probe = workspace.WriteProject("sdk-restore/probe.proj", "");
            CommandResult restore = workspace.Dotnet("msbuild", probe, "-getProperty:MSBuildRuntimeType");
            Assert.AreEqual(0, restore.ExitCode, "NuGet's SDK resolver restored the package: " + restore);
        }

        return package;
    }

    private static string BuildHost()
    {
        string output = Path.Combine(Path.GetTempPath(), "dtlto-tests", "framework-msbuild-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        CommandResult build = Command.Run(
            RepositoryPaths.Root,
            "dotnet",
            new[] { "build", "tests/Dtlto.Build.FrameworkMSBuild/Dtlto.Build.FrameworkMSBuild.csproj", "-c", "Release", "-o", output, "-nodeReuse:false", "-v:q", "-nologo" },
            TimeSpan.FromMinutes(5),
            SdkPackage.WithoutHostMSBuild);
        string host = Path.Combine(output, "MSBuild.exe");
        if (build.ExitCode != 0 || !File.Exists(host))
            Assert.Fail("building the .NET Framework MSBuild host failed: " + build);
        return host;
    }
}
