using System;
using System.IO;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.Handoff;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Jobserver;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Engine.Remote;
using Dtlto.Build.Engine.Scheduling;
using Dtlto.Build.Engine.Tracing;

namespace Dtlto.Build.Distributor;

/// <summary>
/// Entry point of dtlto-distributor. lld runs it as
/// <c>dtlto-distributor [options from -Xthinlto-distributor=] job-list.json</c> in its own
/// working directory, waits for it, and fails the link if it exits non-zero.
/// </summary>
public static class Program
{
    private static readonly TimeSpan ParentPollInterval = TimeSpan.FromMilliseconds(250);

    // With --job-results, the build that started this process hears warnings and errors as data too.
    private static ResultLines? _lines;

    public static async Task<int> Main(string[] args)
    {
        // Known before the command line is parsed, so that a usage error reaches the build as data as well.
        if (Array.IndexOf(args, "--job-results") >= 0)
            _lines = new ResultLines(Console.Out);
        try
        {
            return await RunAsync(args).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every input the program knows of has its own message; this one names the fault in one line too.
            return Fail(ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}");
        }
    }

    private static async Task<int> RunAsync(string[] args)
    {
        // Not a link: where the CMake module is, for -DCMAKE_PROJECT_INCLUDE="$(dtlto-distributor --cmake-module)".
        if (args.Length == 1 && args[0] == "--cmake-module")
        {
            Console.WriteLine(Path.Combine(AppContext.BaseDirectory, "cmake", "Dtlto.cmake"));
            return ExitCodes.Success;
        }

        // Not a link: the object check on files of the user's.
        if (args.Length > 0 && args[0] == ObjectCheckCommand.Name)
            return ObjectCheckCommand.Run(args[1..]);

        ParseResult parsed = DistributorCommandLine.Parse(args);
        if (DistributorCommandLine.Problem(parsed, args) is string problem)
            return Fail(ExitCodes.Usage, $"{problem} (try --help)");
        if (DistributorCommandLine.WantsHelpOrVersion(parsed))
            return await parsed.InvokeAsync().ConfigureAwait(false);

        DistributorOptions options = DistributorCommandLine.Bind(parsed);
        if (options.Jobs < 1)
            return Fail(ExitCodes.Usage, $"--jobs must be at least 1, not {options.Jobs}");
        if (options.JobTimeout is TimeSpan timeout && timeout <= TimeSpan.Zero)
            return Fail(ExitCodes.Usage, "--job-timeout must be a number of seconds above 0 and below 10000000");

        if (options.BuildPipe is not null)
        {
            // Nothing of this mode outlives the process, so losing lld only means ending now.
            using var orphaned = new ParentProcessWatch(() => Environment.Exit(ExitCodes.ParentGone), ParentPollInterval);
            return await HandToBuildAsync(options).ConfigureAwait(false);
        }

        DateTime started = DateTime.UtcNow;
        JobList jobList;
        try
        {
            jobList = JobListReader.ReadFile(options.JobListPath, Environment.CurrentDirectory);
        }
        catch (JobListException e)
        {
            return Fail(ExitCodes.Usage, e.Message);
        }

        if (options.HistoryPath is not null)
            Warn("--history is ignored: jobs start largest first, which orders them as well as their measured durations would (docs/performance.md)");
        if (options.DryRun)
        {
            foreach (BackendJob job in JobOrder.MostExpensiveFirst(jobList))
                Console.WriteLine($"{job.Index}\t{JobOrder.EstimateSize(jobList, job)}\t{job.Bitcode}");
            return ExitCodes.Success;
        }

        return await RunLocallyAsync(options, jobList, started).ConfigureAwait(false);
    }

