#!/usr/bin/env bash
# Packs Dtlto.Build.Sdk into artifacts/packages, builds the shapes sample with it in Release
# (ThinLTO bitcode, the two-phase DTLTO link through MSBuild), and runs the program.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/eng/install-prerequisites.sh" --sample
dotnet pack "$root/nuget/Dtlto.Build.Sdk.csproj" -c Release --verbosity quiet -nologo

# A package cache of the repository's own, so a freshly packed SDK of the same version is used.
export NUGET_PACKAGES="$root/artifacts/nuget-packages"
rm -rf "$NUGET_PACKAGES/dtlto.build.sdk"

cd "$root/samples/shapes"
rm -rf app/bin app/obj geometry/bin geometry/obj
log="$root/artifacts/samples/shapes-build.log"
mkdir -p "$(dirname "$log")"
status=0
dotnet build app/shapes.clangproj -c Release -nodeReuse:false -v:n -nologo > "$log" 2>&1 || status=$?
# The phases of the build, from the full log:
grep -E "error|warning|Compiling|Archiving|Thin link|backend compiles|Backend compiles|Final link|Build succeeded" "$log" || true
if [[ $status -ne 0 ]]; then
  echo "error: the build failed; the full log is $log" >&2
  exit "$status"
fi
./app/bin/Release/shapes
