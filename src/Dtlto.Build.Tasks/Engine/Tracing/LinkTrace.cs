using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Tracing;

/// <summary>
/// A timeline of one link in Chrome's trace-event format (opens in Perfetto and
/// chrome://tracing): a lane for the link's phases, one lane per worker, one slice per backend
/// job named by its module. Times are wall-clock, so phases seen by different processes line up.
/// Record jobs by passing it as the backend compile's observer.
/// </summary>
public sealed class LinkTrace : IBackendCompileObserver
{
    private readonly object _lock = new();
    private readonly List<(string Name, string Lane, DateTime Start, DateTime End, Dictionary<string, string> Args)> _slices = new();
    private readonly Dictionary<BackendJob, DateTime> _started = new();
    private readonly Dictionary<BackendJob, (string Lane, DateTime Start, DateTime End)> _finished = new();
    private readonly List<(BackendJob Job, string Name, DateTime Start, DateTime End)> _details = new();

    public void AddPhase(string name, DateTime start, DateTime end)
    {
        lock (_lock)
            _slices.Add((name, "link", start, end, new Dictionary<string, string>()));
    }

    public void JobStarted(int worker, BackendJob job)
    {
        lock (_lock)
            _started[job] = DateTime.UtcNow;
    }

    /// <summary>
    /// A part of a job's time (waiting on the farm, executing there, a download), drawn inside the
    /// job's slice on its worker's lane; clocks of other machines are clamped to the job's span.
    /// </summary>
    public void AddJobDetail(BackendJob job, string name, DateTime start, DateTime end)
    {
        lock (_lock)
            _details.Add((job, name, start, end));
    }

    public void JobFinished(int worker, JobResult result)
    {
        DateTime end = DateTime.UtcNow;
        lock (_lock)
        {
            if (!_started.TryGetValue(result.Job, out DateTime start))
                return;
            var args = new Dictionary<string, string> { ["status"] = result.Status.ToString(), ["outputs"] = string.Join(" ", result.Job.Outputs), ["ran"] = result.Origin.Words() };
            if (result.Failure is not null)
                args["failure"] = result.Failure;
            string lane = $"worker {worker + 1}";
            _finished[result.Job] = (lane, start, end);
            _slices.Add((result.Job.ModuleName, lane, start, end, args));
        }
    }

    public void Write(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        using FileStream stream = File.Create(path);
        Write(stream);
    }

    public void Write(Stream stream)
    {
        List<(string Name, string Lane, DateTime Start, DateTime End, Dictionary<string, string> Args)> slices;
        lock (_lock)
        {
            slices = new List<(string, string, DateTime, DateTime, Dictionary<string, string>)>(_slices);
            foreach ((BackendJob job, string name, DateTime start, DateTime end) in _details)
            {
                if (!_finished.TryGetValue(job, out (string Lane, DateTime Start, DateTime End) span))
                    continue;
                DateTime from = Clamp(start, span.Start, span.End);
                slices.Add((name, span.Lane, from, Clamp(end, from, span.End), new Dictionary<string, string>()));
            }
        }

        var lanes = new List<string> { "link" };
        foreach (var slice in slices)
        {
            if (!lanes.Contains(slice.Lane))
                lanes.Add(slice.Lane);
        }

        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("displayTimeUnit", "ms");
        json.WriteStartArray("traceEvents");
        for (int lane = 0; lane < lanes.Count; lane++)
        {
            json.WriteStartObject();
            json.WriteString("name", "thread_name");
            json.WriteString("ph", "M");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", lane);
            json.WriteStartObject("args");
            json.WriteString("name", lanes[lane]);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var slice in slices)
        {
            json.WriteStartObject();
            json.WriteString("name", slice.Name);
            json.WriteString("cat", slice.Lane == "link" ? "phase" : "backend");
            json.WriteString("ph", "X");
            json.WriteNumber("ts", Microseconds(slice.Start));
            json.WriteNumber("dur", Math.Max(0, Microseconds(slice.End) - Microseconds(slice.Start)));
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", lanes.IndexOf(slice.Lane));
            json.WriteStartObject("args");
            foreach (KeyValuePair<string, string> arg in slice.Args)
                json.WriteString(arg.Key, arg.Value);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static DateTime Clamp(DateTime value, DateTime low, DateTime high) => value < low ? low : value > high ? high : value;

    private static long Microseconds(DateTime time) => (time.ToUniversalTime().Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks) / 10;
}
