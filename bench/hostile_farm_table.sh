#!/usr/bin/env bash
# Runs the hostile-farm suite (tests/Dtlto.Build.Tests/Remote/HostileFarmTests.cs: real clang-22/lld-22
# links of a 5-module program against a test server that lies, hangs or floods, with a 5 s stall
# timeout) and prints each case's figures: the link's exit code, its seconds, the peak memory of its
# largest process (the distributor or a compiler), and whether the cache was clean after it (the
# same link with the same cache and no farm succeeds and its program runs).
#   bash bench/hostile_farm_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(mktemp)
trap 'rm -f "$table"' EXIT
DTLTO_HOSTILE_TABLE="$table" dotnet test --project tests/Dtlto.Build.Tests/Dtlto.Build.Tests.csproj \
  --filter "FullyQualifiedName~HostileFarmTests" >/dev/null || { echo "error: the hostile-farm suite failed; run it to see why" >&2; exit 1; }
echo "| case | exit | seconds | peak MB | cache clean |"
echo "| --- | ---: | ---: | ---: | --- |"
sort "$table" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
