using System.Collections.Generic;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>A bitcode module the thin link loaded, with its published index shard and what it imports.</summary>
public sealed class SplitModule
{
    public SplitModule(string path, string shard, IReadOnlyList<string> imports, bool shardChanged)
    {
        Path = path;
        Shard = shard;
        Imports = imports;
        ShardChanged = shardChanged;
    }

    /// <summary>The bitcode, relative to where lld runs, as lld named the module.</summary>
    public string Path { get; }

    /// <summary>The index shard the backend compile reads, relative to where lld runs.</summary>
    public string Shard { get; }

    /// <summary>The modules this one imports functions from (its <c>.imports</c> file).</summary>
    public IReadOnlyList<string> Imports { get; }

    /// <summary>Whether this thin link changed the shard, i.e. the module must be compiled again.</summary>
    public bool ShardChanged { get; }
}