    /// <summary>Runs the job list's backend compiles on this machine.</summary>
    private static async Task<int> RunLocallyAsync(DistributorOptions options, JobList jobList, DateTime started)
    {
        using var cancellation = new SignalCancellation();
        bool parentGone = false;
        using var watch = new ParentProcessWatch(
            () =>
            {
                parentGone = true;
                cancellation.Cancel();
            },
            ParentPollInterval);
        var reporter = new ConsoleReporter(Console.Error, options.Verbose);
        LinkTrace? trace = options.TracePath is null ? null : new LinkTrace();
        TimeSpan? cpuBefore = ChildCpuTime.Now();
        BackendCache? cache;
        try
        {
            cache = options.Cache.Open();
        }
        catch (FormatException e)
        {
            return Fail(ExitCodes.Usage, $"--cache-max-size: {e.Message}");
        }

        ResultLines? results = options.JobResults ? _lines ??= new ResultLines(Console.Out) : null;
        // A build that runs its jobs through this program hears status lines as data; a person reads them on stderr.
        Action<string> status = results is not null ? results.Status : message => Console.Error.WriteLine($"dtlto-distributor: {message}");
        // One link, one set of file digests: the cache's keys and the farm's actions hash each file once.
        FileHasher? digests = cache?.Digests ?? (options.Remote is null ? null : options.Cache.Digests());
        (IBackendExecutor behind, int parallelism, string? problem) = CreateExecutor(options, jobList, status, digests);
        if (problem is not null)
            return Fail(ExitCodes.Usage, problem);
        using JobserverClient? jobserver = behind is IFarmClient ? null : OpenJobserver();
        using ExecutorChain chain = ExecutorChain.Build(behind, cache is null ? null : new BackendCacheLookup(cache), warning => Warn(warning.Message), trace, jobserver);
        // The remote executor times each job itself: on the farm that is the action's timeout, not its time waiting there.
        TimeSpan? jobTimeout = chain.Farm is not null ? null : options.JobTimeout;
        var compile = new BackendCompile(chain.First, parallelism, new CompositeObserver(reporter, trace, results), jobTimeout);
        BackendCompileResult result = await compile.RunAsync(jobList, cancellation.Token).ConfigureAwait(false);
        TimeSpan? cpu = ChildCpuTime.Now() - cpuBefore;
        string summary = chain.Summarize(result, cpu);
        reporter.Summarize(result, summary);
        results?.Summary(summary);

        if (trace is not null)
        {
            if (ParentProcessStart.Get() is DateTime linkStarted)
                trace.AddPhase("thin link", linkStarted, started);
            trace.AddPhase("backend compiles", started, DateTime.UtcNow);
            SaveQuietly(() => trace.Write(options.TracePath!), "trace", options.TracePath!);
        }

        if (parentGone)
            return Fail(ExitCodes.ParentGone, "the linker that started this distributor is gone; running backend compiles were stopped");
        if (cancellation.Token.IsCancellationRequested)
            return Fail(ExitCodes.Cancelled, "cancelled; running backend compiles were stopped");
        return result.Succeeded ? ExitCodes.Success : ExitCodes.JobsFailed;
    }

    /// <summary>
    /// The local executor, or with --remote the Remote Execution API executor, whose parallelism
    /// is the number of actions in flight; a usage problem (bad address, unreadable token) instead.
    /// </summary>
    private static (IBackendExecutor Executor, int Parallelism, string? Problem) CreateExecutor(DistributorOptions options, JobList jobList, Action<string> status, FileHasher? digests)
    {
        if (options.Remote is null)
            return (new LocalExecutor(), options.Jobs, null);
        try
        {
            var executor = RemoteExecutor.Create(
                options.Remote,
                jobList,
                Warn,
                status,
                digests);
            return (executor, executor.Parallelism, null);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            return (new LocalExecutor(), options.Jobs, e.Message);
        }
    }

    /// <summary>
    /// The jobserver of the make (or other jobserver-aware build) that runs this link, as MAKEFLAGS
    /// names it; null when there is none, or when it cannot be used (then --jobs alone limits the
    /// compiles, which is said).
    /// </summary>
    private static JobserverClient? OpenJobserver()
    {
        if (JobserverAuth.FromMakeflags(Environment.GetEnvironmentVariable("MAKEFLAGS")) is not JobserverAuth auth)
            return null;
        try
        {
            return JobserverClient.Open(auth);
        }
        catch (IOException e)
        {
            Warn($"MAKEFLAGS names a jobserver ({auth}) that cannot be used: {e.Message}; up to --jobs backend compiles run at once");
            return null;
        }
    }

    private static void Warn(string message)
    {
        Console.Error.WriteLine($"dtlto-distributor: warning: {message}");
        _lines?.Warning(message);
    }

    /// <summary>A trace that cannot be written is worth a warning, not a failed link.</summary>
    private static void SaveQuietly(Action save, string what, string path)
    {
        try
        {
            save();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"cannot write the {what} {path}: {e.Message}");
        }
    }

    /// <summary>
    /// The MSBuild SDK's mode: the build runs the backend compiles as MSBuild items, so this
    /// process only tells it where the job list is and waits for its verdict.
    /// </summary>
    private static async Task<int> HandToBuildAsync(DistributorOptions options)
    {
        try
        {
            (bool succeeded, string message) = await HandoffClient.HandOverAsync(
                options.BuildPipe!, Path.GetFullPath(options.JobListPath), Environment.CurrentDirectory, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (succeeded)
                return ExitCodes.Success;
            return Fail(ExitCodes.JobsFailed, message.Length > 0 ? message : "the build reported that the backend compiles failed");
        }
        catch (HandoffException e)
        {
            return Fail(ExitCodes.Usage, e.Message);
        }
    }

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"dtlto-distributor: error: {message}");
        _lines?.Error(message);
        return exitCode;
    }
}
