using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// File digests kept between links (digests-v1.tsv in the link's cache folder), so that an
/// unchanged toolchain (about 213 MB for Debian's LLVM 22) and unchanged bitcode are not hashed
/// again on every link. An entry holds only while the file's <see cref="FileIdentity"/> is the
/// same. The file is read once per process, in the background from the moment the store is
/// opened (a store of a developer's many links holds tens of thousands of entries: reading it
/// would hold up a link's first job), and written back, whole, through a temporary and a rename;
/// one that cannot be read or written only costs hashing.
/// </summary>
internal sealed class DigestStore
{
    /// <summary>Entries kept at most; the least recently used go first.</summary>
    private const int MaxEntries = 200_000;

    private readonly string _file;
    // One entry per path: a file rewritten in every link (an extracted archive member) replaces its own entry.
    private readonly ConcurrentDictionary<string, (FileIdentity Identity, FileDigest Digest, long Used)> _entries = new(StringComparer.Ordinal);
    private long _clock;
    private int _changed;
    private Task? _loading;

    private DigestStore(string folder)
    {
        Folder = folder;
        _file = Path.Combine(folder, "digests-v1.tsv");
    }

    /// <summary>The store's entries, once it has been read.</summary>
    private ConcurrentDictionary<string, (FileIdentity Identity, FileDigest Digest, long Used)> Entries
    {
        get
        {
            _loading!.GetAwaiter().GetResult();
            return _entries;
        }
    }

    /// <summary>The cache folder the store lives in.</summary>
    public string Folder { get; }

    public static DigestStore Open(string folder)
    {
        var store = new DigestStore(folder);
        store._loading = Task.Run(store.Load);
        return store;
    }

    /// <summary>Digests found here rather than hashed, in this process.</summary>
    public int Hits;

    public FileDigest? Find(FileIdentity identity)
    {
        if (!Entries.TryGetValue(identity.Path, out var entry) || entry.Identity != identity)
            return null;
        _entries[identity.Path] = (identity, entry.Digest, System.Threading.Interlocked.Increment(ref _clock) + MaxEntries);
        System.Threading.Interlocked.Increment(ref Hits);
        return entry.Digest;
    }

    public void Add(FileIdentity identity, FileDigest digest)
    {
        Entries[identity.Path] = (identity, digest, System.Threading.Interlocked.Increment(ref _clock) + MaxEntries);
        System.Threading.Interlocked.Exchange(ref _changed, 1);
    }

    private void Load()
    {
        try
        {
            if (!File.Exists(_file))
                return;
            long order = 0;
            foreach (string line in File.ReadLines(_file))
            {
                string[] f = line.Split('\t');
                if (f.Length != 6 || !long.TryParse(f[1], out long size) || !long.TryParse(f[2], out long modified)
                    || !ulong.TryParse(f[3], out ulong inode) || !long.TryParse(f[4], out long changed) || f[5].Length != 64)
                    continue;
                _entries[f[0]] = (new FileIdentity(f[0], size, modified, inode, changed), new FileDigest(f[5], size), order++);
            }

            _clock = order;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable store only costs hashing.
        }
    }

    /// <summary>Writes the store back if this process added to it since it last did; false when it could not be written.</summary>
    public bool Save()
    {
        _loading!.GetAwaiter().GetResult();
        if (System.Threading.Interlocked.Exchange(ref _changed, 0) == 0)
            return true;
        try
        {
            var text = new StringBuilder();
            foreach (var entry in _entries.Where(e => e.Key.IndexOfAny(new[] { '\t', '\n', '\r' }) < 0).OrderByDescending(e => e.Value.Used).Take(MaxEntries).Reverse())
            {
                FileIdentity id = entry.Value.Identity;
                text.Append(id.Path).Append('\t').Append(id.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                    .Append(id.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(id.Inode.ToString(CultureInfo.InvariantCulture)).Append('\t')
                    .Append(id.ChangedNanoseconds.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(entry.Value.Digest.Hash).Append('\n');
            }

            WholeFile.Write(_file, text.ToString());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            System.Threading.Interlocked.Exchange(ref _changed, 1);
            return false;
        }
    }
}
