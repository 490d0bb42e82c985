#!/usr/bin/env bash
# Fetches the source of Lua 5.4 from Debian's source packages into bench/out/lua-5.4, using a
# private apt state (no change to the machine's sources), for the real-code-base benchmark.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
[[ -f "$out/lua-5.4/src/lapi.c" ]] && exit 0
state="$out/apt-src"
mkdir -p "$state/lists/partial" "$out"
cat > "$state/debian.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_options=(-o Dir::Etc::SourceList="$state/debian.sources" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$state/lists")
apt-get "${apt_options[@]}" update -qq
(cd "$state" && apt-get "${apt_options[@]}" source --download-only -qq lua5.4 2>/dev/null)
rm -rf "$out/lua-5.4" && mkdir -p "$out/lua-5.4"
tar -xzf "$state"/lua5.4_*.orig.tar.gz -C "$out/lua-5.4" --strip-components=1
