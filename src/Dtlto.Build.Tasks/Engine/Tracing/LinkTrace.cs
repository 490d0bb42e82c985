using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;

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

    public void JobFinished(int worker, JobResult result)
    {
        DateTime end = DateTime.UtcNow;
        lock (_lock)
        {
            if (!_started.TryGetValue(result.Job, out DateTime start))
                return;
            var args = new Dictionary<string, string> { ["status"] = result.Status.ToString(), ["outputs"] = string.Join(" ", result.Job.Outputs) };
            if (result.Failure is not null)
                args["failure"] = result.Failure;
            _slices.Add((result.Job.Bitcode, $"worker {worker + 1}", start, end, args));
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
            slices = new List<(string, string, DateTime, DateTime, Dictionary<string, string>)>(_slices);

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

    private static long Microseconds(DateTime time) => (time.ToUniversalTime().Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks) / 10;
}
