using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Tests.Support;

/// <summary>A command started for a test that the test interrupts or kills while it runs.</summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    public BackgroundProcess(string workingDirectory, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        // Through env, which execs the program (the same process id) with SIGINT at its default:
        // a suite started in the background (`cmd &`) has SIGINT ignored, which every child would
        // inherit, and a Ctrl+C test would then wait for a build that never hears it.
        var startInfo = new ProcessStartInfo("env") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add("--default-signal=INT");
        startInfo.ArgumentList.Add(program);
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);
        Command.ApplyEnvironment(startInfo, environment);

        _process = Process.Start(startInfo)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until <paramref name="file"/> exists (a fault injector's "I started"); false if the process ended first or time ran out.</summary>
    public bool WaitForFile(string file, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(file))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                return File.Exists(file);
            Thread.Sleep(50);
        }

        return true;
    }

    public void Signal(string signal) => Command.Run("/", "kill", "-" + signal, _process.Id.ToString());

    /// <summary>Waits for the end; null if it did not end in time.</summary>
    public CommandResult? WaitForExit(TimeSpan timeout) =>
        _process.WaitForExit((int)timeout.TotalMilliseconds)
            ? new CommandResult(_process.ExitCode, _stdout.Result, _stderr.Result)
            : null;

    public string OutputSoFar => (_stdout.IsCompleted ? _stdout.Result : "") + (_stderr.IsCompleted ? _stderr.Result : "");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
