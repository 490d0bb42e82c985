using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.JobLists;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// Builds the job list lld would have handed to a distributor from what an index-only thin link
/// wrote, so the backend compiles of a split-mode link run exactly like those of an integrated one.
/// </summary>
public static class SplitJobListBuilder
{
    /// <param name="compiler">The clang that runs the backend compiles (the driver, not clang-cl).</param>
    /// <param name="backendOptions">Code generation options of the project: target, optimisation level, relocation model.</param>
    public static JobList Build(SplitLinkLayout layout, IReadOnlyList<SplitModule> modules, string compiler, IEnumerable<string> backendOptions, string linkerOutput)
    {
        var common = new List<string> { compiler, "-c" };
        common.AddRange(backendOptions);
        // The options lld 22 gives its own backend compiles, for the same code either way.
        common.AddRange(new[] { "-ffunction-sections", "-fdata-sections", "-Wno-unused-command-line-argument", "-x", "ir" });

        var jobs = new List<BackendJob>();
        foreach (SplitModule module in modules)
        {
            string native = layout.NativeObject(module.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(layout.Full(native))!);
            var inputs = new List<string> { module.Path, module.Shard };
            inputs.AddRange(module.Imports.Where(i => i != module.Path));
            jobs.Add(new BackendJob(jobs.Count, new[] { module.Path, "-fthinlto-index=" + module.Shard, "-o", native }, inputs, new[] { native }));
        }

        return SideOutputs.Declare(new JobList(linkerOutput, common, new string[0], jobs, layout.WorkingDirectory));
    }
}
