using System.Collections.Generic;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// One ThinLTO backend compilation from lld's job list: compile one bitcode module, with the
/// functions its index shard tells it to import, into one native object.
/// </summary>
public sealed class BackendJob
{
    public BackendJob(int index, IReadOnlyList<string> args, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyList<string>? sideOutputs = null)
    {
        Index = index;
        Args = args;
        Inputs = inputs;
        Outputs = outputs;
        SideOutputs = sideOutputs ?? System.Array.Empty<string>();
    }

    /// <summary>Position of the job in the list; lld links the objects in this order.</summary>
    public int Index { get; }

    /// <summary>Arguments that follow <see cref="JobList.CommonArgs"/> on this job's command line.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Every file the job reads: bitcode, index shard, then the modules it imports from.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Every file lld's job list says the job writes; the first is the native object.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>
    /// The files the command writes besides <see cref="Outputs"/>, which the program or the user
    /// keeps after the link (split DWARF's <c>.dwo</c>, <c>-save-temps</c> files): see
    /// <see cref="JobLists.SideOutputs"/>. A cache entry and a remote action carry them too.
    /// </summary>
    public IReadOnlyList<string> SideOutputs { get; }

    /// <summary><see cref="Outputs"/> then <see cref="SideOutputs"/>.</summary>
    public IEnumerable<string> AllOutputs => System.Linq.Enumerable.Concat(Outputs, SideOutputs);

    public string Bitcode => Inputs[0];

    /// <summary>The module as a user names it in messages: <see cref="Bitcode"/>, or for an archive member lld extracted, <c>lib.a(member.o)</c>.</summary>
    public string ModuleName => ExtractedArchiveMember.Display(Bitcode);

    public string IndexShard => Inputs[1];

    public IEnumerable<string> ImportedModules
    {
        get
        {
            for (int i = 2; i < Inputs.Count; i++)
                yield return Inputs[i];
        }
    }

    public string NativeObject => Outputs[0];
}
