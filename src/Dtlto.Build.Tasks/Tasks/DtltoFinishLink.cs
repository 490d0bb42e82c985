using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Processes;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Phase 3 of the DTLTO link (target DtltoFinalLink): tells the waiting distributor that the
/// backend compiles are done, so lld links the native objects, and reports lld's diagnostics.
/// With <see cref="BackendSucceeded"/> false it ends the link instead and removes its output.
/// </summary>
public sealed class DtltoFinishLink : LinkTask
{
    [Required]
    public string LinkId { get; set; } = "";

    public bool BackendSucceeded { get; set; } = true;

    /// <summary>Where to write the link's timeline (Chrome trace-event JSON); empty for none.</summary>
    public string? TraceFile { get; set; }

    /// <summary>The link's @(DtltoBackendJob) items; every one's outputs must exist before lld may go on.</summary>
    public ITaskItem[] Jobs { get; set; } = System.Array.Empty<ITaskItem>();

    protected override bool ExecuteCore()
    {
        LinkState? link = LinkState.Take(BuildEngine4, LinkId);
        if (link is null)
        {
            LogError("DTLTO3004", $"the link of {OutputFile} is no longer running (was DtltoThinLink skipped or run in another build?)");
            return false;
        }

        using (link)
        {
            bool backendSucceeded = BackendSucceeded && AllOutputsExist();
            string verdict = backendSucceeded ? "" : "the build's backend compiles failed; see the build's errors";
            System.DateTime started = System.DateTime.UtcNow;
            ProcessResult result = WhileYielded(() => link.Session.CompleteAsync(backendSucceeded, verdict, CancellationToken));
            link.Trace.AddPhase("final link", started, System.DateTime.UtcNow);
            WriteTrace(link);

            if (!backendSucceeded)
            {
                // The backend errors are already logged; lld only adds that its distributor failed.
                Log.LogMessage(MessageImportance.Low, result.Output);
                DeleteOutput();
                return BackendSucceeded == backendSucceeded;
            }

            Log.LogMessage(MessageImportance.Normal, $"Final link of {OutputFile}");
            if (ReportLink(result, command: null))
                return true;
            ForgetCachedObjects(link, result.Output);
            return false;
        }
    }

    /// <summary>A final link that failed on objects from the backend cache removes them from it, so the next build compiles those modules.</summary>
    private void ForgetCachedObjects(LinkState link, string linkerOutput)
    {
        foreach (string forgotten in link.CacheLookup?.ForgetNamedIn(linkerOutput) ?? System.Array.Empty<string>())
        {
            Log.LogWarning(null, "DTLTO3110", null, forgotten, 0, 0, 0, 0,
                $"the final link failed on {System.IO.Path.GetFileName(forgotten)}, which came from the backend cache in {link.CacheLookup!.Cache.Folder}; that result was removed, so the next build compiles its module again");
        }
    }

    private void WriteTrace(LinkState link)
    {
        if (string.IsNullOrEmpty(TraceFile))
            return;
        try
        {
            link.Trace.Write(TraceFile!);
            Log.LogMessage(MessageImportance.Normal, $"Link timeline: {TraceFile}");
        }
        catch (System.Exception e) when (e is System.IO.IOException or System.UnauthorizedAccessException)
        {
            LogWarning("DTLTO3202", $"cannot write the link timeline: {e.Message}", TraceFile);
        }
    }

    /// <summary>
    /// Whether every backend job left its outputs: a target that replaced the SDK's backend
    /// compile may have skipped some, and lld must not link without them.
    /// </summary>
    private bool AllOutputsExist()
    {
        bool all = true;
        foreach (ITaskItem job in Jobs)
        {
            foreach (string output in job.GetMetadata("Outputs").Split(new[] { ';' }, System.StringSplitOptions.RemoveEmptyEntries))
            {
                var file = new System.IO.FileInfo(output);
                if (file.Exists && file.Length > 0)
                    continue;
                LogError("DTLTO3102", $"the backend compile of '{job.GetMetadata("Module")}' did not produce {output}", job.GetMetadata("Bitcode"));
                all = false;
            }
        }

        return all;
    }
}
