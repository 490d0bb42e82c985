using System;
using System.IO;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Tracing;

namespace Dtlto.Build.Distributor;

/// <summary>
/// Prints what the user must see: every failure with its command line and the compiler's own
/// diagnostics, and warnings of jobs that succeeded, each under the module it belongs to.
/// Output of concurrent jobs is never interleaved.
/// </summary>
public sealed class ConsoleReporter : IBackendCompileObserver
{
    private const string Prefix = "dtlto-distributor: ";
    private readonly TextWriter _writer;
    private readonly bool _verbose;
    private readonly object _lock = new();

    public ConsoleReporter(TextWriter writer, bool verbose)
    {
        _writer = writer;
        _verbose = verbose;
    }

    public void JobStarted(int worker, BackendJob job)
    {
    }

    public void JobFinished(int worker, JobResult result)
    {
        lock (_lock)
        {
            switch (result.Status)
            {
                case JobStatus.Failed:
                    _writer.WriteLine($"{Prefix}error: backend compile of '{result.Job.ModuleName}' failed: {result.Failure}");
                    if (result.Command.Count > 0)
                        _writer.WriteLine($"{Prefix}command: {CommandLineText.Format(result.Command)}");
                    WriteOutput(result.Output);
                    break;
                case JobStatus.Succeeded when result.Output.Length > 0:
                    _writer.WriteLine($"{Prefix}backend compile of '{result.Job.ModuleName}':");
                    WriteOutput(result.Output);
                    break;
                case JobStatus.Succeeded when _verbose && result.FromCache:
                    _writer.WriteLine($"{Prefix}'{result.Job.ModuleName}' from the cache in {result.Elapsed.TotalSeconds:0.000} s (worker {worker})");
                    break;
                case JobStatus.Succeeded when _verbose:
                    _writer.WriteLine($"{Prefix}compiled '{result.Job.ModuleName}' in {result.Elapsed.TotalSeconds:0.000} s (worker {worker})");
                    break;
            }

            _writer.Flush();
        }
    }

    /// <summary>The one line at the end of a link (after a failure too); nothing for an empty list.</summary>
    public void Summarize(BackendCompileResult result, string summary)
    {
        if (result.Jobs.Count == 0)
            return;
        lock (_lock)
        {
            _writer.WriteLine(Prefix + summary);
            _writer.Flush();
        }
    }

    private void WriteOutput(string output)
    {
        if (output.Length == 0)
            return;
        _writer.Write(output.EndsWith("\n", StringComparison.Ordinal) ? output : output + "\n");
    }
}
