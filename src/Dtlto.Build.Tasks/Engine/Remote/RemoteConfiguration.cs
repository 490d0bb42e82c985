using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Remote execution as the user wrote it (distributor options or MSBuild properties), checked and
/// turned into <see cref="RemoteSettings"/>. Each problem is a <see cref="FormatException"/>
/// whose message names the setting; the token's value never appears in one.
/// </summary>
public sealed class RemoteConfiguration
{
    public string Endpoint { get; init; } = "";

    public string? InstanceName { get; init; }

    /// <summary>name=value pairs.</summary>
    public IReadOnlyList<string> Platform { get; init; } = Array.Empty<string>();

    /// <summary>execute (the default) or cache-only.</summary>
    public string? Mode { get; init; }

    public bool Strict { get; init; }

    /// <summary>Actions in flight at once; 0 or null for the default.</summary>
    public int? Concurrency { get; init; }

    public int LocalConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>A PEM file of the certificate authority that signs the server's certificate; null for the system's roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM files of this client's certificate and its private key, for mutual TLS.</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    /// <summary>A file whose content (trimmed) is the bearer token.</summary>
    public string? TokenFile { get; init; }

    /// <summary>An environment variable whose value is the bearer token.</summary>
    public string? TokenVariable { get; init; }

    public bool UploadToolchain { get; init; }

    /// <summary>How long one job may run, on the farm or here; null for no limit.</summary>
    public TimeSpan? ActionTimeout { get; init; }

    /// <summary>Seconds to wait with actions out and none coming back; null or 0 for the default.</summary>
    public double? StallTimeoutSeconds { get; init; }

    /// <summary>The largest output a result of the farm may claim (4G, 500M, bytes); empty for 4 GiB.</summary>
    public string? MaxOutputSize { get; init; }

    /// <summary>The link's cache folder, where file digests are kept between links; null to hash every file in every link.</summary>
    public string? DigestStoreFolder { get; init; }

    /// <summary>Let idle cores here race the farm.</summary>
    public bool Race { get; init; } = true;

    /// <summary>Seconds the link's first call may wait for the server; null or 0 for the default.</summary>
    public double? ConnectTimeoutSeconds { get; init; }

    /// <summary>Put results compiled here in the action cache; false reads it only.</summary>
    public bool Upload { get; init; } = true;

    /// <param name="warn">Receives what is allowed but unwise (a token file other users can read), never a secret.</param>
    public RemoteSettings ToSettings(Action<string>? warn = null)
    {
        Uri endpoint = RemoteSettings.ParseEndpoint(Endpoint);
        RemoteMode mode = (Mode ?? "").Trim().ToLowerInvariant() switch
        {
            "" or "execute" => RemoteMode.Execute,
            "cache-only" or "cacheonly" => RemoteMode.CacheOnly,
            _ => throw new FormatException($"remote mode '{Mode}' is neither execute nor cache-only"),
        };
        if (Concurrency is < 0)
            throw new FormatException($"remote concurrency must be 1 or more, not {Concurrency}");
        if (StallTimeoutSeconds is < 0 or >= 1e7)
            throw new FormatException($"the remote stall timeout must be a number of seconds above 0, not {StallTimeoutSeconds}");

        if (ConnectTimeoutSeconds is < 0 or >= 1e7)
            throw new FormatException($"the remote connect timeout must be a number of seconds above 0, not {ConnectTimeoutSeconds}");

        bool tlsFiles = !string.IsNullOrEmpty(CaFile) || !string.IsNullOrEmpty(ClientCertificateFile) || !string.IsNullOrEmpty(ClientKeyFile);
        if (tlsFiles && endpoint.Scheme != Uri.UriSchemeHttps)
            throw new FormatException($"a certificate authority or client certificate needs a TLS address (grpcs://), not {Endpoint}");
        RemoteTls? tls = endpoint.Scheme == Uri.UriSchemeHttps ? RemoteTls.Load(CaFile, ClientCertificateFile, ClientKeyFile) : null;
        TimeSpan stall = StallTimeoutSeconds is > 0 ? TimeSpan.FromSeconds(StallTimeoutSeconds.Value) : RemoteSettings.DefaultStallTimeout;
        return new RemoteSettings(endpoint)
        {
            Address = Endpoint.Trim(),
            InstanceName = InstanceName?.Trim() ?? "",
            Platform = RemoteSettings.ParsePlatform(Platform),
            Mode = mode,
            Strict = Strict,
            MaxConcurrency = Concurrency is > 0 ? Concurrency.Value : RemoteSettings.DefaultConcurrency,
            LocalConcurrency = Math.Max(1, LocalConcurrency),
            Tls = tls,
            Token = ReadToken(warn),
            UploadToolchain = UploadToolchain,
            ActionTimeout = ActionTimeout,
            StallTimeout = stall,
            ConnectTimeout = ConnectTimeoutSeconds is > 0 ? TimeSpan.FromSeconds(ConnectTimeoutSeconds.Value) : RemoteSettings.DefaultConnectTimeout,
            // At least one status line before a short stall timeout ends the wait.
            StatusInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, stall.Ticks / 2)),
            Race = Race,
            DigestStoreFolder = DigestStoreFolder,
            Upload = Upload,
            MaxOutputSize = string.IsNullOrWhiteSpace(MaxOutputSize) ? RemoteSettings.DefaultMaxOutputSize : ReadSize(MaxOutputSize!),
        };
    }

    private static long ReadSize(string text)
    {
        try
        {
            return Caching.CacheSize.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException("the remote output size limit: " + e.Message);
        }
    }

    private string? ReadToken(Action<string>? warn)
    {
        if (!string.IsNullOrEmpty(TokenFile) && !string.IsNullOrEmpty(TokenVariable))
            throw new FormatException("give the remote token by a file or by an environment variable, not both");
        if (!string.IsNullOrEmpty(TokenFile))
        {
            try
            {
                string token = File.ReadAllText(TokenFile).Trim();
                if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(TokenFile!) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                    warn?.Invoke($"the remote token file {TokenFile} can be read by other users; make it readable by you alone (chmod 600 {TokenFile})");
                return token.Length > 0 ? token : throw new FormatException($"the remote token file {TokenFile} is empty");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FormatException($"cannot read the remote token file {TokenFile}: {e.Message}");
            }
        }

        if (!string.IsNullOrEmpty(TokenVariable))
        {
            string? token = Environment.GetEnvironmentVariable(TokenVariable!)?.Trim();
            return !string.IsNullOrEmpty(token) ? token : throw new FormatException($"the environment variable {TokenVariable} that should hold the remote token is not set");
        }

        return null;
    }
}
