namespace Dtlto.Build.Engine.Diagnostics;

public enum DiagnosticSeverity
{
    Error,
    Warning,
    Note,
}

/// <summary>One diagnostic line of clang or lld, with its place in the source when it has one.</summary>
public sealed class CompilerDiagnostic
{
    public CompilerDiagnostic(DiagnosticSeverity severity, string message, string? file, int line, int column)
    {
        Severity = severity;
        Message = message;
        File = file;
        Line = line;
        Column = column;
    }

    public DiagnosticSeverity Severity { get; }

    public string Message { get; }

    /// <summary>The source file, or null for a diagnostic with no place (e.g. <c>ld.lld: error: ...</c>).</summary>
    public string? File { get; }

    public int Line { get; }

    public int Column { get; }
}
