using System.Collections.Generic;

namespace Dtlto.Build.Engine.Linking;

public enum LinkerFlavor
{
    /// <summary>ld.lld (ELF): the clang driver passes -fthinlto-distributor= on to it.</summary>
    Elf,

    /// <summary>lld-link (COFF): the clang driver does not pass the distributor on, so lld-link's own options are given.</summary>
    Coff,

    /// <summary>
    /// ld.lld's MinGW driver (windows-gnu targets): it has no DTLTO options of its own and hands
    /// lld-link's on through --Xlink=.
    /// </summary>
    MinGW,
}

/// <summary>The clang driver arguments that make lld hand its backend compiles to a distributor.</summary>
public static class DistributorFlags
{
    /// <param name="remoteCompiler">The clang lld names in the job list; lld-link needs it said, ld.lld gets it from the driver.</param>
    public static IReadOnlyList<string> For(LinkerFlavor flavor, string distributor, IEnumerable<string> distributorArguments, string remoteCompiler)
    {
        var flags = new List<string>();
        if (flavor == LinkerFlavor.Elf)
        {
            flags.Add("-fthinlto-distributor=" + distributor);
            foreach (string argument in distributorArguments)
                flags.Add("-Xthinlto-distributor=" + argument);
            return flags;
        }

        // -Xlinker rather than -Wl, so that commas in paths survive.
        string prefix = flavor == LinkerFlavor.MinGW ? "--Xlink=" : "";
        flags.AddRange(new[] { "-Xlinker", prefix + "/thinlto-distributor:" + distributor });
        foreach (string argument in distributorArguments)
            flags.AddRange(new[] { "-Xlinker", prefix + "/thinlto-distributor-arg:" + argument });
        flags.AddRange(new[] { "-Xlinker", prefix + "/thinlto-remote-compiler:" + remoteCompiler });
        return flags;
    }
}
