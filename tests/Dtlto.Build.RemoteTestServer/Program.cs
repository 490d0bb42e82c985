using System;
using System.Threading.Tasks;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>Runs the test server until stdin closes, Ctrl+C or SIGTERM: prints "listening grpc://127.0.0.1:PORT" first.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        int port = args.Length > 0 && int.TryParse(args[0], out int given) ? given : 0;
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(port: port);
        Console.WriteLine("listening " + server.Endpoint);
        Console.Out.Flush();
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        Task stdinClosed = Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        await Task.WhenAny(stdinClosed, stop.Task);
        return 0;
    }
}
