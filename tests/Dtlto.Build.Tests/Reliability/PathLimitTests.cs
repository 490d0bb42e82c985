using System;
using System.IO;
using System.Linq;
using System.Threading;
using Dtlto.Build.Engine.Processes;
using Dtlto.Build.Tests.Integration;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Reliability;

/// <summary>Paths near the platform's limits, and backend command lines too long to pass directly.</summary>
[TestClass]
public sealed class PathLimitTests
{
    [TestMethod]
    public void LinksInAFolderNearPathMaxWithAnOutputNameNearNameMax()
    {
        using var dir = new TestDirectory();
        // Linux: 4096 bytes for a path, 255 for one name. lld adds ".<pid>.dist-file.json"
        // (about 21 bytes) to the output's name and puts its temporaries beside it.
        string deep = dir.Path;
        int level = 0;
        while (deep.Length < 3600)
            deep = Path.Combine(deep, $"{level++:D2} ü (x) 'q' \"dq\" " + new string('d', 180));
        Directory.CreateDirectory(deep);
        var deepDir = new TestDirectoryAt(deep);
        CProgram.Write(deepDir.Directory);
        var build = new ThinLtoBuild(deep);
        string[] objects = build.Compile(CProgram.Sources);
        string output = new string('p', 225);

        CommandResult link = build.LinkWith(Toolchain.Distributor, output, objects, "-Xthinlto-distributor=--verbose");

        Assert.AreEqual(0, link.ExitCode, link.ToString());
        StringAssert.Contains(link.StandardError, "5 backend jobs");
        Assert.IsGreaterThan(3800, Path.Combine(deep, output).Length);
        Assert.AreEqual(CProgram.Output, build.Run(output).StandardOutput);
    }

    [TestMethod]
    public void ABackendCommandTooLongForTheSystemRunsThroughAResponseFile()
    {
        using var dir = new TestDirectory();
        dir.Write("module.c", "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", DEFINE_NUMBER_59999_WITH_A_LONGER_NAME + DEFINE_NUMBER_0_WITH_A_LONGER_NAME); return 0; }\n");
        // 60,000 defines make a command of about 2.6 MB, over Linux's 2 MB for a whole command line.
        string defines = string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"-DDEFINE_NUMBER_{i}_WITH_A_LONGER_NAME={i % 7}\""));
        dir.Write("list.json", $$"""
            {"common":{"linker_output":"app","args":["{{Toolchain.Clang}}","-c"],"inputs":[]},
             "jobs":[{"args":["module.c",{{defines}},"-o","module.native.o"],"inputs":["module.c","module.c"],"outputs":["module.native.o"]}]}
            """);
        var argv = new[] { Toolchain.Clang, "-c", "module.c" }.Concat(Enumerable.Range(0, 60_000).Select(i => $"-DDEFINE_NUMBER_{i}_WITH_A_LONGER_NAME={i % 7}")).Concat(new[] { "-o", "direct.o" }).ToArray();
        ProcessResult direct = ProcessRunner.RunAsync(argv, dir.Path, CancellationToken.None).GetAwaiter().GetResult();
        StringAssert.Contains(direct.StartError, "Argument list too long", "the command is too long to run directly");

        CommandResult result = Command.Run(dir.Path, Toolchain.Distributor, "list.json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.IsTrue(File.Exists(dir.File("module.native.o")));
        Assert.IsFalse(File.Exists(dir.File("module.native.o.rsp")), "the response file is removed");
        CommandResult link = Command.Run(dir.Path, Toolchain.Clang, "module.native.o", "-o", "program");
        Assert.AreEqual(0, link.ExitCode, link.ToString());
        Assert.AreEqual("2\n", Command.Run(dir.Path, dir.File("program")).StandardOutput, "59999 % 7 + 0 % 7");
    }

    /// <summary>A TestDirectory view of a folder made elsewhere (cleaned up by its owner).</summary>
    private sealed class TestDirectoryAt
    {
        public TestDirectoryAt(string path) => Directory = new TestDirectory(path, adopt: true);

        public TestDirectory Directory { get; }
    }
}
