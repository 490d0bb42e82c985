using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Dtlto.Build.Distributor;

/// <summary>
/// Notices when the process that started the distributor (lld) is gone, e.g. killed by the OOM
/// killer or SIGKILL: on Linux and macOS the distributor is then re-parented, so a change of
/// parent process id means lld will never collect the results, and the running compiles are
/// stopped instead of running on as orphans.
/// </summary>
public sealed class ParentProcessWatch : IDisposable
{
    private readonly Timer? _timer;
    private readonly int _parent;

    public ParentProcessWatch(Action parentGone, TimeSpan interval)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            return;
        _parent = getppid();
        _timer = new Timer(_ =>
        {
            if (getppid() != _parent)
                parentGone();
        }, null, interval, interval);
    }

    public void Dispose() => _timer?.Dispose();

    [DllImport("libc", SetLastError = false)]
    private static extern int getppid();
}
