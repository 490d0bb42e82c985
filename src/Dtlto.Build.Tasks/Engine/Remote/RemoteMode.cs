namespace Dtlto.Build.Engine.Remote;

/// <summary>What the remote executor asks of the server.</summary>
public enum RemoteMode
{
    /// <summary>Backend compiles run on the farm; results come from and go to its action cache.</summary>
    Execute,

    /// <summary>Backend compiles run on this machine; the server's action cache is read first and filled after.</summary>
    CacheOnly,
}
