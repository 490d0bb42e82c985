using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// A program started from an argument vector, never through a shell, so that any character in a
/// path reaches it unchanged. Standard output and error are captured together; standard input is
/// closed. <see cref="Kill"/> ends the process and everything it started.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Stopwatch _stopwatch;
    private readonly TaskCompletionSource<bool> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killed;

    private ChildProcess(Process process, Stopwatch stopwatch)
    {
        _process = process;
        _stopwatch = stopwatch;
    }

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="argv"/>; throws <see cref="ChildProcessStartException"/> if it cannot run.</summary>
    /// <param name="onLine">Hears each line as it arrives, and whether it came on standard error.</param>
    public static ChildProcess Start(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, Action<string, bool>? onLine = null)
    {
        if (argv.Count == 0)
            throw new ArgumentException("The argument vector is empty.", nameof(argv));

        var process = new Process { StartInfo = CreateStartInfo(argv, workingDirectory, environment), EnableRaisingEvents = true };
        var child = new ChildProcess(process, Stopwatch.StartNew());
        process.Exited += (_, _) => child._exited.TrySetResult(true);
        process.OutputDataReceived += (_, e) =>
        {
            child.Append(e.Data);
            if (e.Data is not null)
                onLine?.Invoke(e.Data, false);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            child.Append(e.Data);
            if (e.Data is not null)
                onLine?.Invoke(e.Data, true);
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new ChildProcessStartException($"cannot run '{argv[0]}': {e.Message}", e);
        }

        // Closing standard input keeps a program that reads it from waiting on the terminal.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when the process has exited, without waiting for its output to drain.</summary>
    public Task Exited => _exited.Task;

    /// <summary>
    /// Waits for the process to exit; cancelling kills it (and its children) and still waits for
    /// it to be gone before returning.
    /// </summary>
    public async Task<ProcessResult> WaitAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(Kill))
            await _exited.Task.ConfigureAwait(false);

        // The parameterless wait also drains the redirected streams.
        _process.WaitForExit();
        _stopwatch.Stop();
        return new ProcessResult(_process.ExitCode, Output, _stopwatch.Elapsed, _killed, startError: null);
    }

    /// <summary>What the process has printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public void Kill()
    {
        _killed = true;
        try
        {
#if NETFRAMEWORK
            ProcessTree.Kill(_process);
#else
            _process.Kill(entireProcessTree: true);
#endif
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting while we tried; the exit event still fires.
        }
    }

    public void Dispose()
    {
        if (!_exited.Task.IsCompleted)
        {
            Kill();
            _exited.Task.Wait(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Append(line).Append('\n');
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
#if NETFRAMEWORK
        var rest = new List<string>();
        for (int i = 1; i < argv.Count; i++)
            rest.Add(argv[i]);
        startInfo.Arguments = WindowsCommandLine.Join(rest);
#else
        for (int i = 1; i < argv.Count; i++)
            startInfo.ArgumentList.Add(argv[i]);
#endif
        if (environment is not null)
        {
            foreach (KeyValuePair<string, string> variable in environment)
                startInfo.Environment[variable.Key] = variable.Value;
        }

        return startInfo;
    }
}
