using System.IO;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// Where a split-mode link keeps its files, as paths relative to the folder lld runs in (the
/// project's intermediate folder). Relative, because lld names index files after the module
/// paths it was given, and those must stay inside this folder.
/// </summary>
public sealed class SplitLinkLayout
{
    public SplitLinkLayout(string workingDirectory, string root)
    {
        WorkingDirectory = Path.GetFullPath(workingDirectory);
        Root = root.Replace('\\', '/').TrimEnd('/') + "/";
    }

    /// <summary>Where lld runs and where every module path is relative to.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The folder of this link's split-mode files, e.g. <c>app.dtlto/</c>.</summary>
    public string Root { get; }

    /// <summary>lld's prefix for the index files it writes on every thin link.</summary>
    public string Staging => Root + "staging/";

    /// <summary>The index files the backend compiles read; replaced only when their content changes.</summary>
    public string Index => Root + "index/";

    public string Native => Root + "native/";

    public string Archives => Root + "archives/";

    /// <summary>The file lld lists the modules of the link in.</summary>
    public string ModuleList => Root + "modules.txt";

    public string StagedShard(string module) => Staging + module + ".thinlto.bc";

    public string StagedImports(string module) => Staging + module + ".imports";

    public string Shard(string module) => Index + module + ".thinlto.bc";

    public string NativeObject(string module) => Native + module + ".native.o";

    public string Full(string relative) => Path.GetFullPath(Path.Combine(WorkingDirectory, relative));
}
