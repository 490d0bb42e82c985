using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Execution;

/// <summary>
/// A finished job, a batch's summary, a status line, a warning or an error, as one line of JSON: how
/// a build hears, as data and not as text to match, of jobs that run in
/// another process (Visual Studio's MSBuild.exe runs the .NET Framework tasks, which have no
/// gRPC; dtlto-distributor runs the remote batch for them and reports each job as it ends).
/// </summary>
public static class JobResultLine
{
    public static string Write(JobResult result) => Json(json =>
    {
        json.WriteNumber("job", result.Job.Index);
        json.WriteString("status", result.Status.ToString());
        if (result.Failure is not null)
            json.WriteString("failure", result.Failure);
        if (result.ExitCode is int exitCode)
            json.WriteNumber("exitCode", exitCode);
        json.WriteString("output", result.Output);
        json.WriteNumber("seconds", result.Elapsed.TotalSeconds);
        if (result.Origin != ResultOrigin.Here)
            json.WriteString("origin", result.Origin.ToString());
        if (result.Command.Count == 0)
            json.WriteBoolean("ran", false);
    });

    public static string WriteSummary(string summary) => Json(json => json.WriteString("summary", summary));

    /// <summary>A line said while the batch runs (waiting for a farm, a farm back), for the build to show as it is said.</summary>
    public static string WriteStatus(string status) => Json(json => json.WriteString("said", status));

    /// <summary>A warning of the batch's (a farm unreachable, a cache not writable), for the build to log as one.</summary>
    public static string WriteWarning(string warning) => Json(json => json.WriteString("warning", warning));

    /// <summary>An error that ended the batch (a bad setting, an unreadable file), for the build to log as one.</summary>
    public static string WriteError(string error) => Json(json => json.WriteString("error", error));

    /// <summary>
    /// A job's result (its job taken from <paramref name="jobList"/>), a summary, a status line, a
    /// warning or an error; all null for a line that is none of them.
    /// </summary>
    public static (JobResult? Result, string? Summary, string? Status, string? Warning, string? Error) Read(string line, JobList jobList)
    {
        if (!line.StartsWith("{", StringComparison.Ordinal))
            return default;
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("summary", out JsonElement summary))
                return (null, summary.GetString(), null, null, null);
            if (root.TryGetProperty("said", out JsonElement said))
                return (null, null, said.GetString(), null, null);
            if (root.TryGetProperty("warning", out JsonElement warning))
                return (null, null, null, warning.GetString(), null);
            if (root.TryGetProperty("error", out JsonElement error))
                return (null, null, null, null, error.GetString());
            int index = root.GetProperty("job").GetInt32();
            if (index < 0 || index >= jobList.Jobs.Count)
                return default;
            BackendJob job = jobList.Jobs[index];
            var status = (JobStatus)Enum.Parse(typeof(JobStatus), root.GetProperty("status").GetString()!);
            string? failure = root.TryGetProperty("failure", out JsonElement f) ? f.GetString() : null;
            int? exitCode = root.TryGetProperty("exitCode", out JsonElement e) ? e.GetInt32() : null;
            var origin = root.TryGetProperty("origin", out JsonElement o) ? (ResultOrigin)Enum.Parse(typeof(ResultOrigin), o.GetString()!) : ResultOrigin.Here;
            // A job whose compile never ran (the executor failed) has no command to show.
            IReadOnlyList<string> command = root.TryGetProperty("ran", out JsonElement ran) && ran.ValueKind == JsonValueKind.False ? Array.Empty<string>() : jobList.CommandFor(job);
            return (new JobResult(job, command, status, failure, exitCode, root.GetProperty("output").GetString() ?? "", TimeSpan.FromSeconds(root.GetProperty("seconds").GetDouble()), origin), null, null, null, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException or FormatException)
        {
            return default;
        }
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
