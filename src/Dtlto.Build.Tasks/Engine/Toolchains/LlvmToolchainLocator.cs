using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Toolchains;

/// <summary>
/// Finds installed LLVM toolchains and tells what they can do, by running them rather than by
/// trusting directory names: the version comes from <c>clang --version</c>, DTLTO support from
/// whether <c>ld.lld --help</c> lists <c>--thinlto-distributor=</c> (the answers are kept while
/// the tools stay the same files: see <see cref="ToolchainFacts"/>).
/// </summary>
public static class LlvmToolchainLocator
{
    private static readonly string[] RequiredTools = { "clang", "clang++", "ld.lld", "llvm-ar" };

    internal static string ExecutableSuffix => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ".exe" : "";

    /// <summary>Where LLVM installs are looked for when none is named, newest first.</summary>
    public static IReadOnlyList<string> DefaultCandidates()
    {
        var candidates = new List<string>();
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            foreach (string variable in new[] { "ProgramW6432", "ProgramFiles" })
            {
                string? root = Environment.GetEnvironmentVariable(variable);
                if (!string.IsNullOrEmpty(root))
                    candidates.Add(Path.Combine(root, "LLVM"));
            }
        }
        else if (Directory.Exists("/usr/lib"))
        {
            // Debian and Ubuntu install each LLVM major version as /usr/lib/llvm-N.
            candidates.AddRange(Directory.GetDirectories("/usr/lib", "llvm-*")
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir).Substring("llvm-".Length), out int v) ? v : -1))
                .Where(c => c.version > 0)
                .OrderByDescending(c => c.version)
                .Select(c => c.dir));
            candidates.Add("/usr/local");
            candidates.Add("/usr");
        }

        return candidates.Distinct().ToList();
    }

    /// <summary>The tools of <see cref="RequiredTools"/> missing from an install directory.</summary>
    public static IReadOnlyList<string> MissingTools(string installDirectory) =>
        RequiredTools.Where(tool => !File.Exists(Path.Combine(installDirectory, "bin", tool + ExecutableSuffix))).ToList();

    /// <summary>Inspects one install directory; null when it lacks a tool the build needs.</summary>
    public static LlvmToolchain? Inspect(string installDirectory)
    {
        string full = Path.GetFullPath(installDirectory);
        if (MissingTools(full).Count > 0)
            return null;
        var toolchain = new LlvmToolchain(full, null, supportsDtlto: false);
        (int? version, bool dtlto) = ToolchainFacts.Get(full, toolchain.Clang, toolchain.Lld, () =>
            (ClangMajorVersion(toolchain.Clang), Run(toolchain.Lld, "--help").Contains("--thinlto-distributor=")));
        return new LlvmToolchain(full, version, dtlto);
    }

    /// <summary>
    /// The toolchain to use when none is named: the newest that has DTLTO, else the newest at all
    /// (which a caller needing DTLTO reports as unsuitable). Null when no LLVM is installed.
    /// </summary>
    public static LlvmToolchain? FindDefault(IEnumerable<string> candidates)
    {
        LlvmToolchain? newestWithoutDtlto = null;
        foreach (string candidate in candidates)
        {
            LlvmToolchain? toolchain = Directory.Exists(candidate) ? Inspect(candidate) : null;
            if (toolchain is null)
                continue;
            if (toolchain.SupportsDtlto)
                return toolchain;
            newestWithoutDtlto ??= toolchain;
        }

        return newestWithoutDtlto;
    }

    private static int? ClangMajorVersion(string clang)
    {
        Match match = Regex.Match(Run(clang, "--version"), @"clang version (\d+)\.");
        return match.Success ? int.Parse(match.Groups[1].Value) : null;
    }

    private static string Run(string program, string argument)
    {
        ProcessResult result = ProcessRunner.RunAsync(new[] { program, argument }, Directory.GetCurrentDirectory(), CancellationToken.None)
            .GetAwaiter().GetResult();
        return result.Output;
    }
}
