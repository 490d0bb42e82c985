using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// Writes a job list in lld's DTLTO format, so that jobs built by other means (split-mode
/// ThinLTO, tests) can be fed to any distributor.
/// </summary>
public static class JobListWriter
{
    public static void Write(JobList jobList, Stream stream, bool indented = false)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented });
        writer.WriteStartObject();

        writer.WriteStartObject("common");
        writer.WriteString("linker_output", jobList.LinkerOutput);
        WriteStrings(writer, "args", jobList.CommonArgs);
        WriteStrings(writer, "inputs", jobList.CommonInputs);
        writer.WriteEndObject();

        writer.WriteStartArray("jobs");
        foreach (BackendJob job in jobList.Jobs)
        {
            writer.WriteStartObject();
            WriteStrings(writer, "args", job.Args);
            WriteStrings(writer, "inputs", job.Inputs);
            WriteStrings(writer, "outputs", job.Outputs);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteFile(JobList jobList, string path, bool indented = false)
    {
        using FileStream stream = File.Create(path);
        Write(jobList, stream, indented);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
