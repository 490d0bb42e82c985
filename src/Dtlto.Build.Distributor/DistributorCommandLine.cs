using System;
using System.Linq;
using System.CommandLine;
using System.CommandLine.Parsing;

namespace Dtlto.Build.Distributor;

/// <summary>
/// The command line lld passes: options given with <c>-Xthinlto-distributor=</c>, then the job
/// list path, always last. Options take both <c>--jobs=4</c> and <c>--jobs 4</c>.
/// </summary>
public static class DistributorCommandLine
{
    private static readonly Option<int?> JobsOption = new("--jobs", "-j")
    {
        Description = "Backend compiles to run at once (default: the number of processors).",
        HelpName = "N",
        CustomParser = OptionValues.WholeNumber,
    };

    private static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Print a line for each job as it finishes (the summary line at the end is printed in any case).",
    };

    private static readonly Option<double?> JobTimeoutOption = new("--job-timeout")
    {
        Description = "Kill a backend compile that runs longer than this many seconds and fail the link (default: no limit).",
        HelpName = "SECONDS",
        CustomParser = OptionValues.Seconds,
    };

    private static readonly Option<string?> TraceOption = new("--trace")
    {
        Description = "Write a timeline of the link (Chrome trace-event JSON, for Perfetto or chrome://tracing) to this file.",
        HelpName = "FILE",
    };

    // Accepted so that links written for an earlier version keep working; jobs start largest first.
    private static readonly Option<string?> HistoryOption = new("--history")
    {
        Description = "Ignored (jobs start largest first).",
        HelpName = "FILE",
        Hidden = true,
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run")
    {
        Description = "Read and check the job list and print the order the jobs would start in, without running them.",
    };

    private static readonly Option<string?> BuildPipeOption = new("--build-pipe")
    {
        Description = "Hand the job list to the MSBuild build listening on this pipe and wait for it to run the jobs (set by the Dtlto.Build SDK).",
        HelpName = "PIPE",
    };

    private static readonly Option<string?> RemoteOption = new("--remote")
    {
        Description = "Run the backend compiles through this Remote Execution API server (grpc://host:port, or grpcs:// for TLS), with its action cache.",
        HelpName = "URL",
    };

    private static readonly Option<string?> RemoteInstanceOption = new("--remote-instance")
    {
        Description = "The server's instance name (default: none).",
        HelpName = "NAME",
    };

    private static readonly Option<string[]> RemotePlatformOption = new("--remote-platform")
    {
        Description = "A platform property of every action, name=value (e.g. container-image=docker://...); repeat for more.",
        HelpName = "NAME=VALUE",
    };

    private static readonly Option<string?> RemoteModeOption = new("--remote-mode")
    {
        Description = "execute (default): compile on the farm; cache-only: compile here, and share results through the server's action cache.",
        HelpName = "MODE",
    };

    private static readonly Option<bool> RemoteStrictOption = new("--remote-strict")
    {
        Description = "Fail the link when the farm cannot do its part, instead of compiling here with a warning.",
    };

    private static readonly Option<int?> RemoteJobsOption = new("--remote-jobs")
    {
        Description = $"Actions in flight at once (default: {Engine.Remote.RemoteSettings.DefaultConcurrency}); --jobs still bounds compiles on this machine.",
        HelpName = "N",
        CustomParser = OptionValues.WholeNumber,
    };

    private static readonly Option<string?> RemoteCaFileOption = new("--remote-ca-file")
    {
        Description = "A PEM file of the certificate authority that signs the server's certificate (grpcs:// only; default: the system's trusted roots).",
        HelpName = "FILE",
    };

    private static readonly Option<string?> RemoteClientCertOption = new("--remote-client-cert")
    {
        Description = "A PEM file of this client's certificate, for servers that want mutual TLS (with --remote-client-key).",
        HelpName = "FILE",
    };

    private static readonly Option<string?> RemoteClientKeyOption = new("--remote-client-key")
    {
        Description = "The PEM file of the client certificate's private key.",
        HelpName = "FILE",
    };

    private static readonly Option<string?> RemoteTokenFileOption = new("--remote-token-file")
    {
        Description = "A file holding the bearer token for the server's authorization header.",
        HelpName = "FILE",
    };

    private static readonly Option<string?> RemoteTokenEnvOption = new("--remote-token-env")
    {
        Description = "An environment variable holding the bearer token for the server's authorization header.",
        HelpName = "VARIABLE",
    };

    private static readonly Option<bool> RemoteUploadToolchainOption = new("--remote-upload-toolchain")
    {
        Description = "Send the compiler and its LLVM libraries with the actions, for workers that do not have it.",
    };

    private static readonly Option<double?> RemoteStallTimeoutOption = new("--remote-stall-timeout")
    {
        Description = $"Seconds the link waits with actions out on the farm and none coming back before it stops waiting (default: {Engine.Remote.RemoteSettings.DefaultStallTimeout.TotalSeconds:0}).",
        HelpName = "SECONDS",
        CustomParser = OptionValues.Seconds,
    };

    private static readonly Option<double?> RemoteConnectTimeoutOption = new("--remote-connect-timeout")
    {
        Description = $"Seconds the link's first call waits for the server before the link goes on without it, said after a second of silence; a server found down is not waited for again for {Engine.Remote.RemoteSettings.RememberDownFor.TotalMinutes:0} minutes (default: {Engine.Remote.RemoteSettings.DefaultConnectTimeout.TotalSeconds:0}).",
        HelpName = "SECONDS",
        CustomParser = OptionValues.Seconds,
    };

    private static readonly Option<string?> RemoteMaxOutputSizeOption = new("--remote-max-output-size")
    {
        Description = "The largest output a result of the farm may claim; a larger one is refused before any of it is downloaded: bytes, or a number with K, M, G or T (default: 4G).",
        HelpName = "SIZE",
    };

    private static readonly Option<bool> RemoteUploadOption = new("--remote-upload")
    {
        Description = "Put results compiled here (cache-only mode, races won here) in the server's action cache (default: true; --remote-upload=false reads the cache and never writes it).",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<bool> RemoteRaceOption = new("--remote-race")
    {
        Description = "Let idle cores here compile jobs that are out on the farm too; the first whole result wins (default: true; --remote-race=false to turn off).",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<string?> CacheDirOption = new("--cache-dir")
    {
        Description = "The folder of this machine's backend cache, shared by every build of the user (default: $XDG_CACHE_HOME/dtlto, else ~/.cache/dtlto; %LOCALAPPDATA%\\dtlto on Windows).",
        HelpName = "DIR",
    };

    private static readonly Option<bool> NoCacheOption = new("--no-cache")
    {
        Description = "Neither use nor fill this machine's backend cache.",
    };

    private static readonly Option<bool> CacheSharedOption = new("--cache-shared")
    {
        Description = "The cache folder is a team's: entries other users wrote are used too, and entries are written group-writable (default: only your own entries are used).",
    };

    private static readonly Option<string?> CacheMaxSizeOption = new("--cache-max-size")
    {
        Description = "The size the backend cache is pruned to, least recently used results first: bytes, or a number with K, M, G or T (default: 10G).",
        HelpName = "SIZE",
    };

    // Handled before parsing (Program.Main), as it needs no job list; here for --help.
    private static readonly Option<bool> CMakeModuleOption = new("--cmake-module")
    {
        Description = "Print the path of the CMake module Dtlto.cmake (for -DCMAKE_PROJECT_INCLUDE=) and exit.",
    };

    // Handled before parsing (Program.Main), as it needs no job list; here for --help.
    private static readonly Option<bool> CheckObjectsOption = new("--check-objects")
    {
        Description = "Check the objects named after it ([--target=TRIPLE] FILE...) as every backend result is checked before it is kept or used, print each verdict and its cost, and exit (1 if one fails).",
    };

    private static readonly Option<bool> JobResultsOption = new("--job-results")
    {
        Description = "Write one line of JSON per finished job, status line, warning and error, and the summary, to standard output (for a build that runs its jobs through this program).",
    };

    private static readonly Argument<string> JobListArgument = new("job-list")
    {
        Description = "The JSON job list lld wrote (lld passes it last).",
    };

    private static readonly RootCommand Command = new(
        "Runs the ThinLTO backend compiles of one lld DTLTO link in parallel. " +
        "Use as: clang -flto=thin -fuse-ld=lld -fthinlto-distributor=<this program> [-Xthinlto-distributor=--jobs=N]")
    {
        JobsOption,
        VerboseOption,
        JobTimeoutOption,
        TraceOption,
        HistoryOption,
        DryRunOption,
        BuildPipeOption,
        RemoteOption,
        RemoteInstanceOption,
        RemotePlatformOption,
        RemoteModeOption,
        RemoteStrictOption,
        RemoteJobsOption,
        RemoteCaFileOption,
        RemoteClientCertOption,
        RemoteClientKeyOption,
        RemoteTokenFileOption,
        RemoteTokenEnvOption,
        RemoteUploadToolchainOption,
        RemoteStallTimeoutOption,
        RemoteConnectTimeoutOption,
        RemoteMaxOutputSizeOption,
        RemoteUploadOption,
        RemoteRaceOption,
        CacheDirOption,
        NoCacheOption,
        CacheMaxSizeOption,
        CacheSharedOption,
        JobResultsOption,
        CMakeModuleOption,
        CheckObjectsOption,
        JobListArgument,
    };

    public static ParseResult Parse(string[] args) => Command.Parse(args);

    /// <summary>The first thing wrong with the command line, in words for the user; null if nothing is.</summary>
    public static string? Problem(ParseResult parsed, string[] args)
    {
        // "--remote-race=maybe" parses as the switch followed by the job list "maybe", and "--trace=" as --trace with the job list as its value.
        foreach (string arg in args)
        {
            int equals = arg.IndexOf('=');
            if (equals > 0 && equals == arg.Length - 1 && arg.StartsWith("--", StringComparison.Ordinal))
                return $"{arg.Substring(0, equals)} needs a value";
            if (equals > 0 && Switches.Contains(arg.Substring(0, equals)) && !bool.TryParse(arg.Substring(equals + 1), out _))
                return $"{arg.Substring(0, equals)}: '{arg.Substring(equals + 1)}' is not true or false";
        }

        if (parsed.Errors.Count == 0)
            return null;
        // An unknown option is taken for the job list, and the real job list then looks
        // like a stray argument; name the option instead.
        ArgumentResult? jobList = parsed.GetResult(JobListArgument);
        string? given = jobList is { Tokens.Count: > 0 } ? jobList.Tokens[0].Value : null;
        if (given is not null && given.StartsWith("-", StringComparison.Ordinal))
            return $"unknown option '{given}'";
        foreach (ParseError error in parsed.Errors)
        {
            OptionResult? option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
            if (option is null)
                continue;
            // Otherwise the option's own parser said what is wrong with its value.
            return error.Message.StartsWith("Required argument missing", StringComparison.Ordinal) ? $"{option.Option.Name} needs a value" : error.Message;
        }

        if (given is null)
            return "no job list: lld runs this program with the job list's path last (clang -fthinlto-distributor=dtlto-distributor)";
        ParseError first = parsed.Errors[0];
        return first.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal) && first.SymbolResult is CommandResult
            ? $"one job list only, but more arguments follow '{given}': {string.Join(" ", parsed.UnmatchedTokens)}"
            : first.Message.TrimEnd('.');
    }

    /// <summary>The options that take no value, or true or false after '='.</summary>
    private static readonly string[] Switches = Command.Options.OfType<Option<bool>>().SelectMany(o => o.Aliases.Append(o.Name)).ToArray();

    /// <summary>The root command has no action of its own, so any action is --help or --version.</summary>
    public static bool WantsHelpOrVersion(ParseResult parsed) => parsed.Action is not null;

    public static DistributorOptions Bind(ParseResult parsed) =>
        new(parsed.GetValue(JobListArgument)!, parsed.GetValue(JobsOption) ?? Environment.ProcessorCount, parsed.GetValue(VerboseOption), parsed.GetValue(BuildPipeOption),
            JobTimeout(parsed.GetValue(JobTimeoutOption)))
        {
            TracePath = parsed.GetValue(TraceOption),
            HistoryPath = parsed.GetValue(HistoryOption),
            DryRun = parsed.GetValue(DryRunOption),
            JobResults = parsed.GetValue(JobResultsOption),
            Cache = new Engine.Caching.CacheConfiguration
            {
                Enabled = !parsed.GetValue(NoCacheOption),
                Folder = parsed.GetValue(CacheDirOption),
                MaxSize = parsed.GetValue(CacheMaxSizeOption),
                Shared = parsed.GetValue(CacheSharedOption),
            },
            Remote = parsed.GetValue(RemoteOption) is string endpoint
                ? new Engine.Remote.RemoteConfiguration
                {
                    Endpoint = endpoint,
                    InstanceName = parsed.GetValue(RemoteInstanceOption),
                    Platform = parsed.GetValue(RemotePlatformOption) ?? Array.Empty<string>(),
                    Mode = parsed.GetValue(RemoteModeOption),
                    Strict = parsed.GetValue(RemoteStrictOption),
                    Concurrency = parsed.GetValue(RemoteJobsOption),
                    LocalConcurrency = parsed.GetValue(JobsOption) ?? Environment.ProcessorCount,
                    CaFile = parsed.GetValue(RemoteCaFileOption),
                    ClientCertificateFile = parsed.GetValue(RemoteClientCertOption),
                    ClientKeyFile = parsed.GetValue(RemoteClientKeyOption),
                    TokenFile = parsed.GetValue(RemoteTokenFileOption),
                    TokenVariable = parsed.GetValue(RemoteTokenEnvOption),
                    UploadToolchain = parsed.GetValue(RemoteUploadToolchainOption),
                    ActionTimeout = JobTimeout(parsed.GetValue(JobTimeoutOption)),
                    StallTimeoutSeconds = parsed.GetValue(RemoteStallTimeoutOption),
                    ConnectTimeoutSeconds = parsed.GetValue(RemoteConnectTimeoutOption),
                    Race = parsed.GetValue(RemoteRaceOption),
                    MaxOutputSize = parsed.GetValue(RemoteMaxOutputSizeOption),
                    Upload = parsed.GetValue(RemoteUploadOption),
                    DigestStoreFolder = new Engine.Caching.CacheConfiguration { Folder = parsed.GetValue(CacheDirOption) }.DigestFolder,
                }
                : null,
        };

    /// <summary>Seconds as a TimeSpan; a value out of range becomes zero, which the caller rejects.</summary>
    private static TimeSpan? JobTimeout(double? seconds) => seconds switch
    {
        null => null,
        > 0 and < 1e7 => TimeSpan.FromSeconds(seconds.Value),
        _ => TimeSpan.Zero,
    };
}
