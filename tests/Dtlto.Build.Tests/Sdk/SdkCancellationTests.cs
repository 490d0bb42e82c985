using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>Ctrl+C during the backend compiles ends lld and every compile, and the next build is correct.</summary>
[TestClass]
public sealed class SdkCancellationTests
{
    [TestMethod]
    public void CancellingTheBuildDuringBackendCompilesLeavesNoProcessAndNoOutput()
    {
        using var workspace = new NativeWorkspace();
        // A backend compiler that announces itself and then takes its time.
        string slow = workspace.Write("slow-clang.sh", $"#!/bin/sh\ntouch \"{workspace.File("started")}\"\nsleep 30\nexec {Toolchain.Clang} \"$@\"\n");
        File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string project = SamplePrograms.WriteApp(workspace, extraItems: $"""
              <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler={slow}</AdditionalOptions></Link></ItemDefinitionGroup>
            """);

        var startInfo = new ProcessStartInfo("dotnet") { WorkingDirectory = workspace.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "build", project, "-c", "Release", "-nodeReuse:false", "-v:n" })
            startInfo.ArgumentList.Add(argument);
        foreach (KeyValuePair<string, string?> variable in SdkPackage.Environment)
        {
            if (variable.Value is null)
                startInfo.Environment.Remove(variable.Key);
            else
                startInfo.Environment[variable.Key] = variable.Value;
        }

        using Process build = Process.Start(startInfo)!;
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(workspace.File("started")) && DateTime.UtcNow < deadline && !build.HasExited)
            Thread.Sleep(50);
        Assert.IsTrue(File.Exists(workspace.File("started")), "a backend compile started: " + (build.HasExited ? output.Result : ""));
        Assert.IsNotEmpty(ProcessesUnder(workspace.Path), "the link and its compiles are running");

        Command.Run(workspace.Path, "kill", "-INT", build.Id.ToString());
        Assert.IsTrue(build.WaitForExit(15_000), "the build ends within seconds of Ctrl+C");

        Thread.Sleep(500);
        string[] left = ProcessesUnder(workspace.Path);
        CollectionAssert.AreEqual(Array.Empty<string>(), left, "processes of the build outlived it:\n" + string.Join("\n", left) + "\n" + output.Result + errors.Result);
        Assert.AreNotEqual(0, build.ExitCode);
        Assert.IsFalse(File.Exists(workspace.File("app/bin/Release/app")), "no output that looks built");
        Assert.IsEmpty(Directory.GetFiles(workspace.File("app/bin/Release"), "*.native.o*"));

        File.WriteAllText(project, File.ReadAllText(project).Replace($"-Wl,--thinlto-remote-compiler={slow}", ""));
        CommandResult next = workspace.Build(project, "-c", "Release");
        Assert.AreEqual(0, next.ExitCode, next.ToString());
        Assert.AreEqual(SamplePrograms.AppOutput, Command.Run(workspace.Path, workspace.File("app/bin/Release/app")).StandardOutput);
    }

    /// <summary>Command lines of live processes that mention <paramref name="directory"/> (clang, lld, the distributor, the sleep).</summary>
    private static string[] ProcessesUnder(string directory)
    {
        var found = new List<string>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                string commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(directory) && !commandLine.StartsWith("dotnet build") && Processes.ProcessRunnerTests.IsRunning(pid))
                    found.Add($"{pid}: {commandLine}");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found.ToArray();
    }
}
