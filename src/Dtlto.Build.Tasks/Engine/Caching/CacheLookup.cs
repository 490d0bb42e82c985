namespace Dtlto.Build.Engine.Caching;

/// <summary>What a look-up in the backend cache found.</summary>
public enum CacheLookup
{
    Miss,
    Hit,

    /// <summary>An entry that could not be trusted (see <see cref="CacheRestore.Damage"/>): it was removed and nothing of it used.</summary>
    Damaged,

    /// <summary>An entry of another user, or one others can change, in a cache not declared shared: left alone and not used.</summary>
    NotTrusted,
}

/// <summary>The outcome of <see cref="BackendCache.Restore"/>.</summary>
public readonly struct CacheRestore
{
    private CacheRestore(CacheLookup lookup, string compilerOutput, string? damage)
    {
        Lookup = lookup;
        CompilerOutput = compilerOutput;
        Damage = damage;
    }

    public CacheLookup Lookup { get; }

    /// <summary>What the compiler printed when it produced the result; empty unless a hit.</summary>
    public string CompilerOutput { get; }

    /// <summary>Why a damaged entry was not used, in words that follow "the cached result ... was damaged"; null otherwise.</summary>
    public string? Damage { get; }

    public static CacheRestore Miss { get; } = new(CacheLookup.Miss, "", null);

    public static CacheRestore NotTrusted { get; } = new(CacheLookup.NotTrusted, "", null);

    public static CacheRestore Hit(string compilerOutput) => new(CacheLookup.Hit, compilerOutput, null);

    public static CacheRestore Damaged(string why) => new(CacheLookup.Damaged, "", why);
}
