using System;
using System.IO;

namespace Dtlto.Build.Tests.Support;

public static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding Dtlto.Build.sln above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dtlto.Build.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Dtlto.Build.sln not found above " + AppContext.BaseDirectory);
    }
}
