using System;
using System.Threading;
using Dtlto.Build.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Dtlto.Build.Tasks;

/// <summary>
/// What every Dtlto.Build task shares: cancellation (Ctrl+C in the build cancels the token, and
/// the task kills what it started) and logging of coded diagnostics and tool output.
/// </summary>
public abstract class DtltoTask : Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    protected CancellationToken CancellationToken => _cancellation.Token;

    public void Cancel() => _cancellation.Cancel();

    public sealed override bool Execute()
    {
        try
        {
            return ExecuteCore() && !Log.HasLoggedErrors;
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    protected abstract bool ExecuteCore();

    /// <summary>
    /// Runs work that waits on other processes with the node yielded, so MSBuild can build
    /// other projects meanwhile; completes it synchronously, as Execute must.
    /// </summary>
    protected T WhileYielded<T>(Func<System.Threading.Tasks.Task<T>> work)
    {
        BuildEngine3.Yield();
        try
        {
            return work().GetAwaiter().GetResult();
        }
        finally
        {
            BuildEngine3.Reacquire();
        }
    }

    /// <summary>
    /// The user's project file ($(MSBuildProjectFullPath)): a diagnostic with no file of its own is
    /// placed there, so that an IDE opens the project rather than this package's targets.
    /// </summary>
    public string? ProjectFile { get; set; }

    /// <summary>What the build calls the project, as in its "name -> output" line.</summary>
    protected string ProjectName => string.IsNullOrEmpty(ProjectFile) ? "link" : System.IO.Path.GetFileNameWithoutExtension(ProjectFile);

    /// <summary>The one high-importance line of a DTLTO link: what a build at default verbosity says of it.</summary>
    protected void LogHeadline(string? mode, Engine.Execution.BackendCompileResult result, string? cacheFolder, string? farm) =>
        Log.LogMessage(MessageImportance.High, Engine.Tracing.LinkHeadline.Format(ProjectName, string.IsNullOrEmpty(mode) ? "Integrated" : mode!, result, cacheFolder, farm));

    protected internal void LogError(string code, string message, string? file = null, int line = 0, int column = 0) =>
        Log.LogError(null, code, null, Place(file), line, column, 0, 0, message);

    protected internal void LogWarning(string code, string message, string? file = null) =>
        Log.LogWarning(null, code, null, Place(file), 0, 0, 0, 0, message);

    private string? Place(string? file) => string.IsNullOrEmpty(file) && !string.IsNullOrEmpty(ProjectFile) ? ProjectFile : file;

    /// <summary>
    /// Logs what clang or lld printed: diagnostics with a place become errors and warnings with
    /// file and line (so IDEs and the binlog link to the source), the rest is kept as messages.
    /// Returns the number of errors logged.
    /// </summary>
    /// <param name="directory">The tool's working directory: relative file names in its output are relative to it.</param>
    protected int LogToolOutput(string output, string codeForUnplacedErrors, string? directory = null)
    {
        int errors = 0;
        foreach (string line in CompilerDiagnosticParser.Lines(output))
        {
            CompilerDiagnostic? diagnostic = CompilerDiagnosticParser.Parse(line);
            string? file = diagnostic?.File is string named && directory is not null && !System.IO.Path.IsPathRooted(named)
                ? System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, named))
                : diagnostic?.File;
            switch (diagnostic?.Severity)
            {
                case DiagnosticSeverity.Error:
                    errors++;
                    if (file is null)
                        LogError(codeForUnplacedErrors, diagnostic.Message);
                    else
                        Log.LogError(null, null, null, file, diagnostic.Line, diagnostic.Column, 0, 0, diagnostic.Message);
                    break;
                case DiagnosticSeverity.Warning:
                    Log.LogWarning(null, null, null, Place(file), diagnostic.Line, diagnostic.Column, 0, 0, diagnostic.Message);
                    break;
                default:
                    Log.LogMessage(MessageImportance.Normal, line);
                    break;
            }
        }

        return errors;
    }
}
