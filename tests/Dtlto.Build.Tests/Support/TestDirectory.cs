using System;
using System.IO;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// A fresh directory for one test, removed when the test is done. Its <c>user-cache</c> folder
/// becomes XDG_CACHE_HOME of the test process and every program the test starts (the tests run
/// one at a time), so that no test is served results another test put in the backend cache.
/// </summary>
public sealed class TestDirectory : IDisposable
{
    private readonly bool _owned = true;

    /// <summary>Wraps an existing folder without taking charge of removing it.</summary>
    public TestDirectory(string existingPath, bool adopt)
    {
        Path = existingPath;
        _owned = !adopt;
    }

    public TestDirectory(string? nameSuffix = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dtlto-tests", Guid.NewGuid().ToString("N").Substring(0, 12) + (nameSuffix ?? ""));
        Directory.CreateDirectory(Path);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", File("user-cache"));
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string text)
    {
        string full = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        if (!_owned)
            return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
