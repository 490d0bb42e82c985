using System;

namespace Dtlto.Build.Engine.Processes;

/// <summary>A program could not be started at all (missing, not executable).</summary>
public sealed class ChildProcessStartException : Exception
{
    public ChildProcessStartException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
