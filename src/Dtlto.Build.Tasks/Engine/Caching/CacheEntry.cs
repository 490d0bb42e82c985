using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// One cached backend result in one file: a header (a magic line, the key the entry was stored
/// under, each output's size and SHA-256, then what the compiler printed) followed by the outputs'
/// bytes. Every output is checked against its recorded digest as it is copied out, and the first
/// (the object) by the job's <see cref="JobObjectCheck"/>, so a damaged entry, or one copied under another
/// key, is found before anything of it is used.
/// </summary>
internal static class CacheEntry
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("DTLTO-BACKEND-RESULT-2\n");
    private const int BufferSize = 81920;

    /// <summary>Writes an entry of the given output files to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, string key, IReadOnlyList<string> outputs, string compilerOutput)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(key);
        writer.Write(outputs.Count);
        foreach (string output in outputs)
        {
            using FileStream file = File.OpenRead(output);
            using var sha = SHA256.Create();
            writer.Write(file.Length);
            writer.Write(sha.ComputeHash(file));
        }

        byte[] text = Encoding.UTF8.GetBytes(compilerOutput);
        writer.Write(text.Length);
        writer.Write(text);
        writer.Flush();
        foreach (string output in outputs)
        {
            using FileStream file = File.OpenRead(output);
            file.CopyTo(stream, BufferSize);
        }
    }

    /// <summary>
    /// Copies an entry's outputs to <paramref name="outputs"/>, each through a temporary beside it
    /// that is renamed only when every output matched its digest and <paramref name="check"/>
    /// (null: none) found nothing wrong with them. Leaves no output when the entry is damaged
    /// or not for this job; throws <see cref="IOException"/> when an output cannot be written.
    /// </summary>
    public static CacheRestore Restore(Stream stream, string key, IReadOnlyList<string> outputs, RestoredObjectCheck? check)
    {
        var temporaries = new List<string>();
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            byte[] magic = reader.ReadBytes(Magic.Length);
            if (!Same(magic, Magic))
                return CacheRestore.Damaged("it is not a cache entry of this version");
            if (reader.ReadString() != key)
                return CacheRestore.Damaged("it was stored under another key");
            if (reader.ReadInt32() != outputs.Count)
                return CacheRestore.Damaged("it holds another number of outputs than the job writes");
            var recorded = new (long Size, byte[] Hash)[outputs.Count];
            for (int i = 0; i < outputs.Count; i++)
            {
                recorded[i] = (reader.ReadInt64(), reader.ReadBytes(32));
                if (recorded[i].Size < 0 || recorded[i].Size > stream.Length)
                    return CacheRestore.Damaged("its header is damaged");
            }

            int textLength = reader.ReadInt32();
            if (textLength < 0 || textLength > stream.Length - stream.Position)
                return CacheRestore.Damaged("its header is damaged");
            string compilerOutput = Encoding.UTF8.GetString(reader.ReadBytes(textLength));
            for (int i = 0; i < outputs.Count; i++)
            {
                string temporary = outputs[i] + ".cached-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                temporaries.Add(temporary);
                if (!CopyChecked(stream, temporary, recorded[i].Size, recorded[i].Hash))
                    return CacheRestore.Damaged("its content did not match its digest");
            }

            if (stream.ReadByte() != -1)
                return CacheRestore.Damaged("it is longer than its header says");
            if (check?.Invoke(Enumerable.Range(0, outputs.Count).ToDictionary(i => outputs[i], i => temporaries[i], StringComparer.Ordinal)) is ObjectProblem problem)
                return CacheRestore.Damaged("its object failed the object check: " + problem.Reason);
            for (int i = 0; i < outputs.Count; i++)
                AtomicRename.Over(temporaries[i], outputs[i]);
            temporaries.Clear();
            return CacheRestore.Hit(compilerOutput);
        }
        catch (EndOfStreamException)
        {
            return CacheRestore.Damaged("it ends before its header says");
        }
        finally
        {
            foreach (string temporary in temporaries)
                QuietDelete.File(temporary);
        }
    }

    private static bool CopyChecked(Stream source, string destination, long size, byte[] expected)
    {
        using var sha = SHA256.Create();
        var buffer = new byte[BufferSize];
        using (FileStream target = new(destination, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            long left = size;
            while (left > 0)
            {
                int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0)
                    return false;
                sha.TransformBlock(buffer, 0, read, null, 0);
                target.Write(buffer, 0, read);
                left -= read;
            }
        }

        sha.TransformFinalBlock(buffer, 0, 0);
        return Same(sha.Hash!, expected);
    }

    private static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
                return false;
        }

        return true;
    }
}
