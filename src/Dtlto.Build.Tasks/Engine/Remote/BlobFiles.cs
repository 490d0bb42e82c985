using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Writes blobs the farm sent to their temporaries. A link downloads thousands of objects into
/// one folder at once, and every file created there takes the folder's lock in the kernel: with
/// a thread per download the threads spin on that lock (a profile of 10,000 actions found a fifth
/// of the client's CPU there). So a few files are written at a time, each in one write from the
/// bytes as they arrived, and a folder is created only when a file cannot be made in it.
/// </summary>
internal static class BlobFiles
{
    private static readonly SemaphoreSlim Writers = new(2, 2);

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await Writers.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SafeFileHandle file = Create(path);
            RandomAccess.Write(file, data.Span, 0);
        }
        finally
        {
            Writers.Release();
        }
    }

    /// <summary>Creates <paramref name="path"/> for writing, and its folder first if it has none.</summary>
    private static SafeFileHandle Create(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
        }
    }
}
