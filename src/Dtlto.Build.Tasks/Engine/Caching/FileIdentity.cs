using System;
using System.IO;
using System.Runtime.InteropServices;

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
        ulong inode = 0;
        long changed = 0;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64 && Stat(file.FullName, out LinuxStat status) == 0)
        {
            inode = status.Inode;
            changed = (status.ChangeSeconds * 1_000_000_000) + status.ChangeNanoseconds;
        }

        return new FileIdentity(file.FullName, file.Length, file.LastWriteTimeUtc.Ticks, inode, changed);
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out LinuxStat status);

    /// <summary>struct stat of glibc on x86-64 (144 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct LinuxStat
    {
        public ulong Device;
        public ulong Inode;
        public ulong Links;
        public uint Mode;
        public uint User;
        public uint Group;
        public int Padding;
        public ulong SpecialDevice;
        public long Size;
        public long BlockSize;
        public long Blocks;
        public long AccessSeconds;
        public long AccessNanoseconds;
        public long ModifySeconds;
        public long ModifyNanoseconds;
        public long ChangeSeconds;
        public long ChangeNanoseconds;
        public long Reserved0;
        public long Reserved1;
        public long Reserved2;
    }
}
