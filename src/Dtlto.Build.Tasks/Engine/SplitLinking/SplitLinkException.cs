using System;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>A split-mode link cannot go on: its inputs or lld's index files are not what it needs.</summary>
public sealed class SplitLinkException : Exception
{
    public SplitLinkException(string message)
        : base(message)
    {
    }
}
