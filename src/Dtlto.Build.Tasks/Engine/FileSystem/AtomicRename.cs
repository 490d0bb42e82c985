using System.IO;

namespace Dtlto.Build.Engine.FileSystem;

/// <summary>Puts a finished file in place in one step, over any file already there, so a reader sees the old file or the new one and never half of either.</summary>
public static class AtomicRename
{
    public static void Over(string source, string destination)
    {
#if NETFRAMEWORK
        try
        {
            File.Move(source, destination);
        }
        catch (IOException) when (File.Exists(destination))
        {
            File.Replace(source, destination, null);
        }
#else
        File.Move(source, destination, overwrite: true);
#endif
    }
}
