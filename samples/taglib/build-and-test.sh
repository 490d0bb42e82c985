#!/usr/bin/env bash
# Packs Dtlto.Build.Sdk, fetches TagLib 1.13 from Debian's source package, builds its library and
# its CppUnit test suite through the SDK in Release (one DTLTO link of 141 C++ modules), and runs
# the tests. Extra arguments go to dotnet build (e.g. -p:DtltoCache=false).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bash "$root/eng/install-prerequisites.sh"   # LLVM 22, CppUnit and zlib among the rest
bash "$here/fetch-source.sh"
dotnet pack "$root/nuget/Dtlto.Build.Sdk.csproj" -c Release --verbosity quiet -nologo

# A package cache of the repository's own, so a freshly packed SDK of the same version is used.
export NUGET_PACKAGES="$root/artifacts/nuget-packages"
rm -rf "$NUGET_PACKAGES/dtlto.build.sdk"

cd "$here"
log="$root/artifacts/samples/taglib-build.log"
mkdir -p "$(dirname "$log")"
status=0
dotnet build test_runner/test_runner.clangproj -c Release -nodeReuse:false -v:n -nologo "$@" > "$log" 2>&1 || status=$?
grep -E "error|Thin link|backend compiles|Backend compiles|Final link|Build succeeded" "$log" || true
if [[ $status -ne 0 ]]; then
  echo "error: the build failed; the full log is $log" >&2
  exit "$status"
fi
# CppUnit lists each test on stdout and ends with its summary ("OK (360)") on stderr.
./test_runner/bin/Release/test_runner > "$root/artifacts/samples/taglib-tests.log" 2>&1 || status=$?
tail -n 1 "$root/artifacts/samples/taglib-tests.log"
exit "$status"
