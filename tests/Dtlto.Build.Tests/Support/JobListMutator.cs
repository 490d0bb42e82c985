using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// Makes damaged and hostile variants of a valid job list, reproducibly from a seed: members
/// removed or given other types, huge arrays, deep nesting, long, empty, NUL-bearing and
/// escaping strings, and byte-level damage (truncation, flipped bytes, invalid UTF-8).
/// </summary>
public sealed class JobListMutator
{
    private static readonly string[] HostilePaths =
    {
        "", "\0", "a\0b", "../../../../../../tmp/dtlto-escape.o", "/etc/dtlto-escape.o", "//", ".", "..",
        new string('x', 5000), "lib.a(t2.o at 80).2.1164.o", "ü名前 'q' \"d\"", "C:\\\\win\\\\x.o", "\\\\?\\\\C:\\\\x.o",
    };

    private readonly Random _random;

    public JobListMutator(int seed) => _random = new Random(seed);

    public byte[] Mutate(string validJson)
    {
        int kind = _random.Next(10);
        if (kind < 3)
            return MutateBytes(Encoding.UTF8.GetBytes(validJson));

        JsonNode root = JsonNode.Parse(validJson)!;
        int edits = 1 + _random.Next(3);
        for (int i = 0; i < edits; i++)
            root = MutateTree(root);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private byte[] MutateBytes(byte[] bytes)
    {
        var list = bytes.ToList();
        switch (_random.Next(4))
        {
            case 0:
                return bytes.Take(_random.Next(bytes.Length)).ToArray();
            case 1:
                for (int i = 0; i < 1 + _random.Next(8); i++)
                    list[_random.Next(list.Count)] = (byte)_random.Next(256);
                return list.ToArray();
            case 2:
                list.InsertRange(_random.Next(list.Count), new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
                return list.ToArray();
            default:
                // Invalid UTF-8 inside a string value.
                int quote = validJsonQuote(bytes);
                list.InsertRange(quote + 1, new byte[] { 0xED, 0xA0, 0x80 });
                return list.ToArray();
        }

        int validJsonQuote(byte[] b)
        {
            var quotes = Enumerable.Range(0, b.Length).Where(i => b[i] == (byte)'"').ToArray();
            return quotes[_random.Next(quotes.Length)];
        }
    }

    private JsonNode MutateTree(JsonNode root)
    {
        List<(JsonNode? Parent, object Key, JsonNode? Node)> places = Places(root, null, "").ToList();
        var (parent, key, node) = places[_random.Next(places.Count)];
        JsonNode? replacement = _random.Next(9) switch
        {
            0 => null,
            1 => JsonValue.Create(_random.Next()),
            2 => JsonValue.Create(_random.Next(2) == 0),
            3 => new JsonObject { ["unexpected"] = "member" },
            4 => JsonValue.Create(HostilePaths[_random.Next(HostilePaths.Length)]),
            5 => new JsonArray(Enumerable.Range(0, 10_000 + _random.Next(20_000)).Select(i => (JsonNode?)JsonValue.Create($"m{i}.o")).ToArray()),
            6 => Nest(JsonValue.Create("deep")!, 30 + _random.Next(200)),
            7 => new JsonArray(),
            _ => new JsonArray(JsonValue.Create(HostilePaths[_random.Next(HostilePaths.Length)]), JsonValue.Create("x.o")),
        };

        if (parent is null)
            return replacement ?? JsonValue.Create(0)!;
        bool remove = _random.Next(5) == 0;
        if (parent is JsonObject obj)
        {
            if (remove)
                obj.Remove((string)key);
            else
                obj[(string)key] = replacement;
        }
        else if (parent is JsonArray array)
        {
            if (remove)
                array.RemoveAt((int)key);
            else
                array[(int)key] = replacement;
        }

        return root;
    }

    private static JsonNode Nest(JsonNode value, int depth)
    {
        JsonNode current = value;
        for (int i = 0; i < depth; i++)
            current = new JsonArray(current);
        return current;
    }

    private static IEnumerable<(JsonNode? Parent, object Key, JsonNode? Node)> Places(JsonNode? node, JsonNode? parent, object key)
    {
        yield return (parent, key, node);
        if (node is JsonObject obj)
        {
            foreach (KeyValuePair<string, JsonNode?> member in obj.ToList())
            {
                foreach (var place in Places(member.Value, obj, member.Key))
                    yield return place;
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < Math.Min(array.Count, 50); i++)
            {
                foreach (var place in Places(array[i], array, i))
                    yield return place;
            }
        }
    }
}
