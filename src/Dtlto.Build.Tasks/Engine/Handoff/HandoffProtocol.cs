using System.IO;

using System.Text.Json;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Handoff;

/// <summary>
/// The conversation between a build and the distributor lld started for it, over a local pipe
/// whose name the build passed to the distributor. One JSON object per line:
/// the distributor sends <c>{"jobList": "/abs/app.123.dist-file.json", "workingDirectory": "/abs"}</c>,
/// the build answers <c>{"succeeded": true|false, "message": "..."}</c> once the backend compiles
/// are done, and the distributor exits with the matching status so that lld finishes or fails.
/// </summary>
public static class HandoffProtocol
{

    public static async Task WriteJobListReadyAsync(Stream stream, string jobListPath, string workingDirectory)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jobList", jobListPath);
            json.WriteString("workingDirectory", workingDirectory);
            json.WriteEndObject();
        }

        await WriteLineAsync(stream, buffer).ConfigureAwait(false);
    }

    public static async Task WriteResultAsync(Stream stream, bool succeeded, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("succeeded", succeeded);
            json.WriteString("message", message);
            json.WriteEndObject();
        }

        await WriteLineAsync(stream, buffer).ConfigureAwait(false);
    }

    /// <summary>Reads the distributor's request; null if the pipe closed or the line is not one.</summary>
    public static async Task<(string JobList, string WorkingDirectory)?> ReadJobListReadyAsync(Stream stream)
    {
        using JsonDocument? document = await ReadLineAsync(stream).ConfigureAwait(false);
        if (document is null
            || document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("jobList", out JsonElement jobList) || jobList.ValueKind != JsonValueKind.String
            || !document.RootElement.TryGetProperty("workingDirectory", out JsonElement directory) || directory.ValueKind != JsonValueKind.String)
            return null;
        return (jobList.GetString()!, directory.GetString()!);
    }

    /// <summary>Reads the build's answer; null if the pipe closed or the line is not one.</summary>
    public static async Task<(bool Succeeded, string Message)?> ReadResultAsync(Stream stream)
    {
        using JsonDocument? document = await ReadLineAsync(stream).ConfigureAwait(false);
        if (document is null
            || document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("succeeded", out JsonElement succeeded)
            || succeeded.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return null;
        string message = document.RootElement.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        return (succeeded.GetBoolean(), message);
    }

    private static async Task WriteLineAsync(Stream stream, MemoryStream line)
    {
        line.WriteByte((byte)'\n');
        await stream.WriteAsync(line.GetBuffer(), 0, (int)line.Length).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    private static async Task<JsonDocument?> ReadLineAsync(Stream stream)
    {
        // Byte by byte: the line is short, and reading further would swallow the next message.
        var line = new MemoryStream();
        var one = new byte[1];
        while (true)
        {
            int read = await stream.ReadAsync(one, 0, 1).ConfigureAwait(false);
            if (read == 0)
                return null;
            if (one[0] == (byte)'\n')
                break;
            if (line.Length > 1 << 20)
                return null;
            line.WriteByte(one[0]);
        }

        try
        {
            return JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
    }

}
