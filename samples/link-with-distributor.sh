#!/usr/bin/env bash
# Builds the shapes sample with clang-22 and links it through dtlto-distributor, the way a
# CMake, Ninja or make build would: -fthinlto-distributor= names the distributor, and lld runs
# it with the job list of the link. Then runs the program.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/eng/install-prerequisites.sh"
dotnet publish "$root/src/Dtlto.Build.Distributor" -c Release -r linux-x64 \
  -o "$root/artifacts/distributor" --verbosity quiet -nologo
distributor="$root/artifacts/distributor/dtlto-distributor"
clang=/usr/lib/llvm-22/bin/clang++

out="$root/artifacts/samples/shapes-distributor"
rm -rf "$out" && mkdir -p "$out" && cd "$out"
for source in geometry/circle.cpp geometry/polygons.cpp app/report.cpp app/main.cpp; do
  "$clang" -flto=thin -O2 -I "$root/samples/shapes/geometry" -c "$root/samples/shapes/$source" -o "$(basename "${source%.cpp}").o"
done
"$clang" -flto=thin -O2 -fuse-ld=lld -fthinlto-distributor="$distributor" \
  -Xthinlto-distributor=--jobs="$(nproc)" -Xthinlto-distributor=--verbose \
  circle.o polygons.o report.o main.o -o shapes
./shapes
