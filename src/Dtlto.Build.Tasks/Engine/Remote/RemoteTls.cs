using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// TLS beyond the system's trusted roots: a private certificate authority that signs the
/// server's certificate, and a client certificate for mutual TLS. Files are PEM, as farms hand
/// them out. Problems with the files are found before the link starts; a handshake that fails
/// says why in words (<see cref="Explain"/>), and is never retried without TLS.
/// </summary>
public sealed class RemoteTls
{
    private string? _lastRejection;

    private RemoteTls(string? caFile, X509Certificate2Collection? authorities, string? clientCertificateFile, X509Certificate2? clientCertificate)
    {
        CaFile = caFile;
        Authorities = authorities;
        ClientCertificateFile = clientCertificateFile;
        ClientCertificate = clientCertificate;
    }

    public string? CaFile { get; }

    /// <summary>The certificates the server's chain must end in; null for the system's roots.</summary>
    public X509Certificate2Collection? Authorities { get; }

    public string? ClientCertificateFile { get; }

    /// <summary>This client's certificate, with its private key; null for none.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>
    /// Reads the files; throws <see cref="FormatException"/> naming the file for one that cannot
    /// be read, holds no certificate, or a client certificate that has expired or is not yet valid.
    /// </summary>
    public static RemoteTls Load(string? caFile, string? clientCertificateFile, string? clientKeyFile)
    {
        X509Certificate2Collection? authorities = null;
        if (!string.IsNullOrEmpty(caFile))
        {
            authorities = new X509Certificate2Collection();
            Guard(caFile!, "certificate authority file", () => authorities.ImportFromPemFile(caFile!));
            if (authorities.Count == 0)
                throw new FormatException($"the certificate authority file {caFile} holds no PEM certificate");
        }

        X509Certificate2? client = null;
        if (!string.IsNullOrEmpty(clientCertificateFile) || !string.IsNullOrEmpty(clientKeyFile))
        {
            if (string.IsNullOrEmpty(clientCertificateFile) || string.IsNullOrEmpty(clientKeyFile))
                throw new FormatException("a client certificate needs both the certificate file and its private key file");
            client = Guard(clientCertificateFile!, "client certificate or its key", () => X509Certificate2.CreateFromPemFile(clientCertificateFile!, clientKeyFile));
            DateTime now = DateTime.Now;
            if (client.NotAfter < now)
                throw new FormatException($"the client certificate {clientCertificateFile} ({client.Subject}) expired on {client.NotAfter:yyyy-MM-dd HH:mm}");
            if (client.NotBefore > now)
                throw new FormatException($"the client certificate {clientCertificateFile} ({client.Subject}) is not valid before {client.NotBefore:yyyy-MM-dd HH:mm}");
        }

        return new RemoteTls(caFile, authorities, clientCertificateFile, client);
    }

    /// <summary>The TLS options of the connection.</summary>
    internal SslClientAuthenticationOptions Options()
    {
        var options = new SslClientAuthenticationOptions();
        if (ClientCertificate is not null)
            options.ClientCertificates = new X509CertificateCollection { ClientCertificate };
        if (Authorities is not null)
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate as X509Certificate2, errors);
        return options;
    }

    /// <summary>The server's certificate must chain to the private authority and name the host.</summary>
    private bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
            return Reject("the server sent no certificate");
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            return Reject($"the server's certificate ({certificate.Subject}) does not name the host of the address");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
            return true;
        string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return Reject($"the server's certificate ({certificate.Subject}) is not signed by the certificate authority in {CaFile}" + (status.Length > 0 ? $" ({status})" : ""));
    }

    private bool Reject(string why)
    {
        Volatile.Write(ref _lastRejection, why);
        return false;
    }

    /// <summary>
    /// After the first call to the server failed: whether TLS is what failed, and why, in words;
    /// null when it is not (the server is down, say). Such a failure is a setting to fix, not a farm
    /// to fall back from. The handshake is tried again on a connection of its own, because an
    /// HTTP/2 client reports a refused client certificate only as a connection that never came up:
    /// with TLS 1.3 the server checks the client's certificate after the handshake, and closes.
    /// </summary>
    public async Task<string?> DiagnoseAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _lastRejection) is string rejection)
            return "TLS: " + rejection;
        using var tcp = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }

        using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        SslClientAuthenticationOptions options = Options();
        options.TargetHost = endpoint.Host;
        options.ApplicationProtocols = new List<SslApplicationProtocol> { SslApplicationProtocol.Http2 };
        try
        {
            await tls.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            return "TLS: " + (Volatile.Read(ref _lastRejection) ?? "the handshake with the server failed: " + e.Message) + ClientCertificateHint();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return null;
        }

        try
        {
            // HTTP/2's connection preface and an empty SETTINGS frame: a server that accepted us answers with its SETTINGS.
            await tls.WriteAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray(), deadline.Token).ConfigureAwait(false);
            int read = await tls.ReadAsync(new byte[9], deadline.Token).ConfigureAwait(false);
            return read > 0 ? null : "TLS: the server closed the connection right after the handshake" + ClientCertificateHint();
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return $"TLS: the server ended the connection after the handshake ({e.Message})" + ClientCertificateHint();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private string ClientCertificateHint() => ClientCertificate is null
        ? "; does it want a client certificate? give one with --remote-client-cert and --remote-client-key (DtltoRemoteClientCert, DtltoRemoteClientKey)"
        : $"; did the server refuse the client certificate {ClientCertificateFile}?";

    private static T Guard<T>(string file, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"cannot read the {what} {file}: {e.Message}");
        }
    }

    private static void Guard(string file, string what, Action read) => Guard<bool>(file, what, () => { read(); return true; });
}
