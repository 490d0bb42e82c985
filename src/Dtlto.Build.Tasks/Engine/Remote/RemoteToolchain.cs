using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// The compiler sent as inputs of every action, for workers that do not have it: the clang binary
/// and the shared libraries of its own LLVM installation that it loads (libLLVM, libclang-cpp),
/// in their bin/ and lib/ layout, which clang's run path ($ORIGIN/../lib) finds. System libraries
/// (the C and C++ runtimes, zlib, ...) are the worker's.
/// </summary>
public sealed class RemoteToolchain
{
    /// <summary>Where the toolchain sits, under the action's working directory.</summary>
    internal const string Folder = ".dtlto-toolchain";

    private readonly IReadOnlyList<(string Remote, Blob Content, bool Executable)> _files;
    private readonly string _compilerName;

    private RemoteToolchain(string compilerName, IReadOnlyList<(string Remote, Blob Content, bool Executable)> files)
    {
        _compilerName = compilerName;
        _files = files;
    }

    /// <summary>Collects a compiler and its LLVM libraries (found with ldd); throws <see cref="IOException"/> when that fails.</summary>
    /// <param name="digests">The link's file digests.</param>
    public static RemoteToolchain Collect(string compiler, Caching.FileHasher digests)
    {
        string binary = Caching.FileDigests.RealPath(compiler);
        string root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(compiler))!)!;
        ProcessResult ldd = ProcessRunner.RunAsync(new[] { "ldd", binary }, Path.GetTempPath(), CancellationToken.None).GetAwaiter().GetResult();
        if (ldd.StartError is not null || ldd.ExitCode != 0)
            throw new IOException($"cannot list the libraries {compiler} loads (ldd): {ldd.StartError ?? ldd.Output.Trim()}");

        var files = new List<(string, Blob, bool)> { ("bin/" + Path.GetFileName(compiler), Blob.FromFile(binary, digests), true) };
        foreach (Match match in Regex.Matches(ldd.Output, @"^\s*(\S+) => (\S+) \(", RegexOptions.Multiline))
        {
            string library = match.Groups[2].Value;
            string full = Path.GetFullPath(library);
            if (full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || library.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                files.Add(("lib/" + match.Groups[1].Value, Blob.FromFile(library, digests), false));
        }

        return new RemoteToolchain(Path.GetFileName(compiler), files);
    }

    /// <summary>Adds the toolchain to an input tree; returns the compiler's path relative to the working directory.</summary>
    internal string AddTo(InputTree tree, string workingDirectory)
    {
        string prefix = (workingDirectory.Length == 0 ? "" : workingDirectory + "/") + Folder + "/";
        foreach ((string remote, Blob content, bool executable) in _files)
            tree.Add(prefix + remote, content, executable);
        return Folder + "/bin/" + _compilerName;
    }
}
