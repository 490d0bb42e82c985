using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>
/// Four DTLTO builds at once on one machine: two projects, and one of them twice more into other
/// output folders. Each link hands its job list to its own build; all four programs are correct.
/// </summary>
[TestClass]
public sealed class ConcurrentBuildTests
{
    [TestMethod]
    public void FourBuildsAtOnceDoNotCrossTalk()
    {
        using var workspace = new NativeWorkspace();
        string app = SamplePrograms.WriteApp(workspace);
        workspace.Write("other/main.c", "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"other %d\\n\", twice(21)); return 0; }\n");
        workspace.Write("other/twice.c", "int twice(int x) { return 2 * x; }\n");
        string other = workspace.WriteProject("other/other.clangproj", "<ItemGroup><ClCompile Include=\"main.c\" /><ClCompile Include=\"twice.c\" /></ItemGroup>");

        var builds = new List<(string Program, string Expected, BackgroundProcess Build)>();
        void Start(string project, string program, string expected, params string[] extra)
        {
            var arguments = new[] { "build", project, "-c", "Release", "-nodeReuse:false", "-v:n" }.Concat(extra);
            builds.Add((program, expected, new BackgroundProcess(workspace.Path, "dotnet", arguments, SdkPackage.Environment)));
        }

        Start(app, "app/bin/Release/app", SamplePrograms.AppOutput);
        Start(other, "other/bin/Release/other", "other 42\n");
        Start(app, "app/out-a/app", SamplePrograms.AppOutput, "-p:OutDir=out-a/", "-p:IntDir=int-a/");
        Start(app, "app/out-b/app", SamplePrograms.AppOutput, "-p:OutDir=out-b/", "-p:IntDir=int-b/");

        foreach ((string program, string expected, BackgroundProcess build) in builds)
        {
            using (build)
            {
                CommandResult? result = build.WaitForExit(TimeSpan.FromMinutes(5));
                Assert.IsNotNull(result, "the build finished");
                Assert.AreEqual(0, result.ExitCode, result.ToString());
                StringAssert.Contains(result.StandardOutput, "Final link of", "each build ran its own three-phase link");
            }

            Assert.AreEqual(expected, Command.Run(workspace.Path, workspace.File(program)).StandardOutput, program);
        }
    }
}
