using System.IO;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// Whom a backend cache trusts: whoever can write to it, since a result in it goes into programs
/// unchecked beyond its digest and the object check. A private cache (the default) serves only
/// entries this user wrote and no one else can change, and a folder other users can write to (or
/// that another user owns) is said once per link. A cache declared shared (<c>--cache-shared</c>,
/// <c>DtltoCacheShared</c>: a team's folder, as ccache's shared caches) trusts every user who can
/// write to it, and its entries and folders are written group-writable for them. Where the owner
/// of a file cannot be read (Windows, Linux other than x64), the folder's permissions are the
/// user's to keep.
/// </summary>
internal sealed class CacheTrust
{
    private const uint GroupOrOthersWrite = 0x12; // 0o022

    private readonly uint? _user = UnixStat.CurrentUser;

    public CacheTrust(bool shared) => Shared = shared;

    public bool Shared { get; }

    /// <summary>Why <paramref name="folder"/> (the cache or its entries' folder) can be written by other users; null when it cannot, or the cache is shared.</summary>
    public string? FolderProblem(string folder)
    {
        if (Shared || _user is not uint user || UnixStat.TryGet(folder) is not { } status)
            return null;
        if (status.User != user)
            return $"the backend cache folder {folder} belongs to another user (uid {status.User})";
        if ((status.Mode & GroupOrOthersWrite) != 0)
            return $"the backend cache folder {folder} can be written by other users (mode {System.Convert.ToString(status.Mode & 0xFFF, 8)})";
        return null;
    }

    /// <summary>Whether an entry may be served: this user's, and writable by no one else (or the cache is shared).</summary>
    public bool MayServe(string entry)
    {
        if (Shared || _user is not uint user || UnixStat.TryGet(entry) is not { } status)
            return true;
        return status.User == user && (status.Mode & GroupOrOthersWrite) == 0;
    }

    /// <summary>Makes a file or folder this cache wrote writable by its group, when the cache is shared.</summary>
    public void Share(string path, bool folder)
    {
#if !NETFRAMEWORK
        if (!Shared || System.OperatingSystem.IsWindows())
            return;
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead;
        if (folder)
            mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.SetGroup;
        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (System.Exception e) when (e is IOException or System.UnauthorizedAccessException)
        {
            // Another member of the team made it: its mode is theirs to keep.
        }
#endif
    }
}
