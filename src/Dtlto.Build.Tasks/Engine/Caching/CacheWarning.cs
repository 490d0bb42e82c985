namespace Dtlto.Build.Engine.Caching;

/// <summary>What a warning of the backend cache is about, so that each kind has a code of its own where the build gives codes.</summary>
public enum CacheWarningKind
{
    /// <summary>The cache's folder cannot be written (a full disk, a read-only folder): this link stores nothing.</summary>
    NotWritable,

    /// <summary>An entry was damaged: it was discarded and its module compiles again.</summary>
    DamagedEntry,

    /// <summary>The folder or an entry can be changed by other users: such entries are not used.</summary>
    Untrusted,

    /// <summary>The link's compiles write files a cache cannot bring back: they are not cached.</summary>
    NotCacheable,
}

/// <summary>One warning of the backend cache: its kind and the words for the user.</summary>
public readonly record struct CacheWarning(CacheWarningKind Kind, string Message)
{
    public override string ToString() => Message;
}
