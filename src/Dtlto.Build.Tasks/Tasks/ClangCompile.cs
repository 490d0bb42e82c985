using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Compilation;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Compiles ClCompile items with clang, in parallel on the cores MSBuild grants, and only those
/// whose object is out of date: missing, built with another command, or older than the source or
/// any header it included (read from clang's -MMD dependency file).
/// </summary>
public sealed class ClangCompile : DtltoTask
{
    /// <summary>ClCompile items; each has ObjectFileName and the usual VC++ metadata.</summary>
    [Required]
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string CCompiler { get; set; } = "";

    [Required]
    public string CxxCompiler { get; set; } = "";

    /// <summary>Options of the configuration for every source (optimisation, LTO, PIC).</summary>
    public string[] Options { get; set; } = Array.Empty<string>();

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Every object, compiled now or already up to date, with SourceFile metadata.</summary>
    [Output]
    public ITaskItem[] ObjectFiles { get; private set; } = Array.Empty<ITaskItem>();

    protected override bool ExecuteCore()
    {
        List<CompileJob>? jobs = CreateJobs();
        if (jobs is null)
            return false;
        ObjectFiles = jobs.Select(job =>
        {
            var item = new TaskItem(job.ObjectFile);
            item.SetMetadata("SourceFile", job.Source);
            return (ITaskItem)item;
        }).ToArray();

        var stale = new List<CompileJob>();
        foreach (CompileJob job in jobs)
        {
            string? reason = CompileUpToDateCheck.ReasonToCompile(job);
            if (reason is null)
            {
                Log.LogMessage(MessageImportance.Low, $"{job.Source} is up to date.");
                continue;
            }

            Log.LogMessage(MessageImportance.Low, $"{job.Source} is compiled: {reason}.");
            stale.Add(job);
        }

        if (stale.Count == 0)
            return true;

        foreach (CompileJob job in stale)
        {
            CompileUpToDateCheck.Forget(job);
            Directory.CreateDirectory(Path.GetDirectoryName(job.ObjectFile)!);
        }

        ProcessResult[] results;
        using (CoreReservation cores = CoreReservation.Request(BuildEngine, stale.Count))
        {
            Log.LogMessage(MessageImportance.Normal, $"Compiling {stale.Count} of {jobs.Count} sources on {cores.Cores} cores.");
            results = RunAll(stale, cores.Cores);
        }

        for (int i = 0; i < stale.Count; i++)
            Report(stale[i], results[i]);
        return true;
    }

    private ProcessResult[] RunAll(IReadOnlyList<CompileJob> jobs, int parallelism)
    {
        using var slots = new SemaphoreSlim(parallelism);
        async Task<ProcessResult> RunOne(CompileJob job)
        {
            await slots.WaitAsync(CancellationToken).ConfigureAwait(false);
            try
            {
                return await ProcessRunner.RunAsync(job.Command, job.WorkingDirectory, CancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        return WhileYielded(() => Task.WhenAll(jobs.Select(RunOne)));
    }

    private void Report(CompileJob job, ProcessResult result)
    {
        Log.LogMessage(MessageImportance.Normal, Path.GetFileName(job.Source));
        Log.LogMessage(MessageImportance.Low, CommandLineText.Format(job.Command));
        if (result.Stopped)
            return;
        if (result.StartError is not null)
        {
            LogError("DTLTO2002", $"cannot compile {job.Source}: {result.StartError}", job.Source);
            return;
        }

        int errors = LogToolOutput(result.Output, "DTLTO2001", job.WorkingDirectory);
        if (result.ExitCode == 0 && File.Exists(job.ObjectFile))
        {
            CompileUpToDateCheck.RecordCommand(job);
            return;
        }

        CompileUpToDateCheck.Forget(job);
        if (errors == 0)
            LogError("DTLTO2001", $"clang exited with code {result.ExitCode} compiling {job.Source}", job.Source);
    }

    private List<CompileJob>? CreateJobs()
    {
        var jobs = new List<CompileJob>();
        var objects = new Dictionary<string, string>(StringComparer.Ordinal);
        bool sourcesMissing = false;
        foreach (ITaskItem source in Sources)
        {
            string sourcePath = source.GetMetadata("FullPath");
            if (!File.Exists(sourcePath))
            {
                // Said here, once, rather than by clang twice ("no such file", then "no input files").
                LogError("DTLTO2003", $"the source file {source.ItemSpec} does not exist ({sourcePath})");
                sourcesMissing = true;
                continue;
            }

            string objectFile = Path.GetFullPath(Path.Combine(ProjectDirectory, source.GetMetadata("ObjectFileName")));
            if (objects.TryGetValue(objectFile, out string? other))
            {
                LogError("DTLTO1005", $"{sourcePath} and {other} would both compile to {objectFile}; give one of them another ObjectFileName.", sourcePath);
                return null;
            }

            objects[objectFile] = sourcePath;
            jobs.Add(new CompileJob(sourcePath, objectFile, CommandFor(source, sourcePath, objectFile), ProjectDirectory));
        }

        return sourcesMissing ? null : jobs;
    }

    private IReadOnlyList<string> CommandFor(ITaskItem source, string sourcePath, string objectFile)
    {
        bool isC = source.GetMetadata("CompileAs") switch
        {
            "CompileAsC" => true,
            "CompileAsCpp" => false,
            _ => string.Equals(Path.GetExtension(sourcePath), ".c", StringComparison.OrdinalIgnoreCase),
        };

        var command = new List<string> { isC ? CCompiler : CxxCompiler, "-x", isC ? "c" : "c++" };
        command.AddRange(Options);
        // Paths the project wrote relative stay relative to the project (clang runs there): they end
        // up in the bitcode (the module's name, __FILE__), which must not depend on where the
        // checkout lives for a remote cache to share it between checkouts.
        foreach (string directory in ListMetadata(source, "AdditionalIncludeDirectories"))
            command.Add("-I" + (Path.IsPathRooted(directory) ? directory : RelativePath.From(ProjectDirectory, Path.Combine(ProjectDirectory, directory))));
        foreach (string definition in ListMetadata(source, "PreprocessorDefinitions"))
            command.Add("-D" + definition);
        command.AddRange(CommandLineSplitter.Split(source.GetMetadata("AdditionalOptions")));
        command.AddRange(new[] { "-fno-color-diagnostics", "-MMD", "-MF", objectFile + ".d", "-c", Path.IsPathRooted(source.ItemSpec) ? sourcePath : RelativePath.From(ProjectDirectory, sourcePath), "-o", objectFile });
        return command;
    }

    /// <summary>A ;-separated metadata list; inherited <c>%(X)</c> references that stayed literal are dropped.</summary>
    internal static IEnumerable<string> ListMetadata(ITaskItem item, string name) =>
        item.GetMetadata(name)
            .Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(value => value.Trim())
            .Where(value => value.Length > 0 && !value.StartsWith("%(", StringComparison.Ordinal));
}
