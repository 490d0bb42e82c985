#!/usr/bin/env bash
# Runs the benchmark suite and prints its tables: the link of a generated program, of Lua 5.4
# and of TagLib 1.13 with its tests (C++) in every way side by side (with the MSBuild SDK link),
# the distributor's own overhead, incremental relinks (standalone, and through the SDK with its
# backend cache, of Lua and of TagLib), a CMake project's static libraries through Dtlto.cmake
# (libjpeg-turbo) beside lld's own cache, the sample's small link and a build with nothing to do
# through the SDK, remote execution through the test REAPI server (cold, warm, another path), a
# relink through a team's warm farm cache beside lld's own cache,
# the remote executor at scale on a simulated farm, and racing a small farm. Extra arguments go
# to every link_bench.py run (e.g. --runs 3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prerequisites.sh
dotnet publish src/Dtlto.Build.Distributor -c Release -r linux-x64 -o artifacts/distributor --verbosity quiet -nologo
version="0.0.0-bench.$(date +%Y%m%d%H%M%S)"
dotnet pack nuget/Dtlto.Build.Sdk.csproj -c Release -p:Version="$version" --verbosity quiet -nologo
distributor="$PWD/artifacts/distributor/dtlto-distributor"

python3 bench/link_bench.py --program generated --distributor "$distributor" --sdk-version "$version" "$@"
echo
python3 bench/link_bench.py --program lua --distributor "$distributor" --sdk-version "$version" "$@"
echo
python3 bench/link_bench.py --program taglib --distributor "$distributor" --sdk-version "$version" "$@"
echo
# PostgreSQL's 733-module server link (builds PostgreSQL once, about 15 minutes on 2 cores).
python3 bench/postgres_bench.py --distributor "$distributor" --check "$@"
echo
python3 bench/overhead_bench.py --distributor "$distributor"
echo
python3 bench/incremental_bench.py --distributor "$distributor"
echo
python3 bench/cmake_archive_bench.py --distributor "$distributor"
echo
python3 bench/sdk_incremental_bench.py --version "$version"
echo
python3 bench/sdk_incremental_bench.py --version "$version" --program taglib
echo
python3 bench/sdk_link_bench.py --program sample --runs 7 --version "$version"
echo
dotnet build tests/Dtlto.Build.RemoteTestServer -c Release --verbosity quiet -nologo
server="$PWD/artifacts/bin/Dtlto.Build.RemoteTestServer/release/dtlto-remote-test-server"
python3 bench/remote_bench.py --distributor "$distributor" --server "$server"
echo
# A relink after a one-module change through a team's warm farm cache, beside lld's own cache.
python3 bench/team_cache_bench.py --program lua --distributor "$distributor" --server "$server"
echo
python3 bench/team_cache_bench.py --program generated --modules 700 --distributor "$distributor" --server "$server"
echo
python3 bench/farm_bench.py --distributor "$distributor" --server "$server"
echo
python3 bench/farm_bench.py --distributor "$distributor" --server "$server" --jobs 10000 --workers 1000 --duration-scale 20
echo
# The client's own CPU per action, with the objects' files on tmpfs (the disk's file creation left out).
python3 bench/farm_bench.py --distributor "$distributor" --server "$server" --jobs 10000 --workers 1000 --runs 5 --work /dev/shm/dtlto-farm-bench
echo
python3 bench/transfer_bench.py --distributor "$distributor" --server "$server"
echo
for farm in "8 500" "32 200" "200 20"; do
  set -- $farm
  python3 bench/race_bench.py --distributor "$distributor" --server "$server" --workers "$1" --latency-ms "$2"
  echo
done
