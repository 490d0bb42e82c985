using System;
using System.IO;

namespace Dtlto.Build.Engine.FileSystem;

/// <summary>
/// Removing what a failed or stopped step left behind: best effort, because the step's failure
/// is already what gets reported, and a file that stays is one the next build does not trust.
/// </summary>
public static class QuietDelete
{
    /// <summary>Deletes the file if it exists; false if it exists and could not be deleted.</summary>
    public static bool File(string path)
    {
        try
        {
            System.IO.File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
