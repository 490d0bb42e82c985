using System.IO;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// What says a file is still the one hashed before: its path, size and modification time, and on
/// Linux x64 its inode and status-change time too (from stat(2)), so that a file replaced by
/// another of the same size and time stamp is not taken for it.
/// </summary>
internal readonly record struct FileIdentity(string Path, long Size, long ModifiedTicks, ulong Inode, long ChangedNanoseconds)
{
    public static FileIdentity Of(FileInfo file)
    {
        var status = UnixStat.TryGet(file.FullName);
        return new FileIdentity(file.FullName, file.Length, file.LastWriteTimeUtc.Ticks, status?.Inode ?? 0, status?.ChangedNanoseconds ?? 0);
    }
}
