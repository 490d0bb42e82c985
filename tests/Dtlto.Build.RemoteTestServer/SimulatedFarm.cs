using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf.WellKnownTypes;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>
/// A farm of many workers on one machine, for measuring the client at scale: an action is not run
/// but waits for one of <see cref="Workers"/> virtual workers, then for the scheduling latency and
/// its recorded duration, and returns an object of its recorded size (a valid ELF header before
/// bytes unique to the action). Durations and sizes come from a table keyed by module, as the
/// benchmark's job-list generator writes it; the module is read from the action's output name.
/// </summary>
internal sealed class SimulatedFarm
{
    private readonly SemaphoreSlim _workers;
    private readonly IReadOnlyDictionary<string, SimulatedJob> _jobs;

    public SimulatedFarm(int workers, TimeSpan latency, IReadOnlyDictionary<string, SimulatedJob> jobs)
    {
        Workers = workers;
        Latency = latency;
        _workers = new SemaphoreSlim(workers);
        _jobs = jobs;
    }

    public int Workers { get; }

    /// <summary>Time between a worker being free and the action starting on it: the farm's scheduling.</summary>
    public TimeSpan Latency { get; }

    /// <summary>
    /// Reads a table of "module seconds output-bytes [object-file]" lines (tab-separated). With an
    /// object file, the farm returns that real object (compiled beforehand), so the link works.
    /// </summary>
    public static IReadOnlyDictionary<string, SimulatedJob> ReadTable(string path)
    {
        var jobs = new Dictionary<string, SimulatedJob>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            string[] fields = line.TrimEnd('\n', '\r').Split('\t');
            if (fields.Length >= 3 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && long.TryParse(fields[2], out long bytes))
                jobs[fields[0]] = new SimulatedJob(seconds, bytes, fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null);
        }

        return jobs;
    }

    public async Task<ActionResult> RunAsync(ServerState state, Digest actionDigest, Command command, ExecutedActionMetadata metadata, Func<Task> started, CancellationToken cancellationToken)
    {
        string output = command.OutputPaths.Count > 0 ? command.OutputPaths[0] : "out.o";
        string module = Path.GetFileName(output);
        module = module.EndsWith(".native.o", StringComparison.Ordinal) ? module.Substring(0, module.Length - ".native.o".Length) : module;
        SimulatedJob job = _jobs.TryGetValue(module, out SimulatedJob? known) ? known : new SimulatedJob(0.1, 4096, null);

        await _workers.WaitAsync(cancellationToken);
        try
        {
            metadata.WorkerStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            await started();
            await Task.Delay(Latency, cancellationToken);
            metadata.InputFetchStartTimestamp = metadata.InputFetchCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            metadata.ExecutionStartTimestamp = metadata.InputFetchCompletedTimestamp;
            await Task.Delay(TimeSpan.FromSeconds(job.Seconds), cancellationToken);
            metadata.ExecutionCompletedTimestamp = metadata.OutputUploadStartTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            byte[] data = job.ObjectFile is string real ? await File.ReadAllBytesAsync(real, cancellationToken) : ObjectOfSize(job.Bytes, actionDigest.Hash);
            var digest = new Digest { Hash = CasService.Hash(data), SizeBytes = data.LongLength };
            state.Put(data, digest);
            metadata.OutputUploadCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow);
            var result = new ActionResult { ExitCode = 0 };
            result.OutputFiles.Add(new OutputFile { Path = output, Digest = digest });
            return result;
        }
        finally
        {
            _workers.Release();
        }
    }

    /// <summary>
    /// An ELF64 relocatable object of the size asked for that passes the object check: its header,
    /// a one-byte section name table, the action's digest and random bytes, and a table of two
    /// section headers (the null section and the name table) at its end.
    /// </summary>
    private static readonly byte[] RandomPool = PoolOfRandomBytes(1 << 22);

    private static byte[] PoolOfRandomBytes(int size)
    {
        var pool = new byte[size];
        new Random(1).NextBytes(pool);
        return pool;
    }

    private static byte[] ObjectOfSize(long size, string seed)
    {
        var data = new byte[Math.Max(256, size)];
        // Bytes of a pool drawn once, from a place the seed picks, then the seed itself: every
        // action's object differs, at the cost of a copy (drawing each object's bytes afresh took
        // a tenth of the simulated farm's CPU, which shares the cores with the client measured).
        int start = (int)((uint)seed.GetHashCode(StringComparison.Ordinal) % (uint)RandomPool.Length);
        for (int at = 0; at < data.Length;)
        {
            int length = Math.Min(data.Length - at, RandomPool.Length - start);
            RandomPool.AsSpan(start, length).CopyTo(data.AsSpan(at));
            at += length;
            start = 0;
        }

        Array.Clear(data, 0, 65);
        System.Text.Encoding.ASCII.GetBytes(seed.AsSpan(0, Math.Min(seed.Length, data.Length - 128 - 65)), data.AsSpan(65));
        new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 }.CopyTo(data, 0);
        BitConverter.TryWriteBytes(data.AsSpan(0x10), (ushort)1);
        BitConverter.TryWriteBytes(data.AsSpan(0x12), (ushort)0x3E);
        BitConverter.TryWriteBytes(data.AsSpan(0x14), 1u);
        int table = data.Length - 128;
        BitConverter.TryWriteBytes(data.AsSpan(0x28), (ulong)table);
        BitConverter.TryWriteBytes(data.AsSpan(0x34), (ushort)64);
        BitConverter.TryWriteBytes(data.AsSpan(0x3A), (ushort)64);
        BitConverter.TryWriteBytes(data.AsSpan(0x3C), (ushort)2);
        BitConverter.TryWriteBytes(data.AsSpan(0x3E), (ushort)1);
        Array.Clear(data, table, 128);
        // Section 1: SHT_STRTAB at offset 64, one null byte (both sections are named "").
        BitConverter.TryWriteBytes(data.AsSpan(table + 64 + 4), 3u);
        BitConverter.TryWriteBytes(data.AsSpan(table + 64 + 0x18), 64ul);
        BitConverter.TryWriteBytes(data.AsSpan(table + 64 + 0x20), 1ul);
        return data;
    }
}

/// <summary>One job of the simulated farm: how long it "runs", and the object it returns (a real file, or one made up of that size).</summary>
internal sealed record SimulatedJob(double Seconds, long Bytes, string? ObjectFile);
