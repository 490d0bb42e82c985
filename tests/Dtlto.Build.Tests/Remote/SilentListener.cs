using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Dtlto.Build.Tests.Remote;

/// <summary>Accepts every connection and never sends a byte, as a hung server or a wrong port behind a proxy does.</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = new();
    private readonly Task _accepting;

    public SilentListener()
    {
        _listener.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    Socket socket = await _listener.AcceptSocketAsync();
                    lock (_accepted)
                        _accepted.Add(socket);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(5));
        lock (_accepted)
            _accepted.ForEach(s => s.Dispose());
    }
}
