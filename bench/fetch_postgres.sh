#!/usr/bin/env bash
# Fetches the source of PostgreSQL 15 from Debian's source packages into bench/out/postgresql-15,
# for the 700-module benchmark (bench/postgres_bench.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec bash "$here/../eng/fetch-debian-source.sh" postgresql-15 "$here/out/postgresql-15"
