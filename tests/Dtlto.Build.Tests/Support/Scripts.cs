using System.IO;

namespace Dtlto.Build.Tests.Support;

public static class Scripts
{
    /// <summary>Writes an executable shell script.</summary>
    public static string Write(string path, string body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>
    /// A backend compiler that misbehaves on cue: for the module whose command line contains
    /// FAULT_MODULE, FAULT selects what it does (sigkill, exit, no-output, truncated, garbage and
    /// elf-garbage (exit 0 after writing random bytes, or an ELF header and then random bytes), hang, slow, delay);
    /// every other module is compiled by the real clang.
    /// </summary>
    public static string FaultyCompiler(string directory) => Write(Path.Combine(directory, "faulty-clang.sh"), $$"""
        out=""
        prev=""
        for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
        case "$*" in
          *"$FAULT_MODULE"*)
            [ -n "$FAULT_STARTED" ] && touch "$FAULT_STARTED"
            case "$FAULT" in
              sigkill) kill -9 $$ ;;
              exit) echo "faulty-clang: error: injected failure" >&2; exit 3 ;;
              no-output) exit 0 ;;
              truncated) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; head -c 300 "$out" > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              garbage) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; head -c "$(stat -c %s "$out")" /dev/urandom > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              elf-garbage) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; { head -c 64 "$out"; head -c "$(( $(stat -c %s "$out") - 64 ))" /dev/urandom; } > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              hang) sleep 600 ;;
              slow) sleep 30 ;;
              delay) sleep "$FAULT_DELAY" ;;
            esac ;;
        esac
        exec {{Toolchain.BinDirectory}}/clang "$@"

        """);
}
