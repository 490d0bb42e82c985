#!/usr/bin/env bash
# Installs what building and testing Dtlto.Build needs on a Debian machine with the .NET SDK:
# LLVM 22 (clang, lld with DTLTO, llvm tools), LLVM 19 (no DTLTO: the toolchain of the split-mode
# tests), GNU make (the jobserver tests), CMake and Ninja (the CMake module's tests), CppUnit and
# zlib (TagLib, the real C++ code base of the tests and benchmarks), Mono (runs the .NET Framework
# MSBuild engine Visual Studio runs our tasks in), Wine (runs the Windows images the tests link)
# and the MinGW-w64 runtime (the windows-gnu links) from apt, then the NuGet restore of the
# solution.
# Safe to run again: it installs only what is missing.
# With --sample: only what building a sample through the SDK needs (LLVM 22), and no restore of
# the solution (packing the SDK restores what it builds).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--sample" ]]; then
  packages=(clang-22 lld-22 llvm-22)
  lean_packages=()
else
  packages=(clang-22 lld-22 llvm-22 clang-19 lld-19 llvm-19 make cmake ninja-build libcppunit-dev zlib1g-dev mono-complete)
  # Without their recommendations: Wine's would bring a desktop, MinGW's the GNU toolchain's docs.
  lean_packages=(wine64 g++-mingw-w64-x86-64-win32)
fi

missing() {
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}
mapfile -t missing_full < <(missing "${packages[@]}")
mapfile -t missing_lean < <(missing "${lean_packages[@]+"${lean_packages[@]}"}")

if ((${#missing_full[@]} + ${#missing_lean[@]} > 0)); then
  echo "Installing ${missing_full[*]} ${missing_lean[*]} ..."
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  if ((${#missing_full[@]} > 0)); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing_full[@]}" >/dev/null
  fi
  if ((${#missing_lean[@]} > 0)); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing_lean[@]}" >/dev/null
  fi
fi

command -v dotnet >/dev/null || { echo "error: the .NET SDK (dotnet) is required; see global.json for the version" >&2; exit 1; }
[[ "${1:-}" == "--sample" ]] || dotnet restore Dtlto.Build.sln --verbosity quiet
