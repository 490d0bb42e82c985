using System;

namespace Dtlto.Build.Engine.Remote;

/// <summary>The farm could not do its part (unreachable, refused, or failed an action for reasons of its own).</summary>
public sealed class RemoteExecutionException : Exception
{
    public RemoteExecutionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
