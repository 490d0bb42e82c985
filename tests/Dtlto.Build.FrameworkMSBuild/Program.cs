using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.Build.Logging;
using Mono.Unix;
using Mono.Unix.Native;

namespace Dtlto.Build.FrameworkMSBuild;

/// <summary>
/// <c>mono MSBuild.exe project [-t:targets] [-p:name=value]... [-v:q|m|n|d|diag]</c>: one build
/// in the engine's own process (the in-process node, as Visual Studio builds a project), logged
/// to the console; exit code 0 when it succeeded. SIGINT (Ctrl+C) or SIGTERM cancels the build
/// as Visual Studio's Cancel does, through BuildManager.CancelAllSubmissions.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string? project = null;
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var targets = new List<string>();
        LoggerVerbosity verbosity = LoggerVerbosity.Normal;
        foreach (string argument in args)
        {
            if (argument.StartsWith("-p:", StringComparison.Ordinal))
            {
                string[] pair = argument.Substring(3).Split(new[] { '=' }, 2);
                properties[pair[0]] = pair.Length > 1 ? pair[1] : "";
            }
            else if (argument.StartsWith("-t:", StringComparison.Ordinal))
            {
                targets.AddRange(argument.Substring(3).Split(';', ','));
            }
            else if (argument.StartsWith("-v:", StringComparison.Ordinal))
            {
                verbosity = Verbosity(argument.Substring(3));
            }
            else if (project is null && !argument.StartsWith("-", StringComparison.Ordinal))
            {
                project = argument;
            }
            else
            {
                Console.Error.WriteLine($"MSBuild.exe: unknown argument '{argument}'");
                return 2;
            }
        }

        if (project is null)
        {
            Console.Error.WriteLine("usage: MSBuild.exe project [-t:targets] [-p:name=value]... [-v:q|m|n|d|diag]");
            return 2;
        }

        var parameters = new BuildParameters
        {
            Loggers = new ILogger[] { new ConsoleLogger(verbosity) },
            MaxNodeCount = 1,
            EnableNodeReuse = false,
        };
        var request = new BuildRequestData(project, properties, null, targets.Count > 0 ? targets.ToArray() : new[] { "Build" }, null);
        var cancel = new Thread(() =>
        {
            UnixSignal.WaitAny(new[] { new UnixSignal(Signum.SIGINT), new UnixSignal(Signum.SIGTERM) });
            BuildManager.DefaultBuildManager.CancelAllSubmissions();
        })
        { IsBackground = true };
        cancel.Start();
        BuildResult result = BuildManager.DefaultBuildManager.Build(parameters, request);
        return result.OverallResult == BuildResultCode.Success ? 0 : 1;
    }

    private static LoggerVerbosity Verbosity(string name) => name switch
    {
        "q" or "quiet" => LoggerVerbosity.Quiet,
        "m" or "minimal" => LoggerVerbosity.Minimal,
        "d" or "detailed" => LoggerVerbosity.Detailed,
        "diag" or "diagnostic" => LoggerVerbosity.Diagnostic,
        _ => LoggerVerbosity.Normal,
    };
}
