using System;
using System.IO;
using System.IO.Pipes;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Handoff;

/// <summary>
/// The distributor's end of the handoff: tells the build which job list lld wrote and waits for
/// the build to run it.
/// </summary>
public static class HandoffClient
{
    /// <summary>Hands the job list over and returns the build's verdict.</summary>
    public static async Task<(bool Succeeded, string Message)> HandOverAsync(string pipeName, string jobListPath, string workingDirectory, TimeSpan connectTimeout)
    {
#if NET
        // Only a build of the same user: a pipe another account made under this name is not it.
        using var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
#else
        using var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
#endif
        try
        {
            await pipe.ConnectAsync((int)connectTimeout.TotalMilliseconds).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or UnauthorizedAccessException)
        {
            throw new HandoffException($"cannot reach the build that started this link (pipe '{pipeName}'): {e.Message}", e);
        }

        try
        {
            await HandoffProtocol.WriteJobListReadyAsync(pipe, jobListPath, workingDirectory).ConfigureAwait(false);
            return await HandoffProtocol.ReadResultAsync(pipe).ConfigureAwait(false)
                ?? throw new HandoffException("the build ended before the backend compiles finished");
        }
        catch (IOException e)
        {
            throw new HandoffException($"the connection to the build broke: {e.Message}", e);
        }
    }
}
