namespace Dtlto.Build.Engine.Caching;

/// <summary>What a look-up in the backend cache found.</summary>
public enum CacheLookup
{
    Miss,
    Hit,

    /// <summary>An entry whose content did not match its digests: it was removed and nothing of it used.</summary>
    Damaged,
}
