using System;

namespace Dtlto.Build.Engine.Caching;

/// <summary>The backend cache as a build or a command line asks for it (DtltoCache, DtltoCacheDirectory, DtltoCacheMaxSize; --no-cache, --cache-dir, --cache-max-size).</summary>
public sealed class CacheConfiguration
{
    public bool Enabled { get; set; } = true;

    /// <summary>The cache's folder; empty for the per-user one (<see cref="UserCacheFolder"/>).</summary>
    public string? Folder { get; set; }

    /// <summary>The largest the cache may grow, as <see cref="CacheSize"/> reads it; empty for <see cref="BackendCache.DefaultMaxSize"/>.</summary>
    public string? MaxSize { get; set; }

    /// <summary>The cache asked for, null when it is off; throws <see cref="FormatException"/> for a size that is not one.</summary>
    public BackendCache? Open()
    {
        long maxSize = string.IsNullOrWhiteSpace(MaxSize) ? BackendCache.DefaultMaxSize : CacheSize.Parse(MaxSize!);
        if (!Enabled)
            return null;
        var cache = new BackendCache(string.IsNullOrWhiteSpace(Folder) ? UserCacheFolder.Default : Folder!, maxSize);
        // File digests are kept in the per-user folder, so unchanged bitcode and compilers are not hashed again.
        FileDigests.UseStore(UserCacheFolder.Default);
        return cache;
    }
}
