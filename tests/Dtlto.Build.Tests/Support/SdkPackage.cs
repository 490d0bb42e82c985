using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// The real Dtlto.Build.Sdk package, packed once per test run with `dotnet pack` into a local
/// feed under a version of its own, and a package cache of the run's own, so every test consumes
/// exactly what this source tree builds, the way a user does.
/// </summary>
public static class SdkPackage
{
    private static readonly Lazy<(string Feed, string Version, string Cache)> Packed = new(Pack);

    public static string Feed => Packed.Value.Feed;

    public static string Version => Packed.Value.Version;

    /// <summary>The NUGET_PACKAGES folder every build of the run uses.</summary>
    public static string PackageCache => Packed.Value.Cache;

    /// <summary>Environment for `dotnet` child processes: our package cache, and nothing of the test host's MSBuild.</summary>
    public static IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>(WithoutHostMSBuild)
    {
        ["NUGET_PACKAGES"] = PackageCache,
        ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
    };

    /// <summary>Environment for a `dotnet` command of the repository: nothing of the test host's MSBuild.</summary>
    public static IReadOnlyDictionary<string, string?> WithoutHostMSBuild => new Dictionary<string, string?> { ["MSBuildExtensionsPath"] = null, ["MSBuildSDKsPath"] = null, ["MSBUILD_EXE_PATH"] = null };

    private static (string, string, string) Pack()
    {
        string root = Path.Combine(Path.GetTempPath(), "dtlto-tests", "sdk-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        string feed = Path.Combine(root, "feed");
        string cache = Path.Combine(root, "packages");
        string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        CommandResult pack = Command.Run(
            RepositoryPaths.Root,
            "dotnet",
            new[] { "pack", "nuget/Dtlto.Build.Sdk.csproj", "-c", "Release", "-o", feed, "-p:Version=" + version, "-nodeReuse:false", "-v:q" },
            TimeSpan.FromMinutes(5),
            WithoutHostMSBuild);
        if (pack.ExitCode != 0 || !Directory.EnumerateFiles(feed, "*.nupkg").Any())
            Assert.Fail("dotnet pack of the SDK failed: " + pack);
        return (feed, version, cache);
    }
}
