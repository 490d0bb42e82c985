using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.Handoff;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.SplitLinking;
using Dtlto.Build.Engine.Tracing;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Phase 1 of the DTLTO link (target DtltoThinLink): starts lld with the distributor pointed
/// back at this build, waits for the thin link to hand over its job list, and returns one
/// <c>@(DtltoBackendJob)</c> item per module. lld keeps running, waiting for its distributor,
/// until DtltoFinishLink ends the link; the build keeps it under <see cref="LinkId"/>.
/// </summary>
public sealed class DtltoStartLink : LinkTask
{
    /// <summary>The program lld runs as its distributor: the dotnet host, or dtlto-distributor itself.</summary>
    [Required]
    public string DistributorHost { get; set; } = "";

    /// <summary>Arguments before the distributor's own: dtlto-distributor.dll when run by the dotnet host.</summary>
    public string[] DistributorHostArguments { get; set; } = Array.Empty<string>();

    /// <summary><c>Elf</c> (ld.lld) or <c>Coff</c> (lld-link).</summary>
    public string LinkerFlavor { get; set; } = nameof(Engine.Linking.LinkerFlavor.Elf);

    /// <summary>The clang that runs the backend compiles (lld-link must be told; ld.lld hears it from the driver).</summary>
    public string RemoteCompiler { get; set; } = "";

    /// <summary>
    /// Give lld each static library with bitcode as its extracted members in a lazy group, so that
    /// every module has a stable name (see <see cref="ExtractedArchives"/>): what remote caching needs.
    /// </summary>
    public bool ExtractArchives { get; set; }

    /// <summary>llvm-ar, to extract archives with.</summary>
    public string LlvmAr { get; set; } = "";

    /// <summary>The folder extracted members go to, relative to <see cref="LinkTask.WorkingDirectory"/>.</summary>
    public string ArchiveDirectory { get; set; } = "";

    /// <summary>
    /// Serve the jobs this machine's backend cache holds as soon as lld hands the job list over:
    /// their objects are in place before the batch, which gets the others only. The cache's
    /// compiler digest is worked out while lld runs the thin link.
    /// </summary>
    public bool Cache { get; set; }

    /// <summary>The backend cache's folder and size, as DtltoBackendCompile takes them.</summary>
    public string? CacheDirectory { get; set; }

    public string? CacheMaxSize { get; set; }

    /// <summary>The cache folder is a team's: other users' entries are used too.</summary>
    public bool CacheShared { get; set; }

