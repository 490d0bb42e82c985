using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// One action's way through the farm: its inputs uploaded (once more if the server lost one
/// before it ran), executed (<see cref="FarmExecution"/>), its outputs taken (<see cref="ActionOutputs"/>),
/// each part timed and followed by <see cref="FarmWatch"/>, and a race against this machine
/// claimed by whichever side brings a whole result first.
/// </summary>
internal sealed class FarmRun
{
    private readonly RemoteSettings _settings;
    private readonly FarmWatch _watch;
    private readonly RemoteCas _cas;
    private readonly FarmExecution _execution;
    private readonly ActionOutputs _outputs;
    private readonly RemoteTimings _timings;
    private readonly LocalRace? _race;

    public FarmRun(RemoteSettings settings, FarmWatch watch, RemoteCas cas, FarmExecution execution, ActionOutputs outputs, RemoteTimings timings, LocalRace? race)
    {
        _settings = settings;
        _watch = watch;
        _cas = cas;
        _execution = execution;
        _outputs = outputs;
        _timings = timings;
        _race = race;
    }

    /// <summary>Uploads, executes and downloads one action; null when this machine won the race meanwhile.</summary>
    public async Task<ProcessResult?> RunAsync(JobList jobList, BackendJob job, RemoteAction action, RaceEntry? entry, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        FarmStageCell stage = entry?.Stage ?? new FarmStageCell();
        bool completed = false;
        _watch.Sent();
        try
        {
            DateTime uploadStart = DateTime.UtcNow;
            _watch.Move(stage, FarmStage.Uploading);
            await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
            _timings.Uploaded(job, uploadStart, DateTime.UtcNow);
            bool skipCacheLookup = false;
            while (true)
            {
                ExecuteResponse response = await ExecuteAsync(action, stage, skipCacheLookup, cancellationToken).ConfigureAwait(false);
                completed = true;
                _watch.Move(stage, FarmStage.Downloading);
                if (entry is not null)
                    _race!.FarmReturned(entry);
                bool Claim() => entry?.TryWin(RaceWinner.Farm) ?? true;
                if (response.Status?.Code == (int)StatusCode.DeadlineExceeded)
                    return Claim() ? new ProcessResult(-1, "", stopwatch.Elapsed, false, $"timed out after {_settings.ActionTimeout?.TotalSeconds ?? 0:0.#} s on the farm and was stopped there") : null;

                ActionResult result = response.Result ?? throw new RpcException(new Status(StatusCode.Internal, "the server answered Execute without a result"));
                _timings.Executed(job, response.CachedResult ? null : result.ExecutionMetadata);
                string output = await _outputs.TextAsync(result, cancellationToken).ConfigureAwait(false);
                if (result.ExitCode != 0)
                    return FailedOnFarm(result, output, stopwatch, Claim);

                switch (await _outputs.TakeAsync(jobList, job, action, result, Claim, cancellationToken).ConfigureAwait(false))
                {
                    case OutputsTaken.Lost:
                        return null;
                    case OutputsTaken.Missing when response.CachedResult && !skipCacheLookup:
                        // The farm's cache kept the result, its CAS has let the object go: the action runs again.
                        skipCacheLookup = true;
                        completed = false;
                        continue;
                    case OutputsTaken.Missing:
                        throw new RemoteAnswerException(action, job, "the action succeeded but the server returned none of its object");
                }

                return new ProcessResult(0, output, stopwatch.Elapsed, false, null, response.CachedResult ? ResultOrigin.FarmCache : ResultOrigin.Farm).WithObjectChecked();
            }
        }
        finally
        {
            _watch.Move(stage, FarmStage.None);
            _watch.Returned(completed);
        }
    }

    /// <summary>Execute (the farm looks in its cache first unless told not to); an input the server lost before it ran is sent again, once.</summary>
    private async Task<ExecuteResponse> ExecuteAsync(RemoteAction action, FarmStageCell stage, bool skipCacheLookup, CancellationToken cancellationToken)
    {
        try
        {
            return await _execution.RunAsync(action, stage, cancellationToken, skipCacheLookup).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            _cas.ForgetUploads();
            await _cas.UploadAsync(action.Blobs, cancellationToken).ConfigureAwait(false);
            return await _execution.RunAsync(action, stage, cancellationToken, skipCacheLookup).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A compile the farm ran and that failed: the job's failure, as a compile here would be (a
    /// compile error fails everywhere), said with where it ran and the compiler's words.
    /// </summary>
    private static ProcessResult? FailedOnFarm(ActionResult result, string output, Stopwatch stopwatch, Func<bool> claim)
    {
        string worker = string.IsNullOrEmpty(result.ExecutionMetadata?.Worker) ? "the farm" : $"the farm (worker {result.ExecutionMetadata!.Worker})";
        return claim() ? new ProcessResult(result.ExitCode, output, stopwatch.Elapsed, false, null, ResultOrigin.Farm, worker) : null;
    }
}
