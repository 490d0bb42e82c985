using System.Collections.Generic;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// One input of a split-mode link, in link order: a file passed as it is, or a static library
/// with bitcode members, which the link sees as its extracted members in a lazy group.
/// </summary>
public sealed class SplitLinkInput
{
    private SplitLinkInput(string path, IReadOnlyList<string>? members)
    {
        Path = path;
        Members = members;
    }

    /// <summary>The input as the project named it, relative to where lld runs.</summary>
    public string Path { get; }

    /// <summary>The extracted members in archive order, relative to where lld runs; null for a plain file.</summary>
    public IReadOnlyList<string>? Members { get; }

    public static SplitLinkInput File(string path) => new(path, null);

    public static SplitLinkInput Archive(string path, IReadOnlyList<string> members) => new(path, members);
}