    [Output]
    public ITaskItem[] BackendJobs { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The link waiting for its backend compiles; empty when lld finished on its own.</summary>
    [Output]
    public string LinkId { get; private set; } = "";

    protected override bool ExecuteCore()
    {
        // lld starts its distributor by path, without searching PATH.
        string? host = ProgramSearch.Find(DistributorHost);
        if (host is null)
        {
            LogError("DTLTO3005", $"cannot find '{DistributorHost}', the program lld is to run as its distributor, on PATH; set DtltoDistributorHost to its full path");
            return false;
        }

        PrepareOutput();
        var flavor = (Engine.Linking.LinkerFlavor)Enum.Parse(typeof(Engine.Linking.LinkerFlavor), LinkerFlavor, ignoreCase: true);
        IEnumerable<string>? inputs = null;
        // MinGW's driver has no lazy groups to link extracted members through: lld reads its archives itself.
        if (ExtractArchives && flavor != Engine.Linking.LinkerFlavor.MinGW)
        {
            try
            {
                IReadOnlyList<SplitLinkInput> extracted = WhileYielded(() => new ExtractedArchives(WorkingDirectory, ArchiveDirectory, LlvmAr).ExtractAsync(Inputs.Select(InputArgument).ToList(), CancellationToken));
                inputs = SplitFinalLinkInputs.ForThinLink(flavor, extracted).Select(a => a.Text).ToList();
            }
            catch (Exception e) when (e is SplitLinkException or IOException or UnauthorizedAccessException)
            {
                LogError("DTLTO3006", $"cannot extract the static libraries of {OutputFile}: {e.Message}");
                return false;
            }
        }

        List<string>? command = null;
        IReadOnlyList<string> CommandFor(string pipe)
        {
            command = CommandWith(DistributorFlags.For(flavor, host, DistributorHostArguments.Concat(new[] { "--build-pipe=" + pipe }), RemoteCompiler), inputs);
            return command;
        }

        Log.LogMessage(MessageImportance.Normal, $"Thin link of {OutputFile}");
        FileHasher? digests = Cache ? new CacheConfiguration { Folder = CacheDirectory }.Digests() : null;
        if (digests is not null && !string.IsNullOrEmpty(RemoteCompiler))
            CompilerIdentity.Prepare(RemoteCompiler, digests);
        ThinLinkSession session;
        try
        {
            session = ThinLinkSession.Start(CommandFor, WorkingDirectory, OutputPath);
        }
        catch (ChildProcessStartException e)
        {
            LogError("DTLTO3002", $"cannot link {OutputFile}: {e.Message}");
            return false;
        }

        bool keep = false;
        try
        {
            (JobList? jobList, ProcessResult? finished) = WhileYielded(() => session.WaitForJobListAsync(CancellationToken));
            if (jobList is null)
            {
                // No bitcode, or every module came from lld's cache: the link is already done.
                Log.LogMessage(MessageImportance.Normal, $"{OutputFile}: lld needed no backend compiles.");
                return ReportLink(finished!, command!);
            }

            Log.LogMessage(MessageImportance.Low, CommandLineText.Format(command!));
            var link = new LinkState(session, jobList, digests);
            ServeFromCache(link);
            var served = new HashSet<int>(link.ServedFromCache.Select(r => r.Job.Index));
            BackendJobs = jobList.Jobs.Where(job => !served.Contains(job.Index)).Select(job => BackendJobItems.ToItem(jobList, job)).ToArray();
            LinkId = link.Register(BuildEngine4);
            keep = true;
            Log.LogMessage(MessageImportance.Normal, served.Count == 0
                ? $"{OutputFile}: {BackendJobs.Length} backend compiles."
                : $"{OutputFile}: {jobList.Jobs.Count} backend compiles, {served.Count} of them from the backend cache.");
            return true;
        }
        catch (Exception e) when (e is JobListException or HandoffException)
        {
            LogError("DTLTO3003", $"the thin link of {OutputFile} handed over an unusable job list: {e.Message}");
            return false;
        }
        finally
        {
            if (!keep)
                session.Dispose();
        }
    }

    /// <summary>
    /// Puts the objects of the jobs the backend cache holds in place and records them in the
    /// link's state (see <see cref="CacheFirstPass"/>); when that is every job, the link's summary
    /// is said here, as no batch will run.
    /// </summary>
    private void ServeFromCache(LinkState link)
    {
        JobList jobList = link.JobList;
        if (!Cache)
            return;
        BackendCache? cache;
        try
        {
            cache = new CacheConfiguration { Folder = CacheDirectory, MaxSize = CacheMaxSize, Shared = CacheShared }.Open(link.Digests);
        }
        catch (FormatException)
        {
            // DtltoBackendCompile says what is wrong with the size (DTLTO3108).
            return;
        }

        DateTime started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int workers = Math.Min(Environment.ProcessorCount, jobList.Jobs.Count);
        var lookup = new BackendCacheLookup(cache!);
        IReadOnlyList<JobResult> served = CacheFirstPass.Run(lookup, jobList, workers, link.Trace,
            warning => CacheWarnings.Log(this, warning), CancellationToken);
        link.ServedFromCache = served;
        link.CacheLookup = lookup;
        if (served.Count == jobList.Jobs.Count)
        {
            link.Trace.AddPhase("backend compiles", started, DateTime.UtcNow);
            var whole = new BackendCompileResult(served, clock.Elapsed, workers);
            Log.LogMessage(MessageImportance.Normal, "Backend compiles: " + LinkSummary.Format(whole, null, localCache: true, lookup.DamagedEntries));
            LogHeadline("Integrated", whole, cache!.Folder, null);
        }
    }
}
