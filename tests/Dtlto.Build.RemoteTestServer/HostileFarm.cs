using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Google.Protobuf;
using Grpc.Core;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>How the test server misbehaves, as a faulty worker, a broken proxy or a hostile peer does.</summary>
public enum Hostility
{
    None,

    /// <summary>Every output is replaced by random bytes of the same length, under the digest of those bytes, and cached so.</summary>
    RandomOutputs,

    /// <summary>The CAS gives other bytes than the digest asked for (one byte flipped).</summary>
    TamperedBlobs,

    /// <summary>The result lists the object twice.</summary>
    DuplicatePaths,

    /// <summary>The object's digest claims 50 GB.</summary>
    HugeDeclaredSize,

    /// <summary>The result also lists outputs nobody asked for, some outside the working directory, each holding a real object.</summary>
    ExtraAndEscapingPaths,

    /// <summary>ByteStream Read sends chunks and never ends (bounded here at 8 GiB, or the client's cancel).</summary>
    EndlessByteStream,

    /// <summary>Compressed reads (batch and ByteStream) give a zstd frame that expands to 1 GiB.</summary>
    ZstdBomb,

    /// <summary>Every action fails with exit code 1 and a line of text, and no outputs: a worker without a compiler.</summary>
    ExitCodeWithText,

    /// <summary>Execute's last operation carries no ExecuteResponse.</summary>
    GarbageOperation,
}

/// <summary>The test server's hostile modes (<see cref="ServerState.Hostility"/>), applied where an honest server would answer.</summary>
internal static class HostileFarm
{
    private static readonly Lazy<byte[]> Bomb = new(() =>
    {
        using var compressor = new ZstdSharp.Compressor(19);
        return compressor.Wrap(new byte[1 << 30]).ToArray();
    });

    /// <summary>The result a hostile worker gives instead of <paramref name="result"/>.</summary>
    public static void Corrupt(ServerState state, ActionResult result)
    {
        switch (state.Hostility)
        {
            case Hostility.RandomOutputs:
                foreach (OutputFile file in result.OutputFiles)
                {
                    byte[] garbage = new byte[file.Digest.SizeBytes];
                    Random.Shared.NextBytes(garbage);
                    file.Digest = new Digest { Hash = CasService.Hash(garbage), SizeBytes = garbage.LongLength };
                    state.Put(garbage, file.Digest);
                }

                break;
            case Hostility.DuplicatePaths:
                result.OutputFiles.Add(result.OutputFiles.First().Clone());
                break;
            case Hostility.HugeDeclaredSize:
                result.OutputFiles[0].Digest = new Digest { Hash = result.OutputFiles[0].Digest.Hash, SizeBytes = 50_000_000_000 };
                break;
            case Hostility.ExtraAndEscapingPaths:
                OutputFile real = result.OutputFiles.First();
                foreach (string path in new[] { "../../escaped.o", "/tmp/dtlto-absolute-escape.o", "extra.o" })
                    result.OutputFiles.Add(new OutputFile { Path = path, Digest = real.Digest });
                break;
            case Hostility.ExitCodeWithText:
                result.ExitCode = 1;
                result.StderrRaw = ByteString.CopyFromUtf8("worker: clang: No such file or directory\n");
                result.OutputFiles.Clear();
                break;
        }
    }

    /// <summary>A blob's bytes as the CAS gives them: flipped when tampering.</summary>
    public static byte[] Served(ServerState state, byte[] data)
    {
        if (state.Hostility != Hostility.TamperedBlobs || data.Length == 0)
            return data;
        byte[] copy = (byte[])data.Clone();
        copy[copy.Length / 2] ^= 0x40;
        return copy;
    }

    /// <summary>A compressed blob as the CAS gives it: the bomb, when bombing.</summary>
    public static byte[] Compressed(ServerState state, byte[] compressed) => state.Hostility == Hostility.ZstdBomb ? Bomb.Value : compressed;

    /// <summary>Writes chunks of zeros until the client goes away (or 8 GiB, so that a client with no bound cannot take the machine).</summary>
    public static async Task SendForeverAsync(IServerStreamWriter<ReadResponse> stream, CancellationToken cancellationToken)
    {
        var chunk = new ReadResponse { Data = ByteString.CopyFrom(new byte[1 << 20]) };
        for (int i = 0; i < 8192 && !cancellationToken.IsCancellationRequested; i++)
            await stream.WriteAsync(chunk, cancellationToken);
    }
}
