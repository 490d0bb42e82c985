using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Scheduling;

/// <summary>
/// How long each module's backend compile took in earlier links, kept in a small JSON file, so
/// that the next link can start the slowest modules first from measurements instead of guesses.
/// Modules are known by the bitcode path lld gives them, without the per-link parts lld adds to
/// archive members' names.
/// </summary>
public sealed class DurationHistory
{
    private readonly Dictionary<string, double> _seconds;

    private DurationHistory(Dictionary<string, double> seconds) => _seconds = seconds;

    public static DurationHistory Empty() => new(new Dictionary<string, double>(StringComparer.Ordinal));

    /// <summary>Reads a history file; a missing or damaged one is an empty history, never an error.</summary>
    public static DurationHistory Load(string path)
    {
        try
        {
            // Read by hand rather than by reflection, so the distributor can be compiled ahead of time.
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty module in document.RootElement.EnumerateObject())
                {
                    if (module.Value.ValueKind == JsonValueKind.Number && module.Value.TryGetDouble(out double value) && value >= 0)
                        seconds[module.Name] = value;
                }
            }

            return new DurationHistory(seconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException)
        {
            return Empty();
        }
    }

    public int Count => _seconds.Count;

    public static string ModuleKey(string bitcode) => ExtractedArchiveMember.Stable(bitcode);

    public double? SecondsFor(string bitcode) => _seconds.TryGetValue(ModuleKey(bitcode), out double s) ? s : null;

    /// <summary>Adds the durations of the jobs that completed.</summary>
    public void Record(IEnumerable<JobResult> results)
    {
        // A result from a cache says nothing of how long the module takes to compile.
        foreach (JobResult result in results.Where(r => r.Status == JobStatus.Succeeded && !r.FromCache))
            _seconds[ModuleKey(result.Job.Bitcode)] = Math.Round(result.Elapsed.TotalSeconds, 4);
    }

    /// <summary>Writes the history whole or not at all (a temporary file renamed over the old one).</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
        using (FileStream stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (KeyValuePair<string, double> module in _seconds.OrderBy(m => m.Key, StringComparer.Ordinal))
                json.WriteNumber(module.Key, module.Value);
            json.WriteEndObject();
        }

        if (File.Exists(full))
            File.Replace(temporary, full, null);
        else
            File.Move(temporary, full);
    }
}
