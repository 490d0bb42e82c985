using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Build.Framework;
#if DTLTO_REMOTE
using Dtlto.Build.Engine.Remote;
#endif

namespace Dtlto.Build.Tasks;

/// <summary>
/// The remote execution settings of one DtltoBackendCompile, read once from its <c>Remote</c> item. The
/// remote executor is made from them in this process (<see cref="ToConfiguration"/>), or
/// dtlto-distributor gets them as its options (<see cref="DistributorArguments"/>) and reads them
/// back into the same configuration: one place says how each setting travels.
/// </summary>
internal sealed class RemoteBatchSettings
{
    public string Endpoint { get; init; } = "";

    public string? Instance { get; init; }

    public IReadOnlyList<string> Platform { get; init; } = Array.Empty<string>();

    public string? Mode { get; init; }

    public bool Strict { get; init; }

    /// <summary>Actions in flight at once; 0 for the default.</summary>
    public int Jobs { get; init; }

    public string? CaFile { get; init; }

    public string? ClientCertificate { get; init; }

    public string? ClientKey { get; init; }

    public string? TokenFile { get; init; }

    public string? TokenVariable { get; init; }

    public bool UploadToolchain { get; init; }

    /// <summary>Seconds; 0 for the defaults.</summary>
    public double StallTimeout { get; init; }

    public double ConnectTimeout { get; init; }

    /// <summary>Seconds one job may run, here or on the farm; 0 for no limit.</summary>
    public double JobTimeout { get; init; }

    public string? MaxOutputSize { get; init; }

    public bool Race { get; init; } = true;

    public bool Upload { get; init; } = true;

    /// <summary>The backend cache's folder, where file digests are kept between links too; empty for the per-user one.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// The batch runs in dtlto-distributor rather than in this process: as the targets decided
    /// (<c>$(_DtltoRemoteBatchOutOfProcess)</c>), and always where this task assembly has no remote
    /// executor, so that a caller other than the SDK's targets cannot ask it for what it does not have.
    /// </summary>
    public bool OutOfProcess { get; init; }

    /// <summary>
    /// The settings of a DtltoBackendCompile's <c>Remote</c> item, whose metadata are the
    /// DtltoRemote* properties' values (the SDK's targets make it); null when it names no endpoint.
    /// A value that is not of its kind (a count that is not a number) throws <see cref="FormatException"/>
    /// naming the property.
    /// </summary>
    /// <param name="jobTimeout">Seconds one job may run (DtltoBackendJobTimeout); 0 for no limit.</param>
    /// <param name="cacheDirectory">The backend cache's folder, where the digests are kept too; empty for the per-user one.</param>
    public static RemoteBatchSettings? Of(ITaskItem? remote, double jobTimeout, string? cacheDirectory)
    {
        string Text(string name) => remote!.GetMetadata(name).Trim();
        string? Optional(string name) => Text(name) is { Length: > 0 } value ? value : null;
        string endpoint = remote is null ? "" : Text(nameof(Endpoint));
        if (endpoint.Length == 0)
            return null;
        return new RemoteBatchSettings
        {
            Endpoint = endpoint,
            Instance = Optional(nameof(Instance)),
            Platform = Text(nameof(Platform)).Split(';').Select(p => p.Trim()).Where(p => p.Length > 0).ToArray(),
            Mode = Optional(nameof(Mode)),
            Strict = Flag(Text(nameof(Strict)), "DtltoRemoteStrict", false),
            Jobs = (int)Count(Text(nameof(Jobs)), "DtltoRemoteJobs", whole: true),
            CaFile = Optional(nameof(CaFile)),
            ClientCertificate = Optional(nameof(ClientCertificate)),
            ClientKey = Optional(nameof(ClientKey)),
            TokenFile = Optional(nameof(TokenFile)),
            TokenVariable = Optional(nameof(TokenVariable)),
            UploadToolchain = Flag(Text(nameof(UploadToolchain)), "DtltoRemoteUploadToolchain", false),
            StallTimeout = Count(Text(nameof(StallTimeout)), "DtltoRemoteStallTimeout", whole: false),
            ConnectTimeout = Count(Text(nameof(ConnectTimeout)), "DtltoRemoteConnectTimeout", whole: false),
            JobTimeout = jobTimeout,
            MaxOutputSize = Optional(nameof(MaxOutputSize)),
            Race = Flag(Text(nameof(Race)), "DtltoRemoteRace", true),
            Upload = Flag(Text(nameof(Upload)), "DtltoRemoteUpload", true),
            CacheDirectory = cacheDirectory,
            OutOfProcess = Flag(Text(nameof(OutOfProcess)), "DtltoRemoteOutOfProcess", false) || !RemoteExecutors.InProcess,
        };
    }

