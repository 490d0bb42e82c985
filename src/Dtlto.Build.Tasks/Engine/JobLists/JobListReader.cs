using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// Reads and validates the JSON job list lld writes for a distributor. The format has no
/// version field, so the shape is checked instead: unknown members are ignored, and a missing
/// or mistyped member is a <see cref="JobListException"/> that names its place.
/// </summary>
public static class JobListReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Reads a job list file; relative paths in it resolve against <paramref name="baseDirectory"/>.</summary>
    public static JobList ReadFile(string path, string baseDirectory)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string why = e switch
            {
                _ when Directory.Exists(path) => "it is a folder, not a job list",
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message.TrimEnd('.'),
            };
            throw new JobListException(path, "", $"cannot read the job list: {why}", e);
        }

        return Parse(bytes, path, baseDirectory);
    }

    /// <summary>Parses job list JSON; <paramref name="name"/> is used in error messages.</summary>
    public static JobList Parse(ReadOnlyMemory<byte> json, string name, string baseDirectory)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, DocumentOptions);
            return SideOutputs.Declare(new Validator(name).Read(document.RootElement, baseDirectory));
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line
                ? $"line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}"
                : "";
            throw new JobListException(name, where, "not valid JSON: " + FirstSentence(e.Message), e);
        }
    }

    /// <summary>The JSON reader's message without the position and path it appends (the position is said once, 1-based).</summary>
    private static string FirstSentence(string message)
    {
        foreach (string tail in new[] { " LineNumber:", " Path:" })
        {
            int end = message.IndexOf(tail, StringComparison.Ordinal);
            if (end > 0)
                message = message.Substring(0, end);
        }

        return message.TrimEnd();
    }

    private sealed class Validator
    {
        private readonly string _name;
        private readonly Dictionary<string, KnownPath> _paths = new(StringComparer.Ordinal);
        private int _inputs;

        public Validator(string name) => _name = name;

        public JobList Read(JsonElement root, string baseDirectory)
        {
            RequireKind(root, JsonValueKind.Object, "", "an object");
            JsonElement common = Member(root, "common", "", JsonValueKind.Object, "an object");
            string linkerOutput = ReadString(Member(common, "linker_output", "common", JsonValueKind.String, "a string"), "common.linker_output", allowEmpty: false);
            IReadOnlyList<string> commonArgs = ReadStrings(common, "args", "common", minimum: 1, paths: false);
            if (commonArgs[0].Length == 0)
                throw Error("common.args[0]", "expected the compiler's path, found an empty string");
            IReadOnlyList<string> commonInputs = ReadStrings(common, "inputs", "common", minimum: 0, paths: true, out int[] commonNumbers);

            JsonElement jobsElement = Member(root, "jobs", "", JsonValueKind.Array, "an array");
            var jobs = new List<BackendJob>(jobsElement.GetArrayLength());
            var inputNumbers = new List<int[]>(jobs.Capacity);
            int index = 0;
            foreach (JsonElement job in jobsElement.EnumerateArray())
            {
                string place = $"jobs[{index}]";
                RequireKind(job, JsonValueKind.Object, place, "an object");
                IReadOnlyList<string> args = ReadStrings(job, "args", place, minimum: 0, paths: false);
                IReadOnlyList<string> inputs = ReadStrings(job, "inputs", place, minimum: 2, paths: true, out int[] numbers);
                jobs.Add(new BackendJob(index, args, inputs, ReadStrings(job, "outputs", place, minimum: 1, paths: true)));
                inputNumbers.Add(numbers);
                index++;
            }

            var jobList = new JobList(linkerOutput, commonArgs, commonInputs, jobs, baseDirectory);
            jobList.InputNumbers = InputNumbers.From(_inputs, commonNumbers, jobs, inputNumbers);
            RequireOutputsInLinkFolders(jobList);
            return jobList;
        }

        /// <summary>
        /// lld writes a backend compile's outputs next to the linker output (or in its own
        /// working directory); a list that would make a compiler write anywhere else is refused,
        /// so that a damaged or hostile list cannot overwrite files outside the link.
        /// </summary>
        private void RequireOutputsInLinkFolders(JobList jobList)
        {
            string[] folders =
            {
                WithSeparator(jobList.BaseDirectory),
                WithSeparator(Path.GetDirectoryName(jobList.Resolve(jobList.LinkerOutput)) ?? jobList.BaseDirectory),
            };
            foreach (BackendJob job in jobList.Jobs)
            {
                for (int i = 0; i < job.Outputs.Count; i++)
                {
                    string output;
                    try
                    {
                        output = jobList.Resolve(job.Outputs[i]);
                    }
                    catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
                    {
                        throw Error($"jobs[{job.Index}].outputs[{i}]", $"not a usable path: {e.Message}");
                    }

                    if (!Array.Exists(folders, folder => output.StartsWith(folder, StringComparison.Ordinal)))
                        throw Error($"jobs[{job.Index}].outputs[{i}]", $"'{job.Outputs[i]}' is outside the folders the link writes to");
                }
            }
        }

        private static string WithSeparator(string directory) =>
            directory.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? directory : directory + Path.DirectorySeparatorChar;

        private IReadOnlyList<string> ReadStrings(JsonElement owner, string member, string ownerPlace, int minimum, bool paths) =>
            ReadStrings(owner, member, ownerPlace, minimum, paths, numbered: false, out _);

        /// <summary>Input paths, each with its number in the list (<see cref="InputNumbers"/>) in <paramref name="numbers"/>.</summary>
        private IReadOnlyList<string> ReadStrings(JsonElement owner, string member, string ownerPlace, int minimum, bool paths, out int[] numbers)
        {
            IReadOnlyList<string> values = ReadStrings(owner, member, ownerPlace, minimum, paths, numbered: true, out int[]? numbered);
            numbers = numbered!;
            return values;
        }

        private IReadOnlyList<string> ReadStrings(JsonElement owner, string member, string ownerPlace, int minimum, bool paths, bool numbered, out int[]? numbers)
        {
            string place = ownerPlace.Length == 0 ? member : $"{ownerPlace}.{member}";
            JsonElement array = Member(owner, member, ownerPlace, JsonValueKind.Array, "an array of strings");
            int count = array.GetArrayLength();
            if (count < minimum)
                throw Error(place, minimum == 1 ? "expected at least 1 entry" : $"expected at least {minimum} entries");
            numbers = numbered && paths ? new int[count] : null;

            var values = new string[count];
            int i = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                // An entry's place is spelled out only for an error: a list of 10,000 jobs has 600,000 entries.
                if (item.ValueKind != JsonValueKind.String)
                    RequireKind(item, JsonValueKind.String, $"{place}[{i}]", "a string");
                string value = ReadString(item, place, i, allowEmpty: !paths);
                if (paths)
                {
                    KnownPath known = OnePath(value);
                    values[i] = known.Path;
                    if (numbers is not null)
                        numbers[i] = known.Number >= 0 ? known.Number : known.Number = _inputs++;
                }
                else
                {
                    values[i] = value;
                }

                i++;
            }

            return values;
        }

        /// <summary>One string per distinct path: a module imported by hundreds of jobs is one object for the whole link.</summary>
        private KnownPath OnePath(string path)
        {
            if (!_paths.TryGetValue(path, out KnownPath? known))
                _paths[path] = known = new KnownPath(path);
            return known;
        }

        /// <summary>A path of the list, and its number once it is named as an input (-1 before).</summary>
        private sealed class KnownPath
        {
            public KnownPath(string path) => Path = path;

            public string Path { get; }

            public int Number { get; set; } = -1;
        }

        private string ReadString(JsonElement element, string place, bool allowEmpty) => ReadString(element, place, -1, allowEmpty);

        /// <param name="index">The entry's index in the array at <paramref name="place"/>, or -1 for the member itself.</param>
        private string ReadString(JsonElement element, string place, int index, bool allowEmpty)
        {
            string value;
            try
            {
                value = element.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // The parser checks structure, not the encoding of string contents.
                throw Error(Place(place, index), "not valid UTF-8");
            }

            if (!allowEmpty && value.Length == 0)
                throw Error(Place(place, index), "expected a path, found an empty string");
            if (value.IndexOf('\0') >= 0)
                throw Error(Place(place, index), "contains a NUL character");
            return value;
        }

        private static string Place(string place, int index) => index < 0 ? place : $"{place}[{index}]";

        private JsonElement Member(JsonElement owner, string member, string ownerPlace, JsonValueKind kind, string expected)
        {
            string place = ownerPlace.Length == 0 ? member : $"{ownerPlace}.{member}";
            if (!owner.TryGetProperty(member, out JsonElement value))
                throw Error(place, $"missing; expected {expected}");
            RequireKind(value, kind, place, expected);
            return value;
        }

        private void RequireKind(JsonElement element, JsonValueKind kind, string place, string expected)
        {
            if (element.ValueKind != kind)
                throw Error(place.Length == 0 ? "top level" : place, $"expected {expected}, found {Describe(element.ValueKind)}");
        }

        private JobListException Error(string place, string problem) => new(_name, place, problem);

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };
    }
}
