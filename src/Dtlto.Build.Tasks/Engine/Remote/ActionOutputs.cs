using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote.Protocol;
using Dtlto.Build.Engine.Verification;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>What became of an action result's outputs.</summary>
internal enum OutputsTaken
{
    Taken,

    /// <summary>The result lacks an output, or the CAS no longer has one: a cache miss.</summary>
    Missing,

    /// <summary>Another attempt claimed the job first.</summary>
    Lost,
}

/// <summary>
/// Brings an action result's outputs back, trusting the farm for what it computed and for
/// nothing else: the result must be well-formed (each path once, a digest for each, sizes no
/// larger than <see cref="RemoteSettings.MaxOutputSize"/>), outputs are taken only at the paths
/// the action asked for, each is downloaded beside its place within its digest's size and
/// checked against it, and the objects must pass <see cref="JobObjectCheck"/> before anything is
/// moved into place. A result that fails any of this is a <see cref="RemoteAnswerException"/>:
/// the farm's failure, never the job's.
/// </summary>
internal sealed class ActionOutputs
{
    /// <summary>The most a compiler's printed output may take: more is no compile's diagnostics.</summary>
    private const long MaxTextSize = 16L << 20;

    private readonly RemoteCas _cas;
    private readonly RemoteTimings _timings;
    private readonly long _maxOutputSize;

    public ActionOutputs(RemoteCas cas, RemoteTimings timings, long maxOutputSize)
    {
        _cas = cas;
        _timings = timings;
        _maxOutputSize = maxOutputSize;
    }

    /// <summary>
    /// Downloads the outputs of <paramref name="result"/> beside their places and, once all are
    /// whole and <paramref name="claim"/> grants the job, moves them into place.
    /// </summary>
    public async Task<OutputsTaken> TakeAsync(JobList jobList, BackendJob job, RemoteAction action, ActionResult result, Func<bool> claim, CancellationToken cancellationToken)
    {
        if (result.ExitCode != 0)
            return OutputsTaken.Missing;
        Dictionary<string, OutputFile> files = Check(job, action, result);
        if (!action.Outputs.Keys.All(files.ContainsKey))
            return OutputsTaken.Missing;
        var downloaded = action.Outputs.ToDictionary(o => o.Value, o => o.Value + ".farm" + Guid.NewGuid().ToString("N").Substring(0, 8), StringComparer.Ordinal);
        DateTime start = DateTime.UtcNow;
        try
        {
            var written = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
            foreach (var output in action.Outputs)
            {
                if (await _cas.Reader.DownloadAsync(files[output.Key].Digest, files[output.Key].Contents, downloaded[output.Value], cancellationToken).ConfigureAwait(false) is { } bytes)
                    written[output.Value] = bytes;
            }

            _timings.Downloaded(job, start, DateTime.UtcNow);
            if (JobObjectCheck.Problem(jobList, job, downloaded, written) is ({ } bad, { } problem))
                throw new RemoteAnswerException(action, job, "its object " + Path.GetFileName(bad) + " failed the object check: " + problem.Reason);
            if (!claim())
                return OutputsTaken.Lost;
            foreach (KeyValuePair<string, string> file in downloaded.ToList())
            {
                File.Move(file.Value, file.Key, overwrite: true);
                downloaded.Remove(file.Key);
            }

            return OutputsTaken.Taken;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // The cache named a blob the CAS has since evicted: a miss.
            return OutputsTaken.Missing;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DataLoss)
        {
            throw new RemoteAnswerException(action, job, e.Status.Detail, e);
        }
        finally
        {
            foreach (string temporary in downloaded.Values)
                QuietDelete.File(temporary);
        }
    }

    /// <summary>The result's output files by path, after the checks no honest server fails.</summary>
    private Dictionary<string, OutputFile> Check(BackendJob job, RemoteAction action, ActionResult result)
    {
        var files = new Dictionary<string, OutputFile>(StringComparer.Ordinal);
        foreach (OutputFile file in result.OutputFiles)
        {
            if (files.ContainsKey(file.Path))
                throw new RemoteAnswerException(action, job, $"it lists the output '{file.Path}' twice");
            if (file.Digest is null || file.Digest.Hash.Length != 64)
                throw new RemoteAnswerException(action, job, $"the output '{file.Path}' has no digest");
            if (file.Digest.SizeBytes < 0 || (action.Outputs.ContainsKey(file.Path) && file.Digest.SizeBytes > _maxOutputSize))
                throw new RemoteAnswerException(action, job, $"it claims {file.Digest.SizeBytes} bytes for the output '{file.Path}', more than the {_maxOutputSize} an output may have (--remote-max-output-size)");
            files[file.Path] = file;
        }

        return files;
    }

    /// <summary>What the compiler printed on the farm: the inlined text, or the blobs the result names (at most 16 MiB each).</summary>
    public async Task<string> TextAsync(ActionResult result, CancellationToken cancellationToken)
    {
        async Task<string> Text(Google.Protobuf.ByteString raw, Digest? digest) =>
            raw.Length > 0 || digest is null || digest.SizeBytes == 0
                ? raw.ToStringUtf8()
                : Encoding.UTF8.GetString(await _cas.Reader.ReadAsync(digest, MaxTextSize, cancellationToken).ConfigureAwait(false));

        return await Text(result.StdoutRaw, result.StdoutDigest).ConfigureAwait(false) + await Text(result.StderrRaw, result.StderrDigest).ConfigureAwait(false);
    }
}
