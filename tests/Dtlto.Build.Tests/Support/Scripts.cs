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
    /// <c>sleep</c> under a name in <paramref name="directory"/>, so that a sleeping fault's
    /// process names the test's folder: a test that finds none of its folder's processes left
    /// finds its sleepers too, and another test's sleeper is never taken for its own.
    /// </summary>
    public static string Sleeper(string directory)
    {
        string path = Path.Combine(directory, "fault-sleep");
        if (!File.Exists(path))
            File.CreateSymbolicLink(path, "/bin/sleep");
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
        # A sleeping fault starts its sleeper before it says it started: a test that kills the
        # process tree on that word finds the sleeper in it, never half-forked.
        started() { [ -n "$FAULT_STARTED" ] && touch "$FAULT_STARTED"; }
        sleeping() { "{{Sleeper(directory)}}" "$1" & sleeper=$!; started; wait $sleeper; }
        case "$*" in
          *"$FAULT_MODULE"*)
            case "$FAULT" in hang|slow) ;; *) started ;; esac
            case "$FAULT" in
              sigkill) kill -9 $$ ;;
              exit) echo "faulty-clang: error: injected failure" >&2; exit 3 ;;
              no-output) exit 0 ;;
              truncated) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; head -c 300 "$out" > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              garbage) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; head -c "$(stat -c %s "$out")" /dev/urandom > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              elf-garbage) {{Toolchain.BinDirectory}}/clang "$@" || exit 1; { head -c 64 "$out"; head -c "$(( $(stat -c %s "$out") - 64 ))" /dev/urandom; } > "$out.part"; mv "$out.part" "$out"; exit 0 ;;
              hang) sleeping 600 ;;
              slow) sleeping 30 ;;
              delay) sleep "$FAULT_DELAY" ;;
            esac ;;
        esac
        exec {{Toolchain.BinDirectory}}/clang "$@"

        """);
}
