using System.Linq;
using Dtlto.Build.Engine.Toolchains;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// Finds the LLVM toolchain for the build: the one named by LLVMInstallDir, else the newest
/// installed LLVM whose lld has DTLTO. Fails with a coded error that says what was found and
/// what to install.
/// </summary>
public sealed class ResolveLlvmToolchain : DtltoTask
{
    /// <summary>An LLVM root such as /usr/lib/llvm-22; empty to search.</summary>
    public string? LLVMInstallDir { get; set; }

    /// <summary>LLVM roots to search, newest first, when LLVMInstallDir is empty; empty for the platform's usual places.</summary>
    public string[] SearchDirectories { get; set; } = new string[0];

    /// <summary>The link is an Integrated-mode DTLTO link, so lld must have <c>--thinlto-distributor=</c>.</summary>
    public bool RequireDtlto { get; set; }

    [Output]
    public string? InstallDir { get; private set; }

    [Output]
    public string? Clang { get; private set; }

    [Output]
    public string? ClangXX { get; private set; }

    [Output]
    public string? LlvmAr { get; private set; }

    [Output]
    public string? MajorVersion { get; private set; }

    [Output]
    public bool SupportsDtlto { get; private set; }

    protected override bool ExecuteCore()
    {
        LlvmToolchain? toolchain;
        if (!string.IsNullOrWhiteSpace(LLVMInstallDir))
        {
            var missing = LlvmToolchainLocator.MissingTools(LLVMInstallDir!);
            if (missing.Count > 0)
            {
                LogError("DTLTO1002", $"LLVMInstallDir '{LLVMInstallDir}' is not a usable LLVM installation: bin/ lacks {string.Join(", ", missing)}. " +
                    "Point LLVMInstallDir at an LLVM root (e.g. /usr/lib/llvm-22), or leave it empty to use the newest installed LLVM.");
                return false;
            }

            toolchain = LlvmToolchainLocator.Inspect(LLVMInstallDir!);
        }
        else
        {
            var candidates = SearchDirectories.Length > 0 ? SearchDirectories : LlvmToolchainLocator.DefaultCandidates();
            toolchain = LlvmToolchainLocator.FindDefault(candidates);
            if (toolchain is null)
            {
                LogError("DTLTO1001", $"No LLVM toolchain with clang, clang++, ld.lld and llvm-ar was found (searched {string.Join(", ", candidates.Take(6))}). " +
                    "Install one, e.g. 'sudo apt-get install clang-22 lld-22 llvm-22', or set LLVMInstallDir.");
                return false;
            }
        }

        if (RequireDtlto && !toolchain!.SupportsDtlto)
        {
            LogError("DTLTO1003", $"The DTLTO link needs lld 21 or newer, but {toolchain} has an lld without --thinlto-distributor. " +
                "Leave DtltoMode at Auto (split mode works with any lld), install LLVM 22 ('sudo apt-get install clang-22 lld-22 llvm-22') and point LLVMInstallDir at it, " +
                "or set DtltoEnabled=false for an in-process ThinLTO link.");
            return false;
        }

        InstallDir = toolchain!.InstallDirectory;
        Clang = toolchain.Clang;
        ClangXX = toolchain.ClangXX;
        LlvmAr = toolchain.LlvmAr;
        MajorVersion = toolchain.MajorVersion?.ToString() ?? "";
        SupportsDtlto = toolchain.SupportsDtlto;
        Log.LogMessage(MessageImportance.Low, $"Using {toolchain} (DTLTO: {(toolchain.SupportsDtlto ? "yes" : "no")})");
        return true;
    }
}
