using System;
using System.IO.Pipes;
#if !NET
using System.Security.AccessControl;
using System.Security.Principal;
#endif
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Handoff;

/// <summary>
/// The build's end of the handoff: a local pipe (a Unix domain socket on Linux and macOS, a
/// named pipe on Windows) that the distributor started by lld connects to. Only the current
/// user's processes get in (on Unix the peer's credentials are checked, whatever the socket
/// file's permissions, by .NET's CurrentUserOnly or, in the .NET Framework build under Mono, by
/// <see cref="UnixPeerCredentials"/>; on Windows the pipe's ACL names the user alone): on a shared build machine,
/// another account cannot hand the build a job list of its own. Such a connection is turned away
/// and the build goes on waiting for lld's.
/// </summary>
public sealed class HandoffServer : IDisposable
{
    private readonly NamedPipeServerStream _pipe;

    public HandoffServer()
    {
        // Short and unique: on Unix the name becomes a socket path, whose length is limited.
        PipeName = "dtlto-" + Guid.NewGuid().ToString("N").Substring(0, 16);
#if NET
        _pipe = new NamedPipeServerStream(PipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
#else
        if (UnixPeerCredentials.IsUnix)
        {
            // Mono on Unix: a socket whose peer is checked after each connection (see WaitForJobListAsync).
            _pipe = new NamedPipeServerStream(PipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
        }
        else
        {
            var security = new PipeSecurity();
            security.AddAccessRule(new PipeAccessRule(WindowsIdentity.GetCurrent().User, PipeAccessRights.ReadWrite, AccessControlType.Allow));
            _pipe = new NamedPipeServerStream(PipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous, 0, 0, security);
        }
#endif
    }

    /// <summary>Connections of other users turned away so far.</summary>
    public int Refused { get; private set; }

    public string PipeName { get; }

    /// <summary>Waits for the distributor to connect and say which job list lld wrote.</summary>
    public async Task<(string JobList, string WorkingDirectory)> WaitForJobListAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Cancellable(_pipe.WaitForConnectionAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
#if !NET
                if (UnixPeerCredentials.IsUnix && !UnixPeerCredentials.IsCurrentUser(_pipe.SafePipeHandle.DangerousGetHandle()))
                {
                    _pipe.Disconnect();
                    Refused++;
                    continue;
                }
#endif
                break;
            }
            catch (UnauthorizedAccessException)
            {
                Refused++;
            }
        }

        return await HandoffProtocol.ReadJobListReadyAsync(_pipe).ConfigureAwait(false)
            ?? throw new HandoffException("the distributor connected but did not send a job list");
    }

    /// <summary>
    /// The wait for a connection, ended by <paramref name="cancellationToken"/> however the
    /// runtime waits: Mono's pipes do not watch the token, and a link whose lld ended without
    /// connecting must not wait for ever. What the abandoned wait ends with is observed here.
    /// </summary>
    private static async Task Cancellable(Task connecting, CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(connecting, cancelled.Task).ConfigureAwait(false) == connecting)
            {
                await connecting.ConfigureAwait(false);
                return;
            }
        }

        _ = connecting.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Tells the distributor how the backend compiles went; it exits accordingly.</summary>
    public async Task SendResultAsync(bool succeeded, string message)
    {
        try
        {
            await HandoffProtocol.WriteResultAsync(_pipe, succeeded, message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.IO.IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The distributor is gone (lld was killed); the link's own exit status tells the rest.
        }
    }

    public void Dispose() => _pipe.Dispose();
}
