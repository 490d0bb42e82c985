using System;
using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote.Protocol;
using Dtlto.Build.Engine.Tracing;
using Google.Protobuf.WellKnownTypes;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Where remote actions spent their time: the farm's own account of each execution
/// (ExecutedActionMetadata: queued, fetching inputs, executing, uploading outputs) and this
/// machine's uploads and downloads. It feeds the summary's percentiles and the link's trace, so
/// a user can tell whether the farm, the network or this machine holds the link up.
/// </summary>
internal sealed class RemoteTimings
{
    private readonly object _lock = new();
    private readonly List<double> _queued = new();
    private readonly List<double> _executing = new();
    private readonly List<double> _upload = new();
    private readonly List<double> _download = new();

    /// <summary>The trace that gets a slice for each part of each action; null for none.</summary>
    public LinkTrace? Trace { get; set; }

    /// <summary>This machine's upload of a job's inputs.</summary>
    public void Uploaded(BackendJob job, DateTime start, DateTime end) => Add(_upload, job, "upload here", start, end);

    /// <summary>This machine's download of a job's outputs.</summary>
    public void Downloaded(BackendJob job, DateTime start, DateTime end) => Add(_download, job, "download here", start, end);

    /// <summary>The farm's account of an execution, when it gave one.</summary>
    public void Executed(BackendJob job, ExecutedActionMetadata? metadata)
    {
        if (metadata is null)
            return;
        Span(job, "queued on the farm", metadata.QueuedTimestamp, metadata.WorkerStartTimestamp ?? metadata.ExecutionStartTimestamp, _queued);
        Span(job, "fetching inputs", metadata.InputFetchStartTimestamp, metadata.InputFetchCompletedTimestamp, null);
        Span(job, "executing on " + (metadata.Worker.Length > 0 ? metadata.Worker : "the farm"), metadata.ExecutionStartTimestamp, metadata.ExecutionCompletedTimestamp, _executing);
        Span(job, "uploading outputs", metadata.OutputUploadStartTimestamp, metadata.OutputUploadCompletedTimestamp, null);
    }

    /// <summary>"p50/p95: queued 0.01/0.20 s, executing ..."; empty when no action was timed.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            var parts = new List<string>();
            void Part(string name, List<double> seconds)
            {
                if (seconds.Count > 0)
                    parts.Add($"{name} {Percentile(seconds, 0.50):0.00}/{Percentile(seconds, 0.95):0.00} s");
            }

            Part("queued", _queued);
            Part("executing", _executing);
            Part("upload", _upload);
            Part("download", _download);
            return parts.Count == 0 ? "" : "p50/p95: " + string.Join(", ", parts);
        }
    }

    private void Span(BackendJob job, string name, Timestamp? start, Timestamp? end, List<double>? into)
    {
        if (start is null || end is null || start.Seconds == 0 || end.Seconds == 0)
            return;
        DateTime from = start.ToDateTime();
        DateTime to = end.ToDateTime();
        if (to < from)
            return;
        if (into is null)
            Trace?.AddJobDetail(job, name, from, to);
        else
            Add(into, job, name, from, to);
    }

    private void Add(List<double> into, BackendJob job, string name, DateTime start, DateTime end)
    {
        lock (_lock)
            into.Add((end - start).TotalSeconds);
        Trace?.AddJobDetail(job, name, start, end);
    }

    internal static double Percentile(IReadOnlyList<double> values, double share)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int index = (int)Math.Ceiling(share * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
