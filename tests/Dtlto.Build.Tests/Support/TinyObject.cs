using System;
using System.IO;

namespace Dtlto.Build.Tests.Support;

/// <summary>A real x86-64 ELF object (one function), for test executors that stand in for a compiler: what they write must pass the object check.</summary>
public static class TinyObject
{
    private static readonly Lazy<byte[]> Compiled = new(() =>
    {
        string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dtlto-tests", "tiny-object-" + Environment.ProcessId)).FullName;
        File.WriteAllText(Path.Combine(folder, "tiny.c"), "int tiny(int x) { return x + 1; }\n");
        Integration.ThinLtoBuild.Expect(Command.Run(folder, Toolchain.Clang, "-c", "-O2", "tiny.c", "-o", "tiny.o"), "compile tiny.c");
        return File.ReadAllBytes(Path.Combine(folder, "tiny.o"));
    });

    public static byte[] Bytes => Compiled.Value;

    public static void WriteTo(string path) => File.WriteAllBytes(path, Bytes);
}
