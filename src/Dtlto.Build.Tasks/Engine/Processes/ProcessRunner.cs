using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Runs a program from an argument vector, never through a shell, so that any character in a
/// path reaches the program unchanged. Output is captured; cancellation kills the process and
/// everything it started, and the call returns only once the process is gone.
/// </summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> argv, string workingDirectory, CancellationToken cancellationToken)
    {
        if (argv.Count == 0)
            throw new ArgumentException("The argument vector is empty.", nameof(argv));

        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = CreateStartInfo(argv, workingDirectory), EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(true);
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);

        if (cancellationToken.IsCancellationRequested)
            return new ProcessResult(-1, "", TimeSpan.Zero, stopped: true, startError: null);

        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(-1, "", stopwatch.Elapsed, stopped: false, startError: $"cannot run '{argv[0]}': {e.Message}");
        }

        // Backend compilers never read standard input; closing it keeps one that tries from
        // waiting on the terminal.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool stopped = false;
        using (cancellationToken.Register(() =>
        {
            stopped = true;
            Kill(process);
        }))
        {
            await exited.Task.ConfigureAwait(false);
        }

        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        stopwatch.Stop();
        string text;
        lock (output)
            text = output.ToString();
        return new ProcessResult(process.ExitCode, text, stopwatch.Elapsed, stopped, startError: null);
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, string workingDirectory)
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
        startInfo.Arguments = WindowsCommandLine.Join(Skip1(argv));
#else
        for (int i = 1; i < argv.Count; i++)
            startInfo.ArgumentList.Add(argv[i]);
#endif
        return startInfo;
    }

#if NETFRAMEWORK
    private static IEnumerable<string> Skip1(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
            yield return argv[i];
    }
#endif

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.Append(line).Append('\n');
    }

    private static void Kill(Process process)
    {
        try
        {
#if NETFRAMEWORK
            process.Kill();
#else
            process.Kill(entireProcessTree: true);
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
}
