using System;
using System.Collections.Generic;
using System.Linq;

namespace Dtlto.Build.Engine.Remote;

/// <summary>How to reach a Remote Execution API server and what to ask of it.</summary>
public sealed class RemoteSettings
{
    public RemoteSettings(Uri endpoint)
    {
        Endpoint = endpoint;
    }

    /// <summary>The server: http:// (cleartext HTTP/2) or https:// (TLS), as <see cref="ParseEndpoint"/> reads it.</summary>
    public Uri Endpoint { get; }

    /// <summary>The server's address as the user wrote it (grpcs://farm:443), for messages.</summary>
    public string Address
    {
        get => _address ?? Endpoint.ToString();
        init => _address = value;
    }

    private readonly string? _address;

    /// <summary>The server's instance name; empty for the default instance.</summary>
    public string InstanceName { get; init; } = "";

    /// <summary>Platform properties of every action (e.g. container-image, OSFamily), which the server matches workers by.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Platform { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    public RemoteMode Mode { get; init; } = RemoteMode.Execute;

    /// <summary>Fail when the farm cannot do its part, instead of compiling locally with a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>The most actions in flight at once, where the adaptive limit starts; the farm, not this machine, is the limit.</summary>
    public int MaxConcurrency { get; init; } = DefaultConcurrency;

    /// <summary>Backend compiles this machine runs at once when it compiles itself (cache-only mode, fallback).</summary>
    public int LocalConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>TLS settings of an https:// endpoint (a private certificate authority, a client certificate); null for cleartext.</summary>
    public RemoteTls? Tls { get; init; }

    /// <summary>The value of the authorization header's bearer token; null for none. Never logged.</summary>
    public string? Token { get; init; }

    /// <summary>Send the compiler and the LLVM libraries it loads as inputs, for workers that do not have it.</summary>
    public bool UploadToolchain { get; init; }

    /// <summary>Attempts of the first call, which decides whether the server can be reached at all.</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>The wait before the first retry; it doubles with every further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one job may run, on the farm (the action's timeout) or here; null for no limit.</summary>
    public TimeSpan? ActionTimeout { get; init; }

    /// <summary>How long the link's first call may wait for the server before the link goes on without it (strict links fail).</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a server found down is not waited for again (the links in between check it in the background).</summary>
    public static readonly TimeSpan RememberDownFor = TimeSpan.FromMinutes(5);

    /// <summary>How long the link waits with actions out and none coming back before it stops waiting for the farm.</summary>
    public TimeSpan StallTimeout { get; init; } = DefaultStallTimeout;

    /// <summary>How long calls answered UNAVAILABLE are repeated after the server last answered.</summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a line says what waits on the farm while actions are out.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where file digests are kept between links (see <see cref="DigestStore"/>); null to hash every file in every link.</summary>
    public string? DigestStoreFolder { get; init; }

    /// <summary>Put results compiled here in the action cache (cache-only mode, races won here); false for a read-only client that never writes the team's cache.</summary>
    public bool Upload { get; init; } = true;

    /// <summary>Let this machine's idle cores compile jobs that are out on the farm too; the first whole result wins.</summary>
    public bool Race { get; init; } = true;

    /// <summary>The largest output an action result may claim; a larger one is refused before any of it is downloaded.</summary>
    public long MaxOutputSize { get; init; } = DefaultMaxOutputSize;

    public const long DefaultMaxOutputSize = 4L << 30;

    public const int DefaultConcurrency = 1000;

    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Reads a server address: grpc://host:port and http://host:port are cleartext, grpcs:// and
    /// https:// use TLS. Throws <see cref="FormatException"/> with a message naming what is wrong.
    /// </summary>
    public static Uri ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
            throw new FormatException($"'{text}' is not a server address such as grpc://farm.example:8980 or grpcs://farm.example:443");
        string scheme = uri.Scheme.ToLowerInvariant() switch
        {
            "grpc" or "http" => "http",
            "grpcs" or "https" => "https",
            _ => throw new FormatException($"'{text}': the scheme must be grpc, grpcs, http or https"),
        };
        // grpc:// and grpcs:// have no default port of their own: theirs are HTTP's and HTTPS's.
        int port = uri.Port >= 0 ? uri.Port : scheme == "https" ? 443 : 80;
        return new UriBuilder(uri) { Scheme = scheme, Port = port }.Uri;
    }

    /// <summary>Reads platform properties written name=value; throws <see cref="FormatException"/> for one without '='.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParsePlatform(IEnumerable<string> properties) =>
        properties.Where(p => p.Trim().Length > 0).Select(p =>
        {
            int equals = p.IndexOf('=');
            if (equals <= 0)
                throw new FormatException($"platform property '{p}' must be written name=value");
            return new KeyValuePair<string, string>(p.Substring(0, equals).Trim(), p.Substring(equals + 1).Trim());
        }).ToList();
}
