using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// Reads what an index-only thin link wrote: the list of modules it loaded and, per module, the
/// staged index shard and imports list. Publishes each shard to the layout's index folder,
/// replacing the one there only when the content differs.
/// </summary>
public static class SplitIndexReader
{
    public static IReadOnlyList<SplitModule> Read(SplitLinkLayout layout)
    {
        string list = layout.Full(layout.ModuleList);
        if (!File.Exists(list))
            throw new SplitLinkException($"the thin link wrote no module list ({list}); does this lld support --thinlto-index-only?");

        var modules = new List<SplitModule>();
        foreach (string line in File.ReadAllLines(list).Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            string module = ModulePath(layout, line);
            string stagedShard = layout.Full(layout.StagedShard(module));
            if (!File.Exists(stagedShard))
                throw new SplitLinkException($"the thin link wrote no index shard for '{module}' ({stagedShard})");
            bool changed = ContentReplace.IfDifferent(stagedShard, layout.Full(layout.Shard(module)));
            string stagedImports = layout.Full(layout.StagedImports(module));
            IReadOnlyList<string> imports = File.Exists(stagedImports)
                ? File.ReadAllLines(stagedImports).Select(l => l.Trim()).Where(l => l.Length > 0).Select(Normalize).ToList()
                : Array.Empty<string>();
            modules.Add(new SplitModule(module, layout.Shard(module), imports, changed));
        }

        return modules;
    }

    /// <summary>The module lld loaded, from its line in the list (the staging prefix followed by the module path).</summary>
    private static string ModulePath(SplitLinkLayout layout, string line)
    {
        string entry = Normalize(line);
        string module = entry.StartsWith(layout.Staging, StringComparison.Ordinal) ? entry.Substring(layout.Staging.Length) : entry;
        bool inside = module.Length > 0 && entry.Length > module.Length && !Path.IsPathRooted(module)
            && !module.Split('/').Contains("..") && module.IndexOf('(') < 0;
        if (!inside)
        {
            throw new SplitLinkException(
                $"the bitcode module '{module}' is not a file inside the link's folder (bitcode named by an absolute path, from outside the project, " +
                "or a member of a library given as a library dependency); split mode can only distribute bitcode that is a link input of the project");
        }

        return module;
    }

    private static string Normalize(string path) => path.Replace('\\', '/');
}
