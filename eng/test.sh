#!/usr/bin/env bash
# Runs the whole test suite (unit and integration tests with real clang-22/lld-22) and ends with
# one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

bash eng/install-prerequisites.sh || exit 1

log=$(mktemp)
# Each test on its own line as it finishes ("passed Name (12s 345ms)"), in a terminal and in a CI
# log alike (without the line naming the test assembly under each), then the summary.
dotnet test --solution Dtlto.Build.sln --output Detailed --no-progress "$@" 2>&1 | tee "$log" \
  | grep --line-buffered -v '^  from .*Dtlto\.Build\.Tests\.dll'
status=${PIPESTATUS[0]}

count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+'; }
passed=$(count succeeded)
failed=$(count failed)
skipped=$(count skipped)
rm -f "$log"

if [[ -z "$passed" ]]; then
  echo "error: the test run printed no summary (did the build fail?)" >&2
  exit "$((status == 0 ? 1 : status))"
fi
echo "${passed} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
