using System;
using System.IO;

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// An LLVM root for toolchain tests: symbolic links to the real LLVM 22 tools, with some replaced
/// by a script of the test's, or (a null script) by a file that is not a program at all.
/// </summary>
public static class FakeLlvm
{
    public static string Create(string root, params (string Tool, string? Script)[] replaced)
    {
        string bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        foreach (string tool in new[] { "clang", "clang++", "ld.lld", "llvm-ar" })
        {
            int index = Array.FindIndex(replaced, r => r.Tool == tool);
            string path = Path.Combine(bin, tool);
            if (index < 0)
                File.CreateSymbolicLink(path, Path.Combine(Toolchain.BinDirectory, tool));
            else if (replaced[index].Script is string script)
                Scripts.Write(path, script);
            else
                File.WriteAllText(path, "not a program");
        }

        return root;
    }
}
