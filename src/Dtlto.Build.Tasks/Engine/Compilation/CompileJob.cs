using System.Collections.Generic;

namespace Dtlto.Build.Engine.Compilation;

/// <summary>One source file compiled to one object with one exact command.</summary>
public sealed class CompileJob
{
    public CompileJob(string source, string objectFile, IReadOnlyList<string> command, string workingDirectory)
    {
        Source = source;
        ObjectFile = objectFile;
        Command = command;
        WorkingDirectory = workingDirectory;
    }

    public string Source { get; }

    public string ObjectFile { get; }

    /// <summary>The compiler's argument vector, compiler first; it writes <see cref="DependencyFilePath"/> too.</summary>
    public IReadOnlyList<string> Command { get; }

    public string WorkingDirectory { get; }

    /// <summary>The headers the last compile read, as clang's <c>-MMD</c> rule.</summary>
    public string DependencyFilePath => ObjectFile + ".d";

    /// <summary>The command the object was last built with; a different command rebuilds it.</summary>
    public string CommandFilePath => ObjectFile + ".cmd";
}
