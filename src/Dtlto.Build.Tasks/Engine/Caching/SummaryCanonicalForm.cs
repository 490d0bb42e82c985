using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// An index shard's module table and summary block in a numbering and order of their own. lld
/// numbers a shard's values, and orders its modules and summaries, by walking hash tables keyed
/// by module paths; an archive member's path holds lld's process id, so two links of the same
/// program write the same summaries under other value ids and in another order. Here each value
/// is its GUID, each module its name (without its place in the archive) and content hash, and the
/// summaries, each with the records that belong to it, are sorted: what the backend compile reads
/// stays, what the hash tables chose goes.
/// </summary>
/// <remarks>
/// Record layouts are those of summary versions 7 to 12 (LLVM 10 to 22), as LLVM's reader reads
/// them. A block of another version, or with a record this does not know (memory profiles,
/// parameter accesses, CFI tables), is written as it was read: in order, with its value ids,
/// which is always right and only shares less.
/// </remarks>
internal sealed class SummaryCanonicalForm
{
    private const ulong ModuleEntry = 1, ModuleHash = 2;
    private const ulong Combined = 4, CombinedProfile = 5, CombinedVariable = 6, CombinedAlias = 8, OriginalName = 9;
    private const ulong Version = 10, ValueGuid = 16, Flags = 20, TypeId = 21, BlockCount = 24, StackIds = 30;
    private const ulong FirstTypeTestCode = 11, LastTypeTestCode = 15;

    private readonly bool _modulesByContent;
    private readonly List<(ulong Id, string Name, ulong[] Hash)> _modules = new();
    private readonly List<ulong[]> _records = new();

    /// <param name="modulesByContent">Take each module by its content hash alone, not by its name: a form that holds wherever the modules live.</param>
    public SummaryCanonicalForm(bool modulesByContent = false) => _modulesByContent = modulesByContent;

    public bool IsEmpty => _modules.Count == 0 && _records.Count == 0;

    /// <summary>A record of the module table (MODULE_STRTAB_BLOCK): an entry, [modid, name chars], then its hash.</summary>
    public void AddModuleRecord(ulong code, IReadOnlyList<ulong> operands)
    {
        if (code == ModuleEntry && operands.Count > 1)
        {
            var name = new StringBuilder(operands.Count - 1);
            for (int i = 1; i < operands.Count; i++)
                name.Append((char)(byte)operands[i]);
            _modules.Add((operands[0], ExtractedArchiveMember.Display(name.ToString()), Array.Empty<ulong>()));
        }
        else if (code == ModuleHash && _modules.Count > 0)
        {
            var entry = _modules[_modules.Count - 1];
            _modules[_modules.Count - 1] = (entry.Id, entry.Name, operands.ToArray());
        }
        else
        {
            _modules.Add((ulong.MaxValue - code, "", operands.ToArray()));
        }
    }

    /// <summary>A record of the summary block (GLOBALVAL_SUMMARY_BLOCK); <paramref name="code"/> is kept as the record's first word.</summary>
    public void AddSummaryRecord(ulong code, IReadOnlyList<ulong> operands)
    {
        var record = new ulong[operands.Count + 1];
        record[0] = code;
        for (int i = 0; i < operands.Count; i++)
            record[i + 1] = operands[i];
        _records.Add(record);
    }

    /// <summary>
    /// The module table and the summary block: canonical where this knows every record of the
    /// summary, else both as they were read (the summaries name modules by their ids, so the
    /// table keeps its ids then).
    /// </summary>
    public void Write(BinaryWriter writer)
    {
        if (Canonical() is List<string> canonical)
        {
            writer.Write("canonical");
            List<string> modules = _modules.Select(m => m.Name.Length == 0 ? $"{m.Id}:{string.Join(",", m.Hash)}" : Identity(m)).ToList();
            modules.Sort(StringComparer.Ordinal);
            WriteStrings(writer, modules);
            WriteStrings(writer, canonical);
            return;
        }

        writer.Write("as read");
        writer.Write(_modules.Count);
        foreach ((ulong id, string name, ulong[] hash) in _modules)
        {
            writer.Write(id);
            writer.Write(name);
            WriteWords(writer, hash);
        }

        writer.Write(_records.Count);
        foreach (ulong[] record in _records)
            WriteWords(writer, record);
    }

    private static void WriteStrings(BinaryWriter writer, IReadOnlyList<string> lines)
    {
        writer.Write(lines.Count);
        foreach (string line in lines)
            writer.Write(line);
    }

