using System;

namespace Dtlto.Build.Engine.Bitcode;

/// <summary>Data that is not a well-formed LLVM bitstream.</summary>
public sealed class BitcodeFormatException : Exception
{
    public BitcodeFormatException(string message)
        : base(message)
    {
    }
}
