using System;
using System.Runtime.InteropServices;

namespace Dtlto.Build.Engine.Handoff;

/// <summary>
/// Who is at the other end of a connected Unix domain socket, as the kernel says: what .NET's
/// <c>PipeOptions.CurrentUserOnly</c> checks on Unix, for the .NET Framework build, which has no
/// such option and runs on Unix under Mono. Linux answers through <c>SO_PEERCRED</c>, macOS and
/// the BSDs through <c>getpeereid</c>.
/// </summary>
internal static class UnixPeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static bool IsUnix => Environment.OSVersion.Platform == PlatformID.Unix || Environment.OSVersion.Platform == PlatformID.MacOSX;

    /// <summary>Whether the peer of <paramref name="socket"/> (a connected socket's descriptor) runs as this process's effective user.</summary>
    public static bool IsCurrentUser(IntPtr socket)
    {
        uint? peer = PeerUser(socket);
        return peer is uint user && user == FileSystem.UnixStat.EffectiveUser();
    }

    /// <summary>The peer's effective user id; null when the kernel does not say.</summary>
    private static uint? PeerUser(IntPtr socket)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            int length = Marshal.SizeOf<PeerCredentials>();
            return GetSocketOption((int)socket, SolSocket, SoPeerCred, out PeerCredentials credentials, ref length) == 0 ? credentials.User : null;
        }

        return GetPeerId((int)socket, out uint user, out _) == 0 ? user : null;
    }

    [DllImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static extern int GetSocketOption(int socket, int level, int option, out PeerCredentials value, ref int length);

    [DllImport("libc", EntryPoint = "getpeereid", SetLastError = true)]
    private static extern int GetPeerId(int socket, out uint user, out uint group);

    /// <summary>Linux's struct ucred.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PeerCredentials
    {
        public int Process;
        public uint User;
        public uint Group;
    }
}
