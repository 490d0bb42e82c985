using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.FileSystem;

/// <summary>
/// stat(2) on Linux x64 (glibc's struct stat): what .NET does not say of a file, its inode,
/// status-change time, owner and mode. Elsewhere <see cref="TryGet"/> says nothing.
/// </summary>
internal static class UnixStat
{
    /// <summary>The facts of a file, or null where stat is not available here or fails.</summary>
    public static (ulong Inode, long ChangedNanoseconds, uint User, uint Mode)? TryGet(string path)
    {
        if (!Available || Stat(path, out LinuxStat status) != 0)
            return null;
        return (status.Inode, (status.ChangeSeconds * 1_000_000_000) + status.ChangeNanoseconds, status.User, status.Mode);
    }

    /// <summary>The effective user id of this process; null where <see cref="TryGet"/> says nothing.</summary>
    public static uint? CurrentUser => Available ? GetEffectiveUser() : null;

    /// <summary>The effective user id of this process, on any Unix (geteuid has no layout to depend on).</summary>
    public static uint EffectiveUser() => GetEffectiveUser();

    private static bool Available => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out LinuxStat status);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUser();

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
