using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// A private certificate authority, a server certificate it signs for 127.0.0.1, client
/// certificates (valid, expired, and one signed by another authority), and PEM files of them, as
/// a farm's administrator hands them out.
/// </summary>
public sealed class TestCertificates
{
    private readonly string _folder;

    public TestCertificates(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        Authority = NewAuthority("CN=Dtlto Test Farm CA");
        OtherAuthority = NewAuthority("CN=Some Other CA");
        Server = Issue(Authority, "CN=farm.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), server: true);
        Write("ca.pem", Authority);
        Write("other-ca.pem", OtherAuthority);
        WriteClient("client", Issue(Authority, "CN=build-machine", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), server: false));
        WriteClient("expired", Issue(Authority, "CN=old-build-machine", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1), server: false));
        WriteClient("stranger", Issue(OtherAuthority, "CN=stranger", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), server: false));
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 OtherAuthority { get; }

    /// <summary>The server's certificate, with its key, for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 Server { get; }

    public string File(string name) => Path.Combine(_folder, name);

    private static X509Certificate2 NewAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(365));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") }, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        byte[] serial = RandomNumberGenerator.GetBytes(12);
        using X509Certificate2 certificate = request.Create(authority, notBefore, notAfter, serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private void Write(string name, X509Certificate2 certificate) => System.IO.File.WriteAllText(File(name), certificate.ExportCertificatePem());

    private void WriteClient(string name, X509Certificate2 certificate)
    {
        Write(name + ".pem", certificate);
        System.IO.File.WriteAllText(File(name + ".key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }
}
