using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dtlto.Build.RemoteTestServer;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Remote;

/// <summary>
/// Farms that cannot be used, as users meet them, through dtlto-distributor and real clang-22/lld-22:
/// a listener that takes connections and never answers costs one wait of the connect timeout, said
/// as it starts; later links do not wait for it again and check it in the background; a farm that
/// is back is used. Refused connections and unknown hosts are said as what they are, and a strict
/// link that could not connect shows no compile command, since none ran.
/// </summary>
[TestClass]
public sealed class SilentFarmTests
{
    private static string[] Remote(int port, params string[] more) =>
        new[] { "--remote=grpc://127.0.0.1:" + port, "--remote-connect-timeout=3", "--remote-race=false", "--no-cache" }.Concat(more).Select(o => "-Xthinlto-distributor=" + o).ToArray();

    [TestMethod]
    public async Task AFarmThatNeverAnswersCostsOneSaidWaitAndIsUsedAgainOnceItAnswers()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        // Compiles here take a second, so that a check of the farm in the background answers while some still wait.
        string slowClang = Scripts.Write(dir.File("slow-clang.sh"), $"sleep 1\nexec '{Path.Combine(Toolchain.BinDirectory, "clang")}' \"$@\"\n");
        var silent = new SilentListener();
        int port = silent.Port;

        var clock = Stopwatch.StartNew();
        CommandResult first = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(port));
        TimeSpan firstTook = clock.Elapsed;
        clock.Restart();
        CommandResult second = build.LinkWith(Toolchain.Distributor, "second", objects, Remote(port));
        TimeSpan secondTook = clock.Elapsed;
        silent.Dispose();
        await using ReapiTestServer back = await ReapiTestServer.StartAsync(port: port);
        CommandResult third = build.LinkWith(Toolchain.Distributor, "third", objects, Remote(port).Append("-Wl,--thinlto-remote-compiler=" + slowClang).ToArray());
        CommandResult fourth = build.LinkWith(Toolchain.Distributor, "fourth", objects, Remote(port));

        ThinLtoBuild.Expect(first, "link while the farm is silent");
        StringAssert.Contains(first.StandardError, $"dtlto-distributor: waiting for the remote execution server at grpc://127.0.0.1:{port} to answer (up to 3 s, then the backend compiles run on this machine)");
        StringAssert.Contains(first.StandardError, $"warning: cannot use the remote execution server at grpc://127.0.0.1:{port}: no answer within 3 s (GetCapabilities): something accepted the connection on 127.0.0.1 port {port} and never answered; the backend compiles run on this machine");
        Assert.IsTrue(firstTook >= TimeSpan.FromSeconds(3) && firstTook < TimeSpan.FromSeconds(30), $"one wait of the connect timeout: {firstTook}");

        ThinLtoBuild.Expect(second, "the next link");
        StringAssert.Matches(second.StandardError, new Regex($@"warning: the remote execution server at grpc://127\.0\.0\.1:{port} could not be used \d+ s ago \(no answer within 3 s"));
        Assert.IsFalse(second.StandardError.Contains("waiting for the remote execution server"), second.StandardError);
        Assert.IsTrue(secondTook < TimeSpan.FromSeconds(3), $"the next link does not wait again: {secondTook}");

        ThinLtoBuild.Expect(third, "a link once the farm is back");
        StringAssert.Contains(third.StandardError, $"the remote execution server at grpc://127.0.0.1:{port} answers again: the backend compiles not yet started go to it");
        Match counts = Regex.Match(third.StandardError, @"remote: (\d+) executed, (\d+) compiled here");
        Assert.IsTrue(counts.Success, third.StandardError);
        Assert.AreEqual(5, int.Parse(counts.Groups[1].Value) + int.Parse(counts.Groups[2].Value));
        Assert.IsTrue(int.Parse(counts.Groups[1].Value) >= 1, "jobs that had not started went to the farm: " + third.StandardError);

        ThinLtoBuild.Expect(fourth, "a link after the farm was found back");
        Assert.IsFalse(fourth.StandardError.Contains("could not be used"), "the memory of the silence is gone: " + fourth.StandardError);
        StringAssert.Contains(fourth.StandardError, "0 compiled here");
        foreach (string program in new[] { "app", "second", "third", "fourth" })
            Assert.AreEqual(CProgram.Output, build.Run(program).StandardOutput, program);
    }

    [TestMethod]
    public void ARefusedConnectionAndAnUnknownHostAreSaidAsWhatTheyAre()
    {
        using var dir = new TestDirectory();
        (ThinLtoBuild build, string[] objects) = ThinLtoBuild.CompileCProgram(dir);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        CommandResult refused = build.LinkWith(Toolchain.Distributor, "app", objects, Remote(port));
        CommandResult unknown = build.LinkWith(Toolchain.Distributor, "unknown", objects,
            new[] { "--remote=grpc://no-such-host.invalid:8980", "--no-cache" }.Select(o => "-Xthinlto-distributor=" + o).ToArray());
        CommandResult strict = build.LinkWith(Toolchain.Distributor, "strict", objects, new[] { "--remote=grpc://127.0.0.1:" + port, "--remote-strict", "--no-cache" }.Select(o => "-Xthinlto-distributor=" + o).ToArray());

        ThinLtoBuild.Expect(refused, "link with a refused connection");
        StringAssert.Contains(refused.StandardError, $"cannot use the remote execution server at grpc://127.0.0.1:{port}: connection refused: nothing listens on 127.0.0.1 port {port}");
        ThinLtoBuild.Expect(unknown, "link with an unknown host");
        StringAssert.Contains(unknown.StandardError, "cannot use the remote execution server at grpc://no-such-host.invalid:8980: the host name 'no-such-host.invalid' was not found");
        Assert.AreNotEqual(0, strict.ExitCode);
        StringAssert.Contains(strict.StandardError, "connection refused");
        Assert.IsFalse(strict.StandardError.Contains("command: "), "no compile ran, so no command is shown: " + strict.StandardError);
        Assert.AreEqual(CProgram.Output, build.Run("app").StandardOutput);
    }
}
