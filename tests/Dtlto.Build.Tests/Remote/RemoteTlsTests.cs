using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// dtlto-distributor against the test server over TLS with a private certificate authority and
/// client certificates (mutual TLS), made by the test: real clang-22/lld-22 links.
/// </summary>
[TestClass]
public sealed class RemoteTlsTests
{
    [TestMethod]
    public async Task MutualTlsWithAPrivateAuthorityLinksOnTheFarm()
    {
        using var dir = new TestDirectory();
        var certificates = new TestCertificates(dir.File("certs"));
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(tls: new ServerTls(certificates.Server, certificates.Authority));
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        StringAssert.StartsWith(server.Endpoint, "grpcs://127.0.0.1:");

        CommandResult link = build.LinkWith(Toolchain.Distributor, "app", objects, RemoteDistributorTests.Remote(server,
            "--remote-ca-file=" + certificates.File("ca.pem"), "--remote-client-cert=" + certificates.File("client.pem"), "--remote-client-key=" + certificates.File("client.key")));

        ThinLtoBuild.Expect(link, "link over mutual TLS");
        Assert.AreEqual(5, server.State.Executed.Count);
        Assert.IsNotEmpty(server.State.ClientSubjects);
        Assert.IsTrue(server.State.ClientSubjects.All(s => s == "CN=build-machine"), "every call came with the client certificate");
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }

    [TestMethod]
    public async Task EachTlsMistakeFailsWithOneClearErrorAndNeverFallsBackToCleartextOrToCompilingHere()
    {
        using var dir = new TestDirectory();
        var certificates = new TestCertificates(dir.File("certs"));
        await using ReapiTestServer server = await ReapiTestServer.StartAsync(tls: new ServerTls(certificates.Server, certificates.Authority));
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        string ca = "--remote-ca-file=" + certificates.File("ca.pem");
        string[] Client(string name) => new[] { $"--remote-client-cert={certificates.File(name + ".pem")}", $"--remote-client-key={certificates.File(name + ".key")}" };

        CommandResult wrongAuthority = build.LinkWith(Toolchain.Distributor, "wrong-ca", objects,
            RemoteDistributorTests.Remote(server, Client("client").Append("--remote-ca-file=" + certificates.File("other-ca.pem")).ToArray()));
        CommandResult noClientCertificate = build.LinkWith(Toolchain.Distributor, "no-client", objects, RemoteDistributorTests.Remote(server, ca));
        CommandResult stranger = build.LinkWith(Toolchain.Distributor, "stranger", objects, RemoteDistributorTests.Remote(server, Client("stranger").Append(ca).ToArray()));
        CommandResult expired = build.LinkWith(Toolchain.Distributor, "expired", objects, RemoteDistributorTests.Remote(server, Client("expired").Append(ca).ToArray()));
        CommandResult cleartext = build.LinkWith(Toolchain.Distributor, "cleartext", objects,
            "-Xthinlto-distributor=--remote=" + server.Endpoint.Replace("grpcs://", "grpc://"), "-Xthinlto-distributor=" + ca);

        StringAssert.Contains(wrongAuthority.StandardError, $"TLS: the server's certificate (CN=farm.test) is not signed by the certificate authority in {certificates.File("other-ca.pem")}");
        StringAssert.Contains(noClientCertificate.StandardError, "TLS: ");
        StringAssert.Contains(noClientCertificate.StandardError, "give one with --remote-client-cert and --remote-client-key");
        StringAssert.Contains(stranger.StandardError, $"did the server refuse the client certificate {certificates.File("stranger.pem")}?");
        StringAssert.Contains(expired.StandardError, $"dtlto-distributor: error: the client certificate {certificates.File("expired.pem")} (CN=old-build-machine) expired on ");
        StringAssert.Contains(cleartext.StandardError, "dtlto-distributor: error: a certificate authority or client certificate needs a TLS address (grpcs://)");
        foreach ((string name, CommandResult link) in new[] { ("wrong-ca", wrongAuthority), ("no-client", noClientCertificate), ("stranger", stranger), ("expired", expired), ("cleartext", cleartext) })
        {
            Assert.AreNotEqual(0, link.ExitCode, name);
            Assert.IsFalse(link.StandardError.Contains("compile on this machine") || link.StandardError.Contains("run on this machine"), name + " did not fall back: " + link.StandardError);
            Assert.IsFalse(File.Exists(dir.File(name)), name + " left no program");
            Assert.AreEqual(1, System.Text.RegularExpressions.Regex.Matches(link.StandardError, "dtlto-distributor: error: ").Count, name + " says it once for the link: " + link.StandardError);
            Assert.IsFalse(link.StandardError.Contains("https://") || link.StandardError.Contains("retried"), name + " names the address as written and calls it once: " + link.StandardError);
        }

        StringAssert.Contains(stranger.StandardError, "cannot use the remote execution server at " + server.Endpoint + ": TLS: ");

        Assert.IsEmpty(server.State.Executed, "nothing reached the farm");
        Assert.IsEmpty(server.State.Calls, "no call was made without a verified TLS connection");
    }
}
