using System;
using System.Collections.Generic;
using System.IO;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// A program to put where lld runs its distributor: it runs the real one (PEAK_RSS_PROGRAM) with
/// the same arguments and writes the peak resident memory of it and everything it started, in
/// kilobytes (wait4's ru_maxrss), to PEAK_RSS_FILE. Built once per test run with clang-22.
/// </summary>
public static class PeakMemory
{
    private static readonly Lazy<string> Wrapper = new(Build);

    public static string Program => Wrapper.Value;

    /// <summary>The environment that makes <see cref="Program"/> run <paramref name="program"/> and report to <paramref name="report"/>.</summary>
    public static Dictionary<string, string?> Environment(string program, string report) => new() { ["PEAK_RSS_PROGRAM"] = program, ["PEAK_RSS_FILE"] = report };

    /// <summary>The peak the wrapper reported, in MB.</summary>
    public static double Read(string report) => long.Parse(File.ReadAllText(report).Trim()) / 1024.0;

    private static string Build()
    {
        string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dtlto-tests", "peak-rss-" + System.Environment.ProcessId)).FullName;
        string source = Path.Combine(folder, "peak-rss.c");
        File.WriteAllText(source, """
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/resource.h>
            #include <sys/wait.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
              const char *program = getenv("PEAK_RSS_PROGRAM"), *report = getenv("PEAK_RSS_FILE");
              if (!program || !report) { fprintf(stderr, "peak-rss: PEAK_RSS_PROGRAM and PEAK_RSS_FILE must be set\n"); return 2; }
              pid_t child = fork();
              if (child == 0) { argv[0] = (char *)program; execv(program, argv); perror("peak-rss"); _exit(127); }
              int status; struct rusage usage;
              if (wait4(child, &status, 0, &usage) < 0) { perror("peak-rss"); return 2; }
              FILE *out = fopen(report, "w");
              if (out) { fprintf(out, "%ld\n", usage.ru_maxrss); fclose(out); }
              return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            """);
        string program = Path.Combine(folder, "peak-rss");
        Integration.ThinLtoBuild.Expect(Command.Run(folder, Toolchain.Clang, "-O1", source, "-o", program), "build peak-rss");
        return program;
    }
}
