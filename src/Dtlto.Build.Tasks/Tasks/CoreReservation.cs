using System;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Cores reserved from MSBuild's shared pool (IBuildEngine9.RequestCores), so that several
/// projects of a <c>-m</c> build that each run processes in parallel do not oversubscribe the
/// machine. Hosts without resource management get the processor count. Released on dispose.
/// </summary>
internal sealed class CoreReservation : IDisposable
{
    private readonly IBuildEngine9? _engine;

    private CoreReservation(IBuildEngine9? engine, int cores)
    {
        _engine = engine;
        Cores = cores;
    }

    public int Cores { get; }

    public static CoreReservation Request(IBuildEngine engine, int wanted)
    {
        wanted = Math.Max(1, wanted);
        if (engine is IBuildEngine9 resourceManaged)
        {
            try
            {
                return new CoreReservation(resourceManaged, Math.Max(1, resourceManaged.RequestCores(wanted)));
            }
            catch (NotImplementedException)
            {
                // Hosts such as test engines implement the interface without the pool.
            }
        }

        return new CoreReservation(null, Math.Min(wanted, Environment.ProcessorCount));
    }

    public void Dispose() => _engine?.ReleaseCores(Cores);
}