    private static bool Flag(string value, string property, bool empty) =>
        value.Length == 0 ? empty : bool.TryParse(value, out bool flag) ? flag : throw new FormatException($"{property} must be true or false, not '{value}'");

    private static double Count(string value, string property, bool whole)
    {
        if (value.Length == 0)
            return 0;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && number >= 0 && number < 1e7 && (!whole || number == Math.Floor(number)))
            return number;
        throw new FormatException($"{property} must be {(whole ? "a whole number" : "a number of seconds")} of 0 or more, not '{value}'");
    }

    /// <summary>The settings as dtlto-distributor's options, with <paramref name="localParallelism"/> as its --jobs.</summary>
    public IEnumerable<string> DistributorArguments(int localParallelism)
    {
        yield return "--jobs=" + Number(localParallelism);
        yield return "--remote=" + Endpoint;
        if (!string.IsNullOrEmpty(Instance))
            yield return "--remote-instance=" + Instance;
        foreach (string property in Platform)
            yield return "--remote-platform=" + property;
        if (!string.IsNullOrEmpty(Mode))
            yield return "--remote-mode=" + Mode;
        if (Strict)
            yield return "--remote-strict";
        if (Jobs > 0)
            yield return "--remote-jobs=" + Number(Jobs);
        if (!string.IsNullOrEmpty(CaFile))
            yield return "--remote-ca-file=" + CaFile;
        if (!string.IsNullOrEmpty(ClientCertificate))
            yield return "--remote-client-cert=" + ClientCertificate;
        if (!string.IsNullOrEmpty(ClientKey))
            yield return "--remote-client-key=" + ClientKey;
        if (!string.IsNullOrEmpty(TokenFile))
            yield return "--remote-token-file=" + TokenFile;
        if (!string.IsNullOrEmpty(TokenVariable))
            yield return "--remote-token-env=" + TokenVariable;
        if (UploadToolchain)
            yield return "--remote-upload-toolchain";
        if (StallTimeout > 0)
            yield return "--remote-stall-timeout=" + Number(StallTimeout);
        if (ConnectTimeout > 0)
            yield return "--remote-connect-timeout=" + Number(ConnectTimeout);
        if (JobTimeout > 0)
            yield return "--job-timeout=" + Number(JobTimeout);
        if (!string.IsNullOrEmpty(MaxOutputSize))
            yield return "--remote-max-output-size=" + MaxOutputSize;
        if (!Race)
            yield return "--remote-race=false";
        if (!Upload)
            yield return "--remote-upload=false";
        if (!string.IsNullOrEmpty(CacheDirectory))
            yield return "--cache-dir=" + CacheDirectory;
    }

#if DTLTO_REMOTE
    /// <summary>The settings as the remote executor takes them, with <paramref name="localParallelism"/> cores for compiles here.</summary>
    public RemoteConfiguration ToConfiguration(int localParallelism) => new()
    {
        Endpoint = Endpoint,
        InstanceName = Instance,
        Platform = Platform,
        Mode = Mode,
        Strict = Strict,
        Concurrency = Jobs > 0 ? Jobs : null,
        LocalConcurrency = localParallelism,
        CaFile = CaFile,
        ClientCertificateFile = ClientCertificate,
        ClientKeyFile = ClientKey,
        TokenFile = TokenFile,
        TokenVariable = TokenVariable,
        UploadToolchain = UploadToolchain,
        ActionTimeout = JobTimeout > 0 ? TimeSpan.FromSeconds(JobTimeout) : null,
        StallTimeoutSeconds = StallTimeout > 0 ? StallTimeout : null,
        ConnectTimeoutSeconds = ConnectTimeout > 0 ? ConnectTimeout : null,
        Race = Race,
        MaxOutputSize = MaxOutputSize,
        Upload = Upload,
        DigestStoreFolder = new Engine.Caching.CacheConfiguration { Folder = CacheDirectory }.DigestFolder,
    };
#endif

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
