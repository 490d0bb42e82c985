using System;
using System.Collections.Generic;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The input root of an action as the Remote Execution API wants it: a Merkle tree of Directory
/// messages, each listing its files and subdirectories sorted by name, so that the same files
/// under the same names always give the same root digest.
/// </summary>
/// <remarks>
/// A link's actions share most of their inputs (a module imported by hundreds of jobs), so a
/// file's entry in its Directory is encoded once (<see cref="FileEntry"/>) and each Directory is
/// written as its entries one after the other: the bytes Google.Protobuf would write for the same
/// message, without a message object per file of every action.
/// </remarks>
internal sealed class InputTree
{
    private readonly Node _root = new();

    /// <summary>Adds a file at a '/'-separated path under the root; the same path twice must be the same content.</summary>
    public void Add(string path, Blob content, bool executable = false)
    {
        string[] parts = path.Split('/');
        Add(parts, new FileEntry(parts[parts.Length - 1], content, executable));
    }

    /// <summary>Adds a file at a path given as its names from the root down; the array is not changed or kept.</summary>
    public void Add(string[] parts, Blob content, bool executable = false) => Add(parts, new FileEntry(parts[parts.Length - 1], content, executable));

    /// <summary>Adds a file, encoded beforehand, at a path whose last name is the entry's; the array is not changed or kept.</summary>
    public void Add(string[] parts, FileEntry entry)
    {
        foreach (string part in parts)
        {
            if (part.Length == 0 || part == "." || part == "..")
                throw new ArgumentException($"'{string.Join("/", parts)}' is not a plain relative path", nameof(parts));
        }

        string name = parts[parts.Length - 1];
        if (!string.Equals(name, entry.Name, StringComparison.Ordinal))
            throw new ArgumentException($"'{string.Join("/", parts)}' does not end in the entry's name '{entry.Name}'", nameof(parts));

        Node node = _root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (node.Files.ContainsKey(parts[i]))
                throw new ArgumentException($"'{string.Join("/", parts)}' passes through a file", nameof(parts));
            node = node.Directories.TryGetValue(parts[i], out Node? child) ? child : node.Directories[parts[i]] = new Node();
        }

        if (node.Directories.ContainsKey(name))
            throw new ArgumentException($"'{string.Join("/", parts)}' is a directory", nameof(parts));
        if (node.Files.TryGetValue(name, out FileEntry? existing) && !SameContent(existing.Content.Digest, entry.Content.Digest))
            throw new ArgumentException($"'{string.Join("/", parts)}' is given two different contents", nameof(parts));
        node.Files[name] = entry;
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
        // Directory: files (field 1) then directories (field 2), each sorted by name.
        FileEntry[] files = new FileEntry[node.Files.Count];
        node.Files.Values.CopyTo(files, 0);
        Array.Sort(files, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var directories = new byte[node.Directories.Count][];
        int d = 0;
        foreach (KeyValuePair<string, Node> child in SortedByName(node.Directories))
            directories[d++] = FileEntry.Field(2, new DirectoryNode { Name = child.Key, Digest = Build(child.Value, blobs) }.ToByteArray());

        int length = 0;
        foreach (FileEntry file in files)
            length += file.Encoded.Length;
        foreach (byte[] directory in directories)
            length += directory.Length;
        byte[] message = new byte[length];
        int at = 0;
        foreach (FileEntry file in files)
        {
            file.Encoded.CopyTo(message, at);
            at += file.Encoded.Length;
            blobs.Add(file.Content);
        }

        foreach (byte[] directory in directories)
        {
            directory.CopyTo(message, at);
            at += directory.Length;
        }

        Blob self = Blob.FromBytes(message);
        blobs.Add(self);
        return self.Digest;
    }

    private static bool SameContent(Digest a, Digest b) => a.SizeBytes == b.SizeBytes && string.Equals(a.Hash, b.Hash, StringComparison.Ordinal);

    private static KeyValuePair<string, T>[] SortedByName<T>(Dictionary<string, T> entries)
    {
        KeyValuePair<string, T>[] sorted = new KeyValuePair<string, T>[entries.Count];
        ((ICollection<KeyValuePair<string, T>>)entries).CopyTo(sorted, 0);
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return sorted;
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Directories { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FileEntry> Files { get; } = new(StringComparer.Ordinal);
    }
}
