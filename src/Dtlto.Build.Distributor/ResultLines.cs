using System.IO;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Distributor;

/// <summary>
/// With --job-results: one line of JSON per finished job, status line, warning and error on
/// standard output, for the build that started this process (a person still reads the warnings
/// and errors on standard error).
/// </summary>
public sealed class ResultLines : IBackendCompileObserver
{
    private readonly TextWriter _writer;
    private readonly object _lock = new();

    public ResultLines(TextWriter writer) => _writer = writer;

    public void JobStarted(int worker, BackendJob job)
    {
    }

    public void JobFinished(int worker, JobResult result) => Write(JobResultLine.Write(result));

    public void Summary(string summary) => Write(JobResultLine.WriteSummary(summary));

    public void Status(string status) => Write(JobResultLine.WriteStatus(status));

    public void Warning(string warning) => Write(JobResultLine.WriteWarning(warning));

    public void Error(string error) => Write(JobResultLine.WriteError(error));

    private void Write(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }
}
