using System.IO;

namespace Dtlto.Build.Engine.Toolchains;

/// <summary>One installed LLVM: the programs a build uses from it and what its lld can do.</summary>
public sealed class LlvmToolchain
{
    public LlvmToolchain(string installDirectory, int? majorVersion, bool supportsDtlto)
    {
        InstallDirectory = installDirectory;
        MajorVersion = majorVersion;
        SupportsDtlto = supportsDtlto;
    }

    /// <summary>The LLVM root, e.g. /usr/lib/llvm-22 (the meaning of Visual Studio's LLVMInstallDir).</summary>
    public string InstallDirectory { get; }

    public int? MajorVersion { get; }

    /// <summary>Whether its lld has Integrated Distributed ThinLTO (<c>--thinlto-distributor=</c>, LLVM 21+).</summary>
    public bool SupportsDtlto { get; }

    public string Clang => Tool("clang");

    public string ClangXX => Tool("clang++");

    public string Lld => Tool("ld.lld");

    public string LlvmAr => Tool("llvm-ar");

    public string Tool(string name) => Path.Combine(InstallDirectory, "bin", name + LlvmToolchainLocator.ExecutableSuffix);

    public override string ToString() => MajorVersion is int v ? $"LLVM {v} at {InstallDirectory}" : $"LLVM at {InstallDirectory}";
}
