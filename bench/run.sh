#!/usr/bin/env bash
# Builds dtlto-distributor in Release and runs the link benchmark; extra arguments go to
# link_bench.py (e.g. --runs 3 --modules 300).
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prerequisites.sh
dotnet build src/Dtlto.Build.Distributor -c Release --verbosity quiet -nologo
python3 bench/link_bench.py --distributor "$PWD/artifacts/bin/Dtlto.Build.Distributor/release/dtlto-distributor" "$@"
