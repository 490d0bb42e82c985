using System;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// TagLib 1.13's source tree from Debian's source package, fetched by the sample's own script
/// once into artifacts/sources and shared, read-only, by every test of the run.
/// </summary>
public static class TaglibSource
{
    private static readonly Lazy<string> Fetched = new(Fetch);

    /// <summary>The source tree's folder, ending in a separator.</summary>
    public static string Directory => Fetched.Value;

    /// <summary>The sample's own folder: its props file, config headers and two projects.</summary>
    public static string Sample => Path.Combine(RepositoryPaths.Root, "samples", "taglib");

    private static string Fetch()
    {
        string destination = Path.Combine(RepositoryPaths.Root, "artifacts", "sources", "taglib");
        CommandResult fetch = Command.Run(RepositoryPaths.Root, "bash", new[] { Path.Combine(Sample, "fetch-source.sh"), destination }, TimeSpan.FromMinutes(5));
        if (fetch.ExitCode != 0 || !File.Exists(Path.Combine(destination, "taglib", "toolkit", "tstring.cpp")))
            Assert.Fail("samples/taglib/fetch-source.sh could not fetch TagLib from Debian's source packages: " + fetch);
        return destination + Path.DirectorySeparatorChar;
    }
}
