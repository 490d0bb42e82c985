using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;
using Grpc.Core;

namespace Dtlto.Build.RemoteTestServer;

internal sealed class CapabilitiesService : Capabilities.CapabilitiesBase
{
    private readonly ServerState _state;

    public CapabilitiesService(ServerState state) => _state = state;

    public override Task<ServerCapabilities> GetCapabilities(GetCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerCapabilities
        {
            CacheCapabilities = new CacheCapabilities
            {
                DigestFunctions = { DigestFunction.Types.Value.Sha256 },
                ActionCacheUpdateCapabilities = new ActionCacheUpdateCapabilities { UpdateEnabled = _state.UpdateEnabled },
                MaxBatchTotalSizeBytes = _state.MaxBatchTotalSizeBytes,
                SupportedCompressors = { _state.Zstd ? new[] { Compressor.Types.Value.Zstd } : System.Array.Empty<Compressor.Types.Value>() },
                SupportedBatchUpdateCompressors = { _state.Zstd ? new[] { Compressor.Types.Value.Zstd } : System.Array.Empty<Compressor.Types.Value>() },
            },
            ExecutionCapabilities = new ExecutionCapabilities { DigestFunction = DigestFunction.Types.Value.Sha256, ExecEnabled = _state.ExecEnabled },
        });
}
