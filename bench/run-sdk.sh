#!/usr/bin/env bash
# Packs Dtlto.Build.Sdk and times the Release link through it against in-process lld; extra
# arguments go to sdk_link_bench.py (e.g. --program sample --runs 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prerequisites.sh
version="0.0.0-bench.$(date +%Y%m%d%H%M%S)"
dotnet pack nuget/Dtlto.Build.Sdk.csproj -c Release -p:Version="$version" --verbosity quiet -nologo
python3 bench/sdk_link_bench.py --version "$version" "$@"
