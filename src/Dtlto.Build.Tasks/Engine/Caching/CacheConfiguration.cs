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

    /// <summary>The cache is a team's: every user who can write to it is trusted (DtltoCacheShared, --cache-shared).</summary>
    public bool Shared { get; set; }

    /// <summary>The cache asked for, null when it is off; throws <see cref="FormatException"/> for a size that is not one.</summary>
    /// <param name="digests">The link's file digests; null for new ones kept in the cache's folder (<see cref="Digests"/>).</param>
    public BackendCache? Open(FileHasher? digests = null)
    {
        long maxSize = string.IsNullOrWhiteSpace(MaxSize) ? BackendCache.DefaultMaxSize : CacheSize.Parse(MaxSize!);
        return Enabled ? new BackendCache(DigestFolder, maxSize, Shared, digests ?? Digests()) : null;
    }

    /// <summary>
    /// File digests for one link, kept in the cache folder (with the cache off too, for a farm's
    /// actions), so that unchanged bitcode and compilers are not hashed again by the next link.
    /// </summary>
    public FileHasher Digests() => FileHasher.KeepingIn(DigestFolder);

    /// <summary>The folder of the cache asked for, where file digests are kept too (with the cache off as well).</summary>
    public string DigestFolder => string.IsNullOrWhiteSpace(Folder) ? UserCacheFolder.Default : Folder!;
}
