using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Handoff;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Linking;

/// <summary>
/// One DTLTO link split into phases that a build can drive separately. lld performs the thin
/// link and runs the distributor, which hands the job list back over a pipe
/// (<see cref="WaitForJobListAsync"/>); the build compiles the jobs its own way; then
/// <see cref="CompleteAsync"/> lets the distributor exit and lld finish the native link.
/// Disposing a session that has not completed kills the link.
/// </summary>
public sealed class ThinLinkSession : IDisposable
{
    private readonly HandoffServer _server;
    private readonly ChildProcess _link;
    private readonly CancellationTokenSource _disposed = new();
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly string _outputPath;
    private readonly HashSet<string> _filesBefore;
    private string? _jobListPath;
    private bool _completed;

    private ThinLinkSession(HandoffServer server, ChildProcess link, string outputPath, HashSet<string> filesBefore)
    {
        _server = server;
        _link = link;
        _outputPath = outputPath;
        _filesBefore = filesBefore;
    }

    /// <summary>
    /// Starts the link. <paramref name="linkCommand"/> receives the pipe name to pass to the
    /// distributor (as <c>--build-pipe=NAME</c>) and returns the linker's argument vector.
    /// </summary>
    public static ThinLinkSession Start(Func<string, IReadOnlyList<string>> linkCommand, string workingDirectory, string outputPath)
    {
        var server = new HandoffServer();
        try
        {
            HashSet<string> filesBefore = LinkTemporaries.FilesBeside(outputPath);
            ChildProcess link = ChildProcess.Start(linkCommand(server.PipeName), workingDirectory);
            return new ThinLinkSession(server, link, outputPath, filesBefore);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>When lld started.</summary>
    public DateTime Started => _started;

    /// <summary>When lld handed its job list over: the thin link's end; null until then.</summary>
    public DateTime? JobListArrived { get; private set; }

    /// <summary>The job list lld handed over, once it has; null until then or if it never did.</summary>
    public JobList? JobList { get; private set; }

    /// <summary>
    /// Waits until lld hands over its job list, or ends without one: a link with no bitcode, or
    /// whose modules all hit lld's cache, never runs the distributor. Returns the job list, or
    /// null together with how the link ended.
    /// </summary>
    public async Task<(JobList? JobList, ProcessResult? FinishedLink)> WaitForJobListAsync(CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        Task<(string JobList, string WorkingDirectory)> handoff = _server.WaitForJobListAsync(either.Token);
        Task first = await Task.WhenAny(handoff, _link.Exited).ConfigureAwait(false);
        if (first != handoff)
        {
            either.Cancel();
            await Ignore(handoff).ConfigureAwait(false);
            return (null, await _link.WaitAsync(cancellationToken).ConfigureAwait(false));
        }

        (string path, string directory) = await handoff.ConfigureAwait(false);
        JobListArrived = DateTime.UtcNow;
        _jobListPath = path;
        JobList = JobListReader.ReadFile(path, directory);
        return (JobList, null);
    }

    /// <summary>
    /// Reports the backend compiles' outcome to the distributor and waits for lld to finish.
    /// Cancelling kills the link.
    /// </summary>
    public async Task<ProcessResult> CompleteAsync(bool backendSucceeded, string message, CancellationToken cancellationToken)
    {
        await _server.SendResultAsync(backendSucceeded, message).ConfigureAwait(false);
        ProcessResult result = await _link.WaitAsync(cancellationToken).ConfigureAwait(false);
        // A failing lld removes its own temporaries, but one killed by a signal cannot; which of
        // the two happened is not told apart reliably through the clang driver, so only a
        // successful link is trusted to have cleaned up.
        _completed = result.ExitCode == 0 && !result.Stopped;
        return result;
    }

    /// <summary>Completes when the linker process ends, for whatever reason.</summary>
    public Task LinkExited => _link.Exited;

    public void Dispose()
    {
        _disposed.Cancel();
        _link.Dispose();
        _server.Dispose();
        _disposed.Dispose();
        // A link that did not run to its end was killed and left lld's temporaries behind.
        if (!_completed)
            LinkTemporaries.DeleteAfterKilledLink(JobList, _jobListPath, _outputPath, _filesBefore);
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The handoff was abandoned because the link ended first.
        }
    }
}
