using System;

namespace Dtlto.Build.Engine.Remote;

/// <summary>The farm could not do its part (unreachable, refused, or failed an action for reasons of its own).</summary>
public class RemoteExecutionException : Exception
{
    public RemoteExecutionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The connection's security is misconfigured (the server's certificate, the client's): the link fails, strict or not, and nothing is tried without it.</summary>
public sealed class RemoteTlsException : RemoteExecutionException
{
    public RemoteTlsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A call the server accepted and did not answer within its deadline: a farm failure that names the call.</summary>
public sealed class RemoteCallTimeoutException : RemoteExecutionException
{
    public RemoteCallTimeoutException(string call, TimeSpan timeout, Exception inner)
        : base($"{call} got no answer from the server within {timeout.TotalSeconds:0.#} s", inner)
    {
        Call = call;
        Timeout = timeout;
    }

    public string Call { get; }

    /// <summary>The deadline the call had.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether <paramref name="e"/> is this client's deadline passing, rather than the server's own DEADLINE_EXCEEDED answer or the caller's cancellation.</summary>
    internal static bool IsOurs(Grpc.Core.RpcException e, TimeSpan elapsed, TimeSpan timeout, System.Threading.CancellationToken cancellationToken) =>
        e.StatusCode == Grpc.Core.StatusCode.DeadlineExceeded && !cancellationToken.IsCancellationRequested && elapsed >= timeout - TimeSpan.FromMilliseconds(100);
}

/// <summary>An answer of the farm that cannot be used (malformed, or an output that is not what it claims): a farm failure that names the action.</summary>
public sealed class RemoteAnswerException : RemoteExecutionException
{
    internal RemoteAnswerException(RemoteAction action, JobLists.BackendJob job, string what, Exception? inner = null)
        : base($"the farm's result of action {action.Digest.Hash.Substring(0, 12)} ({job.ModuleName}) cannot be used: {what}", inner)
    {
    }
}
