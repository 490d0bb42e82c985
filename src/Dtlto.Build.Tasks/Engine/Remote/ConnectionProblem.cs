using System;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Why the server could not be reached, in words that tell the causes apart (gRPC says
/// "Error connecting to subchannel" for most of them): nothing listens, the name is unknown, no
/// route, the TLS handshake failed, or the server took the connection and never answered.
/// </summary>
internal static class ConnectionProblem
{
    public static string Describe(Exception failure, RemoteSettings settings)
    {
        string host = settings.Endpoint.Host;
        int port = settings.Endpoint.Port;
        foreach (Exception e in Causes(failure))
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => $"connection refused: nothing listens on {host} port {port}",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"the host name '{host}' was not found",
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"no route to {host}",
                        SocketError.TimedOut => $"{host} port {port} did not answer the connection",
                        _ => socket.Message,
                    };
                case AuthenticationException tls:
                    return "TLS: the handshake with the server failed: " + tls.Message;
                case RemoteCallTimeoutException timeout:
                    return $"no answer within {timeout.Timeout.TotalSeconds:0.#} s ({timeout.Call}): something accepted the connection on {host} port {port} and never answered";
                case RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } denied:
                    return $"the server refused this client ({denied.StatusCode}: {denied.Status.Detail})";
            }
        }

        return failure is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : failure.Message;
    }

    /// <summary>The exception and what it wraps, gRPC's debug exception included, outermost first.</summary>
    private static System.Collections.Generic.IEnumerable<Exception> Causes(Exception failure)
    {
        var pending = new System.Collections.Generic.Stack<Exception>();
        pending.Push(failure);
        for (int seen = 0; pending.Count > 0 && seen < 32; seen++)
        {
            Exception e = pending.Pop();
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions)
                    pending.Push(inner);
            }
            else if (e.InnerException is Exception inner)
            {
                pending.Push(inner);
            }

            if (e is RpcException { Status.DebugException: Exception debug })
                pending.Push(debug);
        }
    }
}
