using System;
using System.IO;

namespace Dtlto.Build.Engine.Caching;

/// <summary>The per-user folder Dtlto.Build keeps what outlives a build in: $XDG_CACHE_HOME/dtlto (else ~/.cache/dtlto) on Linux and macOS, %LOCALAPPDATA%\dtlto on Windows.</summary>
public static class UserCacheFolder
{
    public static string Default
    {
        get
        {
            if (Path.DirectorySeparatorChar == '\\')
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "dtlto");
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg!, "dtlto");
        }
    }
}
