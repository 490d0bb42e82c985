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

    protected override bool ExecuteCore()
    {
        var session = (ThinLinkSession?)BuildEngine4.UnregisterTaskObject(LinkId, RegisteredTaskObjectLifetime.Build);
        if (session is null)
        {
            LogError("DTLTO3004", $"the link of {OutputFile} is no longer running (was DtltoThinLink skipped or run in another build?)");
            return false;
        }

        using (session)
        {
            string verdict = BackendSucceeded ? "" : "the build's backend compiles failed; see the build's errors";
            BuildEngine3.Yield();
            ProcessResult result;
            try
            {
                result = session.CompleteAsync(BackendSucceeded, verdict, CancellationToken).GetAwaiter().GetResult();
            }
            finally
            {
                BuildEngine3.Reacquire();
            }

            if (!BackendSucceeded)
            {
                // The backend errors are already logged; lld only adds that its distributor failed.
                Log.LogMessage(MessageImportance.Low, result.Output);
                DeleteOutput();
                return true;
            }

            Log.LogMessage(MessageImportance.Normal, $"Final link of {OutputFile}");
            return ReportLink(result, new[] { Driver });
        }
    }
}
