using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// A folder set up as a user sets up a repository that consumes the SDK: a nuget.config naming
/// the local feed and a global.json naming the SDK version; projects and sources go below it.
/// </summary>
public sealed class NativeWorkspace : IDisposable
{
    private readonly TestDirectory _directory;

    public NativeWorkspace(string? nameSuffix = null)
    {
        _directory = new TestDirectory(nameSuffix);
        Write("global.json", $$"""
            { "sdk": { "version": "10.0.100", "rollForward": "latestFeature" },
              "msbuild-sdks": { "Dtlto.Build.Sdk": "{{SdkPackage.Version}}" } }
            """);
        Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{SdkPackage.Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    public string Path => _directory.Path;

    public string File(string relative) => _directory.File(relative);

    public string Write(string relative, string text) => _directory.Write(relative, text);

    /// <summary>A project file of the SDK with the given body.</summary>
    public string WriteProject(string relative, string body) =>
        Write(relative, $"<Project Sdk=\"Dtlto.Build.Sdk\">\n{body}\n</Project>\n");

    /// <summary>Runs `dotnet build` (or another verb) on a project, at normal verbosity.</summary>
    public CommandResult Dotnet(params string[] arguments) => DiagnosticPlaces.NoneInThePackage(
        Command.Run(Path, "dotnet", arguments.Concat(new[] { "-nodeReuse:false", "-v:n", "-nologo" }), TimeSpan.FromMinutes(5), SdkPackage.Environment));

    public CommandResult Build(string project, params string[] arguments) =>
        Dotnet(new[] { "build", project }.Concat(arguments).ToArray());

    /// <summary>Builds with a binary log and returns the log replayed as diagnostic text.</summary>
    public (CommandResult Build, string Log) BuildWithBinlog(string project, params string[] arguments)
    {
        string binlog = File("build.binlog");
        CommandResult build = Build(project, arguments.Concat(new[] { "-bl:" + binlog }).ToArray());
        string text = File("build.binlog.log");
        Command.Run(Path, "dotnet", new[] { "msbuild", binlog, "-noconlog", $"-flp:v=diag;logfile={text}" }, TimeSpan.FromMinutes(2), SdkPackage.Environment);
        return (build, System.IO.File.Exists(text) ? System.IO.File.ReadAllText(text) : "");
    }

    /// <summary>The part of a diagnostic build log that one run of a target wrote.</summary>
    /// <param name="project">A part of the project's path, when several projects of the build run the target.</param>
    public static string TargetSection(string log, string target, string project = "")
    {
        Match match = Regex.Match(
            log,
            $"Target \"{target}: [^\n]*from project \"[^\"]*{Regex.Escape(project)}[^\"]*\".*?Done building target \"{target}\"",
            RegexOptions.Singleline);
        return match.Success ? match.Value : "";
    }

    /// <summary>Whether a target ran its tasks (neither skipped as up to date nor by its condition).</summary>
    public static bool TargetRan(string log, string target, string project = "")
    {
        string section = TargetSection(log, target, project);
        return section.Length > 0 && !section.Contains($"Skipping target \"{target}\"");
    }

    public void Dispose() => _directory.Dispose();
}
