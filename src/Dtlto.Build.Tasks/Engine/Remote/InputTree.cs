using System;
using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The input root of an action as the Remote Execution API wants it: a Merkle tree of Directory
/// messages, each listing its files and subdirectories sorted by name, so that the same files
/// under the same names always give the same root digest.
/// </summary>
internal sealed class InputTree
{
    private readonly Node _root = new();

    /// <summary>Adds a file at a '/'-separated path under the root; the same path twice must be the same content.</summary>
    public void Add(string path, Blob content, bool executable = false) => Add(path.Split('/'), content, executable);

    /// <summary>Adds a file at a path given as its names from the root down; the array is not changed or kept.</summary>
    public void Add(string[] parts, Blob content, bool executable = false)
    {
        foreach (string part in parts)
        {
            if (part.Length == 0 || part == "." || part == "..")
                throw new ArgumentException($"'{string.Join("/", parts)}' is not a plain relative path", nameof(parts));
        }

        Node node = _root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (node.Files.ContainsKey(parts[i]))
                throw new ArgumentException($"'{string.Join("/", parts)}' passes through a file", nameof(parts));
            node = node.Directories.TryGetValue(parts[i], out Node? child) ? child : node.Directories[parts[i]] = new Node();
        }

        string name = parts[parts.Length - 1];
        if (node.Directories.ContainsKey(name))
            throw new ArgumentException($"'{string.Join("/", parts)}' is a directory", nameof(parts));
        if (node.Files.TryGetValue(name, out (Blob Content, bool Executable) existing) && ContentDigest.Key(existing.Content.Digest) != ContentDigest.Key(content.Digest))
            throw new ArgumentException($"'{string.Join("/", parts)}' is given two different contents", nameof(parts));
        node.Files[name] = (content, executable);
    }

    /// <summary>The root digest and every blob of the tree: the Directory messages and the files.</summary>
    public (Digest Root, IReadOnlyList<Blob> Blobs) Build()
    {
        var blobs = new List<Blob>();
        Digest root = Build(_root, blobs);
        return (root, blobs);
    }

    private static Digest Build(Node node, List<Blob> blobs)
    {
        var directory = new Directory();
        foreach (KeyValuePair<string, Node> child in SortedByName(node.Directories))
            directory.Directories.Add(new DirectoryNode { Name = child.Key, Digest = Build(child.Value, blobs) });
        foreach (KeyValuePair<string, (Blob Content, bool Executable)> file in SortedByName(node.Files))
        {
            directory.Files.Add(new FileNode { Name = file.Key, Digest = file.Value.Content.Digest, IsExecutable = file.Value.Executable });
            blobs.Add(file.Value.Content);
        }

        Blob self = Blob.FromBytes(directory.ToByteArray());
        blobs.Add(self);
        return self.Digest;
    }

    private static KeyValuePair<string, T>[] SortedByName<T>(Dictionary<string, T> entries)
    {
        KeyValuePair<string, T>[] sorted = entries.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return sorted;
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Directories { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (Blob Content, bool Executable)> Files { get; } = new(StringComparer.Ordinal);
    }
}
