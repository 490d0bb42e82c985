using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// Runs Windows images (the COFF executables and DLLs the tests link) under Wine: no display, a
/// prefix of the run's own, and a wine server that stays up between runs (starting one takes
/// seconds, a run with one up a tenth of that). Without Wine the calling test is skipped with
/// that reason; .ci/run installs it.
/// </summary>
public static class Wine
{
    private const string Loader = "/usr/lib/wine/wine64";
    private const string Server = "/usr/lib/wine/wineserver";

    private static readonly Lazy<string> Prefix = new(() =>
        Path.Combine(Path.GetTempPath(), "dtlto-tests", "wine-" + Guid.NewGuid().ToString("N").Substring(0, 8)));

    private static readonly object Starting = new();

    /// <summary>Runs <paramref name="image"/> and returns its exit code and output.</summary>
    public static CommandResult Run(string workingDirectory, string image, params string[] arguments)
    {
        if (!File.Exists(Loader))
            Assert.Inconclusive("Wine is not installed (apt-get install --no-install-recommends wine64; bash eng/install-prerequisites.sh does): running Windows images needs it");
        IReadOnlyDictionary<string, string?> environment = new Dictionary<string, string?>
        {
            ["WINEPREFIX"] = Prefix.Value,
            ["WINEDEBUG"] = "-all",
            ["DISPLAY"] = null,
            ["WAYLAND_DISPLAY"] = null,
        };
        lock (Starting)
        {
            // Kept up for a minute after its last program, so a run of tests pays the start once.
            Detached(workingDirectory, environment, "", Server, "-p60");
        }

        string output = Path.Combine(Prefix.Value + "-output", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(output);
        var all = new List<string> { Loader, image };
        all.AddRange(arguments);
        CommandResult run = Detached(workingDirectory, environment, output, all.ToArray());
        return new CommandResult(run.ExitCode, File.ReadAllText(Path.Combine(output, "stdout")), File.ReadAllText(Path.Combine(output, "stderr")));
    }

    /// <summary>
    /// Runs a Wine program with its output in files (in <paramref name="output"/>, or nowhere):
    /// the wine server and the device services it starts outlive it, and would hold a pipe open.
    /// </summary>
    private static CommandResult Detached(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string output, params string[] argv)
    {
        string redirect = output.Length == 0 ? ">/dev/null 2>&1" : $">\"{output}/stdout\" 2>\"{output}/stderr\"";
        var arguments = new List<string> { "-c", $"\"$@\" </dev/null {redirect}", "wine" };
        arguments.AddRange(argv);
        return Command.Run(workingDirectory, "/bin/sh", arguments, TimeSpan.FromMinutes(2), environment);
    }
}