    private List<string>? Canonical()
    {
        ulong? version = _records.FirstOrDefault(r => r[0] == Version) is { Length: > 1 } v ? v[1] : null;
        if (version is not (>= 7 and <= 12))
            return null;
        var guids = new Dictionary<ulong, string>();
        foreach (ulong[] record in _records.Where(r => r[0] == ValueGuid))
        {
            if (record.Length < 3 || guids.ContainsKey(record[1]))
                return null;
            guids[record[1]] = string.Join(":", record.Skip(2));
        }

        var modules = new Dictionary<ulong, string>();
        foreach (var module in _modules.Where(m => m.Name.Length > 0))
            modules[module.Id] = Identity(module);

        var globals = new List<string>();
        var summaries = new List<string>();
        var pending = new StringBuilder();
        int last = -1;
        foreach (ulong[] record in _records)
        {
            ulong code = record[0];
            switch (code)
            {
                case ValueGuid:
                    break;
                case Version or Flags or TypeId or BlockCount or StackIds:
                    globals.Add(Words(record));
                    break;
                case >= FirstTypeTestCode and <= LastTypeTestCode:
                    // They hold type ids (GUIDs), and belong to the summary that follows.
                    pending.Append(Words(record)).Append('|');
                    break;
                case OriginalName:
                    if (last < 0)
                        return null;
                    summaries[last] += "|" + Words(record);
                    break;
                case Combined or CombinedProfile or CombinedVariable or CombinedAlias:
                    if (Summary(record, guids, modules) is not string summary)
                        return null;
                    summaries.Add(pending + summary);
                    pending.Clear();
                    last = summaries.Count - 1;
                    break;
                default:
                    return null;
            }
        }

        if (pending.Length > 0)
            return null;
        globals.Sort(StringComparer.Ordinal);
        summaries.Sort(StringComparer.Ordinal);
        return globals.Concat(summaries).ToList();
    }

    /// <summary>One summary with its value ids as GUIDs and its module as its name; null where an id or module is unknown.</summary>
    private static string? Summary(ulong[] record, Dictionary<ulong, string> guids, Dictionary<ulong, string> modules)
    {
        // Operands start at record[1]: [valueid, modid, flags, ...].
        int count = record.Length - 1;
        if (count < 3 || !modules.TryGetValue(record[2], out string? module))
            return null;
        var valueIds = new List<int> { 1 };
        switch (record[0])
        {
            case Combined or CombinedProfile:
            {
                // [valueid, modid, flags, instcount, fflags, entrycount, numrefs, rorefcnt, worefcnt, numrefs x valueid, calls]
                if (count < 9 || record[7] > (ulong)(count - 9))
                    return null;
                int refs = 1 + 9, calls = refs + (int)record[7];
                for (int i = refs; i < calls; i++)
                    valueIds.Add(i);
                int stride = record[0] == CombinedProfile ? 2 : 1;
                if ((record.Length - calls) % stride != 0)
                    return null;
                for (int i = calls; i < record.Length; i += stride)
                    valueIds.Add(i);
                break;
            }
            case CombinedVariable:
                // [valueid, modid, flags, varflags, n x valueid]
                if (count < 4)
                    return null;
                for (int i = 1 + 4; i < record.Length; i++)
                    valueIds.Add(i);
                break;
            default:
                // CombinedAlias: [valueid, modid, flags, aliasee valueid]
                if (count != 4)
                    return null;
                valueIds.Add(4);
                break;
        }

        var words = record.Select(word => word.ToString()).ToArray();
        foreach (int i in valueIds)
        {
            if (!guids.TryGetValue(record[i], out string? guid))
                return null;
            words[i] = "g" + guid;
        }

        words[2] = "m" + module;
        return string.Join(",", words);
    }

    /// <summary>A module as the canonical form names it: its name (without its place in an archive) and its content hash, or the hash alone.</summary>
    private string Identity((ulong Id, string Name, ulong[] Hash) module) =>
        (_modulesByContent && module.Hash.Length > 0 ? "" : module.Name) + "#" + string.Join(",", module.Hash);

    private static string Words(ulong[] record) => string.Join(",", record);

    private static void WriteWords(BinaryWriter writer, ulong[] record)
    {
        writer.Write(record.Length);
        foreach (ulong word in record)
            writer.Write(word);
    }
}
