using System.Collections.Generic;
using Dtlto.Build.Engine.Linking;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>The clang driver arguments of split ThinLTO, for ld.lld and for lld-link.</summary>
/// <remarks>-Xlinker rather than -Wl, so that commas in paths survive; the driver keeps -Xlinker
/// arguments in their place among the inputs, which the lazy groups rely on.</remarks>
public static class SplitLinkFlags
{
    /// <summary>
    /// Thin link only: write an index shard and an imports list per module under the staging
    /// prefix, and the list of modules the link loaded, instead of linking.
    /// </summary>
    public static IReadOnlyList<string> IndexOnly(LinkerFlavor flavor, SplitLinkLayout layout) => flavor == LinkerFlavor.Elf
        ? new[]
        {
            "-Xlinker", "--thinlto-index-only=" + layout.ModuleList,
            "-Xlinker", "--thinlto-emit-imports-files",
            "-Xlinker", "--thinlto-prefix-replace=;" + layout.Staging,
        }
        : new[]
        {
            "-Xlinker", "/thinlto-index-only:" + layout.ModuleList,
            "-Xlinker", "/thinlto-emit-imports-files",
            "-Xlinker", "/thinlto-prefix-replace:;" + layout.Staging,
        };

    /// <summary>Opens a group of objects that the linker treats as archive members: loaded only when needed.</summary>
    public static IReadOnlyList<string> StartLazyGroup(LinkerFlavor flavor) =>
        new[] { "-Xlinker", flavor == LinkerFlavor.Elf ? "--start-lib" : "/start-lib" };

    public static IReadOnlyList<string> EndLazyGroup(LinkerFlavor flavor) =>
        new[] { "-Xlinker", flavor == LinkerFlavor.Elf ? "--end-lib" : "/end-lib" };
}
