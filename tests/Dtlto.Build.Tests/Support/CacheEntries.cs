using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Dtlto.Build.Tests.Support;

/// <summary>Backend cache entries as the tests tamper with them (the layout of the engine's CacheEntry: magic, key, outputs' sizes and SHA-256, text, bytes).</summary>
public static class CacheEntries
{
    /// <summary>The first output of a one-output entry: its object.</summary>
    public static byte[] ReadObject(string entry)
    {
        byte[] found = Array.Empty<byte>();
        RewriteObject(entry, bytes => found = bytes, write: false);
        return found;
    }

    /// <summary>Replaces the first output of a one-output entry and records the new bytes' own size and digest, so that only the object check can tell.</summary>
    public static void RewriteObject(string entry, Func<byte[], byte[]> change) => RewriteObject(entry, change, write: true);

    private static void RewriteObject(string entry, Func<byte[], byte[]> change, bool write)
    {
        byte[] all = File.ReadAllBytes(entry);
        using var reader = new BinaryReader(new MemoryStream(all), Encoding.UTF8);
        byte[] magic = reader.ReadBytes(23);
        string key = reader.ReadString();
        if (reader.ReadInt32() != 1)
            throw new InvalidOperationException("the entry holds more than one output");
        long size = reader.ReadInt64();
        reader.ReadBytes(32);
        string text = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
        byte[] replaced = change(reader.ReadBytes((int)size));
        if (!write)
            return;

        using var output = new MemoryStream();
        using (var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(key);
            writer.Write(1);
            writer.Write(replaced.LongLength);
            writer.Write(SHA256.HashData(replaced));
            byte[] textBytes = Encoding.UTF8.GetBytes(text);
            writer.Write(textBytes.Length);
            writer.Write(textBytes);
            writer.Write(replaced);
        }

        File.WriteAllBytes(entry, output.ToArray());
    }
}
