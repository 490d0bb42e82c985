#!/usr/bin/env bash
# Packs Dtlto.Build.Sdk and times incremental Release relinks of Lua 5.4 (or TagLib) through it, with its
# backend cache, against in-process lld with its own cache; extra arguments go to
# sdk_incremental_bench.py (e.g. --runs 5, or --program taglib for TagLib 1.13 and its tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prerequisites.sh
version="0.0.0-bench.$(date +%Y%m%d%H%M%S)"
dotnet pack nuget/Dtlto.Build.Sdk.csproj -c Release -p:Version="$version" --verbosity quiet -nologo
python3 bench/sdk_incremental_bench.py --version "$version" "$@"
