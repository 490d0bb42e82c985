using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace Dtlto.Build.RemoteTestServer;

/// <summary>
/// Runs the test server until stdin closes, Ctrl+C or SIGTERM: prints "listening grpc://127.0.0.1:PORT" first.
/// <c>dtlto-remote-test-server [port] [--max-executions N] [--no-zstd] [--workers N] [--latency-ms MS] [--simulate-workers N --jobs TABLE]</c>;
/// a line "stats" on stdin prints the server's counters as one line of JSON.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int port = args.Length > 0 && int.TryParse(args[0], out int given) ? given : 0;
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(
            state =>
            {
                if (Option("--workers") is string real)
                    state.Workers = int.Parse(real);
                if (Option("--latency-ms") is string latency && Option("--simulate-workers") is null)
                    state.ExecuteDelay = TimeSpan.FromMilliseconds(double.Parse(latency));
                if (args.Contains("--no-zstd"))
                    state.Zstd = false;
                if (Option("--max-executions") is string cap)
                    state.MaxConcurrentExecutions = int.Parse(cap);
                if (Option("--simulate-workers") is string workers)
                {
                    var table = Option("--jobs") is string path ? SimulatedFarm.ReadTable(path) : new System.Collections.Generic.Dictionary<string, SimulatedJob>();
                    state.Simulation = new SimulatedFarm(int.Parse(workers), TimeSpan.FromMilliseconds(double.Parse(Option("--latency-ms") ?? "0")), table);
                }
            },
            port);
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
            while (Console.In.ReadLine() is string line)
            {
                if (line.Trim() == "stats")
                {
                    Console.WriteLine(Stats(server.State));
                    Console.Out.Flush();
                }
            }
        });
        await Task.WhenAny(stdinClosed, stop.Task);
        return 0;
    }

    private static string Stats(ServerState state) => JsonSerializer.Serialize(new
    {
        calls = state.Calls.ToDictionary(c => c.Key, c => c.Value),
        bytes_received = state.BytesReceived,
        bytes_sent = state.BytesSent,
        executed = state.Executed.Count,
        peak_executing = state.PeakExecuting,
        pushed_back = state.PushedBack,
        cas_blobs = state.Cas.Count,
    });
}
