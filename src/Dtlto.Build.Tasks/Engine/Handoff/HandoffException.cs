using System;

namespace Dtlto.Build.Engine.Handoff;

/// <summary>The build and the distributor could not complete their handoff.</summary>
public sealed class HandoffException : Exception
{
    public HandoffException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
