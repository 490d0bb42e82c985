using System;
using System.Collections.Generic;
using System.IO;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Compilation;

/// <summary>
/// Decides whether an object must be recompiled: it is missing, its command changed, or the
/// source or any header it included last time is newer than it (or gone).
/// </summary>
public static class CompileUpToDateCheck
{
    /// <summary>Why the job must run, or null when its object is up to date.</summary>
    public static string? ReasonToCompile(CompileJob job)
    {
        var obj = new FileInfo(job.ObjectFile);
        if (!obj.Exists)
            return "the object does not exist";
        if (!File.Exists(job.CommandFilePath) || File.ReadAllText(job.CommandFilePath) != CommandText(job.Command))
            return "the command changed";

        IReadOnlyList<string>? dependencies = DependencyFile.Read(job.DependencyFilePath);
        if (dependencies is null)
            return "its dependency file is missing";
        DateTime built = obj.LastWriteTimeUtc;
        foreach (string dependency in dependencies)
        {
            var input = new FileInfo(Path.Combine(job.WorkingDirectory, dependency));
            if (!input.Exists)
                return $"'{dependency}' no longer exists";
            if (input.LastWriteTimeUtc > built)
                return $"'{dependency}' changed";
        }

        return null;
    }

    /// <summary>Records the command an object was built with, once it has been built.</summary>
    public static void RecordCommand(CompileJob job) => File.WriteAllText(job.CommandFilePath, CommandText(job.Command));

    /// <summary>Removes the outputs of a compile, so a failed one leaves nothing that looks current.</summary>
    public static void Forget(CompileJob job)
    {
        // If one stays, the next build still finds the command file or object missing and recompiles.
        foreach (string path in new[] { job.ObjectFile, job.CommandFilePath, job.DependencyFilePath })
            QuietDelete.File(path);

        Execution.CompilerTemporaries.DeleteFor(job.ObjectFile);
    }

    private static string CommandText(IReadOnlyList<string> command) => string.Join("\n", command) + "\n";
}
