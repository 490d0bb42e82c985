using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Dtlto.Build.Distributor;

/// <summary>
/// Turns SIGINT, SIGTERM and SIGHUP (Ctrl+C and Ctrl+Break on Windows) into a cancellation, so
/// that the running backend compiles are killed before the distributor exits instead of
/// outliving it.
/// </summary>
public sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    public SignalCancellation()
    {
        _registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        };
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Cancels as a signal would, for other reasons to stop.</summary>
    public void Cancel() => _source.Cancel();

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive until the children are gone; Main then exits non-zero.
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
        _source.Dispose();
    }
}
