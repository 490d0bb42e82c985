using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace Dtlto.Build.Tests.Support;

/// <summary>Runs a program for a test, with standard output and error kept apart.</summary>
public static class Command
{
    public static CommandResult Run(string workingDirectory, string program, params string[] arguments) =>
        Run(workingDirectory, program, (IEnumerable<string>)arguments);

    public static CommandResult Run(
        string workingDirectory,
        string program,
        IEnumerable<string> arguments,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);
        ApplyEnvironment(startInfo, environment);

        using Process process = Process.Start(startInfo)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }

        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Sets the variables given, and removes those given as null.</summary>
    public static void ApplyEnvironment(ProcessStartInfo startInfo, IReadOnlyDictionary<string, string?>? environment)
    {
        foreach (KeyValuePair<string, string?> variable in environment ?? new Dictionary<string, string?>())
        {
            if (variable.Value is null)
                startInfo.Environment.Remove(variable.Key);
            else
                startInfo.Environment[variable.Key] = variable.Value;
        }
    }
}
