using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.Processes;

namespace Dtlto.Build.Engine.Tracing;

/// <summary>
/// The one line a link says at a build's default verbosity: how it linked, how many backend jobs
/// it had, and where their results came from, e.g.
/// <c>stats: DTLTO Integrated, 4 backend jobs, 4 from the local cache (~/.cache/dtlto), 0.12 s</c>.
/// </summary>
public static class LinkHeadline
{
    /// <param name="name">What is linked, as the build names it (the project).</param>
    /// <param name="mode">How it linked, in words (<c>Integrated</c>, or <c>Split</c> and why).</param>
    /// <param name="cacheFolder">This machine's backend cache, named where results came from it.</param>
    /// <param name="farm">The remote execution server, named where results came from it.</param>
    public static string Format(string name, string mode, BackendCompileResult result, string? cacheFolder, string? farm)
    {
        var parts = new List<string>();
        IEnumerable<JobResult> succeeded = result.Jobs.Where(j => j.Status == JobStatus.Succeeded);
        void Count(ResultOrigin origin, string words)
        {
            int n = succeeded.Count(j => j.Origin.Place() == origin);
            if (n > 0)
                parts.Add($"{n} {words}");
        }

        Count(ResultOrigin.Here, "compiled here");
        Count(ResultOrigin.LocalCache, "from the local cache" + (string.IsNullOrEmpty(cacheFolder) ? "" : $" ({Shortened(cacheFolder!)})"));
        Count(ResultOrigin.Farm, "compiled on the farm" + (string.IsNullOrEmpty(farm) ? "" : $" ({farm})"));
        Count(ResultOrigin.FarmCache, "from the farm's cache");
        int failed = result.Failures.Count();
        int notCompleted = result.Jobs.Count(j => j.Status == JobStatus.NotCompleted);
        if (failed > 0)
            parts.Add($"{failed} failed");
        if (notCompleted > 0)
            parts.Add($"{notCompleted} not completed");
        string jobs = result.Jobs.Count == 1 ? "1 backend job" : $"{result.Jobs.Count} backend jobs";
        return $"{name}: DTLTO {mode}, {jobs}" + string.Concat(parts.Select(p => ", " + p)) + $", {result.Elapsed.TotalSeconds:0.00} s";
    }

    /// <summary>A folder under the user's home as <c>~/...</c>, as a shell user writes it.</summary>
    private static string Shortened(string folder)
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 1 && Path.DirectorySeparatorChar == '/' && folder.StartsWith(home + "/", StringComparison.Ordinal))
            return "~" + folder.Substring(home.Length);
        return folder;
    }
}
