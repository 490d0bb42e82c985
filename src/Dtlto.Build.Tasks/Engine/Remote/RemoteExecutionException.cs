using System;

namespace Dtlto.Build.Engine.Remote;

/// <summary>The farm could not do its part (unreachable, refused, or failed an action for reasons of its own).</summary>
public class RemoteExecutionException : Exception
{
    public RemoteExecutionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The connection's security is misconfigured (the server's certificate, the client's): the link fails, strict or not, and nothing is tried without it.</summary>
public sealed class RemoteTlsException : RemoteExecutionException
{
    public RemoteTlsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
