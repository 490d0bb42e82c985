using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.VisualStudio;

/// <summary>
/// The assemblies the package's tools/net472 tasks bring, against the binding redirects of
/// Visual Studio 2022's MSBuild.exe (src/MSBuild/app.config of dotnet/msbuild): the shared
/// low-level assemblies must not be newer than what MSBuild.exe 17.8, the oldest it supports,
/// redirects them to, or a second copy is loaded beside MSBuild's and its types are not the ones
/// System.Text.Json takes (docs/visual-studio.md).
/// </summary>
[TestClass]
public sealed class TaskDependencyTests
{
    /// <summary>MSBuild.exe 17.8's redirects: every version up to this one binds to this one.</summary>
    private static readonly Dictionary<string, Version> MSBuild178Redirects = new()
    {
        ["System.Memory"] = new Version(4, 0, 1, 2),
        ["System.Buffers"] = new Version(4, 0, 3, 0),
        ["System.Numerics.Vectors"] = new Version(4, 1, 4, 0),
        ["System.Runtime.CompilerServices.Unsafe"] = new Version(6, 0, 0, 0),
        ["System.Threading.Tasks.Extensions"] = new Version(4, 2, 0, 1),
    };

    [TestMethod]
    public void TheSharedAssembliesOfTheNet472TasksAreOnesVisualStudiosMSBuildCarries()
    {
        string nupkg = Directory.GetFiles(SdkPackage.Feed, "Dtlto.Build.Sdk.*.nupkg").Single();
        using var dir = new TestDirectory();
        using (ZipArchive archive = ZipFile.OpenRead(nupkg))
        {
            foreach (ZipArchiveEntry entry in archive.Entries.Where(e => e.FullName.StartsWith("tools/net472/", StringComparison.Ordinal) && e.Name.EndsWith(".dll", StringComparison.Ordinal)))
                entry.ExtractToFile(Path.Combine(dir.Path, entry.Name));
        }

        var shipped = Directory.GetFiles(dir.Path, "*.dll").Select(AssemblyName.GetAssemblyName).ToDictionary(a => a.Name!, a => a.Version!);
        Assert.IsTrue(shipped.ContainsKey("System.Text.Json"), "the tasks bring their System.Text.Json: " + string.Join(", ", shipped.Keys));
        Assert.IsFalse(shipped.Keys.Any(name => name.StartsWith("Microsoft.Build", StringComparison.Ordinal)), "MSBuild's own assemblies are never shipped");
        foreach ((string name, Version redirected) in MSBuild178Redirects)
        {
            if (shipped.TryGetValue(name, out Version? version))
                Assert.IsLessThanOrEqualTo(redirected, version, $"{name} {version} is at most the {redirected} that MSBuild.exe 17.8 binds every older version to");
        }
    }
}
