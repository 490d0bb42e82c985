#!/usr/bin/env bash
# Fetches the source of Lua 5.4 from Debian's source packages into bench/out/lua-5.4, for the
# real-code-base benchmarks.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec bash "$here/../eng/fetch-debian-source.sh" lua5.4 "$here/out/lua-5.4"
