using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Integration;

/// <summary>Compiles sources to ThinLTO bitcode and links them with clang-22, the way a user's build does.</summary>
internal sealed class ThinLtoBuild
{
    private readonly string _directory;

    public ThinLtoBuild(string directory) => _directory = directory;

    /// <summary>Writes <see cref="CProgram"/> into <paramref name="dir"/> and compiles it to bitcode.</summary>
    public static (ThinLtoBuild Build, string[] Objects) CompileCProgram(TestDirectory dir)
    {
        CProgram.Write(dir);
        var build = new ThinLtoBuild(dir.Path);
        return (build, build.Compile(CProgram.Sources));
    }

    /// <summary>Compiles each source to a ThinLTO bitcode object next to it and returns the object names.</summary>
    public string[] Compile(params string[] sources)
    {
        var objects = new List<string>();
        foreach (string source in sources)
        {
            string obj = Path.ChangeExtension(source, ".o");
            string compiler = source.EndsWith(".c") ? Toolchain.Clang : Toolchain.ClangXX;
            Expect(Command.Run(_directory, compiler, "-flto=thin", "-O2", "-c", source, "-o", obj), "compile " + source);
            objects.Add(obj);
        }

        return objects.ToArray();
    }

    public void Archive(string archive, bool thin, params string[] members) =>
        Expect(Command.Run(_directory, Toolchain.LlvmAr, new[] { thin ? "rcsT" : "rcs", archive }.Concat(members)), "archive " + archive);

    /// <summary>Links with the distributor at <paramref name="distributor"/>; the result is returned, not checked.</summary>
    public CommandResult LinkWith(string distributor, string output, IEnumerable<string> inputs, params string[] extra) =>
        Command.Run(_directory, Toolchain.ClangXX, LinkArguments(distributor, output, inputs, extra));

    public static IEnumerable<string> LinkArguments(string distributor, string output, IEnumerable<string> inputs, params string[] extra) =>
        new[] { "-flto=thin", "-O2", "-fuse-ld=lld", $"-fthinlto-distributor={distributor}", "-o", output }.Concat(extra).Concat(inputs);

    /// <summary>Links with an environment of the test's (e.g. a fault injector's settings).</summary>
    public CommandResult LinkWith(IReadOnlyDictionary<string, string?> environment, string distributor, string output, IEnumerable<string> inputs, params string[] extra) =>
        Command.Run(_directory, Toolchain.ClangXX, LinkArguments(distributor, output, inputs, extra), TimeSpan.FromMinutes(2), environment);

    public CommandResult Run(string program) => Command.Run(_directory, Path.Combine(_directory, program));

    public static void Expect(CommandResult result, string what)
    {
        if (result.ExitCode != 0)
            Assert.Fail($"{what} failed: {result}");
    }
}
