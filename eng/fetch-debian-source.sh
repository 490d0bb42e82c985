#!/usr/bin/env bash
# Usage: fetch-debian-source.sh SOURCE-PACKAGE DESTINATION
# Unpacks the upstream source of one of Debian 12's source packages into DESTINATION (once:
# an unpacked tree is kept). apt works from a private state in a temporary folder, so the
# machine's own sources and lists are left as they are; apt checks the download against the
# signed index.
set -euo pipefail
package="$1"
destination="$2"
[[ -f "$destination/.fetched" ]] && exit 0
state="$(mktemp -d)"
chmod 755 "$state"  # apt downloads as its own user, _apt
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/lists/partial"
cat > "$state/debian.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_options=(-o Dir::Etc::SourceList="$state/debian.sources" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$state/lists")
apt-get "${apt_options[@]}" update -qq
(cd "$state" && apt-get "${apt_options[@]}" source --download-only -qq "$package" 2>/dev/null)
tarballs=("$state"/*.orig.tar.*)
if [[ ! -f "${tarballs[0]}" ]]; then
  echo "error: Debian's source package $package has no upstream tarball" >&2
  exit 1
fi
rm -rf "$destination" && mkdir -p "$destination"
tar -xf "${tarballs[0]}" -C "$destination" --strip-components=1
touch "$destination/.fetched"
