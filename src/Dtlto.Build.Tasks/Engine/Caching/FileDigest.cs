namespace Dtlto.Build.Engine.Caching;

/// <summary>A file's SHA-256 (lower-case hex, as the Remote Execution API writes it) and its size in bytes.</summary>
public readonly record struct FileDigest(string Hash, long Size);
