using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>
/// `-m` builds of several projects share the machine's cores through MSBuild's RequestCores:
/// two links whose backend compiles want to run at the same time do not each take every core.
/// </summary>
[TestClass]
public sealed class SdkCoreSharingTests
{
    [TestMethod]
    public void TwoLinksInOneParallelBuildDoNotOversubscribeTheCores()
    {
        using var workspace = new NativeWorkspace();
        string faulty = Scripts.FaultyCompiler(workspace.Path);
        foreach (string name in new[] { "one", "two" })
        {
            var items = new List<string>();
            for (int i = 0; i < 4; i++)
            {
                workspace.Write($"{name}/m{i}.c", $"int {name}_f{i}(int x) {{ return x + {i}; }}\n");
                items.Add($"<ClCompile Include=\"m{i}.c\" />");
            }

            workspace.Write($"{name}/main.c", string.Concat(Enumerable.Range(0, 4).Select(i => $"int {name}_f{i}(int x);\n")) +
                $"int main(void) {{ return {name}_f0(0) + {name}_f1(0) + {name}_f2(0) + {name}_f3(0) - 6; }}\n");
            items.Add("<ClCompile Include=\"main.c\" />");
            workspace.WriteProject($"{name}/{name}.clangproj", $"""
                  <PropertyGroup><DtltoTraceFile>$(MSBuildProjectDirectory)/trace.json</DtltoTraceFile></PropertyGroup>
                  <ItemDefinitionGroup><Link><AdditionalOptions>-Wl,--thinlto-remote-compiler={faulty}</AdditionalOptions></Link></ItemDefinitionGroup>
                  <ItemGroup>{string.Join("", items)}</ItemGroup>
                """);
        }

        workspace.Write("all.proj", """
            <Project>
              <Target Name="Build">
                <MSBuild Projects="one/one.clangproj;two/two.clangproj" BuildInParallel="true" Targets="Build" Properties="Configuration=Release" />
              </Target>
            </Project>
            """);
        // Every backend compile waits a second first, so both links want all cores at once.
        var environment = new Dictionary<string, string?>(SdkPackage.Environment) { ["FAULT"] = "delay", ["FAULT_DELAY"] = "1", ["FAULT_MODULE"] = "" };

        CommandResult build = Command.Run(workspace.Path, "dotnet", new[] { "msbuild", "all.proj", "-restore", "-m:2", "-nodeReuse:false", "-v:n" }, TimeSpan.FromMinutes(5), environment);

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        var slices = new List<(long Start, long End)>();
        foreach (string name in new[] { "one", "two" })
        {
            using JsonDocument trace = JsonDocument.Parse(File.ReadAllBytes(workspace.File($"{name}/trace.json")));
            slices.AddRange(trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "backend")
                .Select(e => (e.GetProperty("ts").GetInt64(), e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64())));
        }

        Assert.HasCount(10, slices, "five backend compiles per link");
        int running = 0, most = 0;
        foreach ((long _, int change) in slices.SelectMany(s => new[] { (s.Start, 1), (s.End, -1) }).OrderBy(p => p.Item1).ThenBy(p => p.Item2))
            most = Math.Max(most, running += change);
        // Each link alone would run one compile per core. Sharing, they stay within the cores
        // MSBuild hands out plus the core it counts as the other node's own (its "implicit
        // core", which RequestCores includes in what it returns).
        Assert.IsLessThanOrEqualTo(Environment.ProcessorCount + 1, most, "backend compiles running at once across both links");
        Assert.IsLessThan(2 * Environment.ProcessorCount, most, "fewer than two links each taking every core");
        Assert.IsGreaterThanOrEqualTo(Math.Min(2, Environment.ProcessorCount), most, "the cores are used");
    }
}
