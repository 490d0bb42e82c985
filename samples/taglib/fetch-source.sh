#!/usr/bin/env bash
# Usage: fetch-source.sh [DESTINATION]
# Fetches TagLib 1.13 (C++, 141 translation units with its tests) from Debian 12's source
# package into DESTINATION, by default samples/taglib/source, where taglib.props looks for it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec bash "$here/../../eng/fetch-debian-source.sh" taglib "${1:-$here/source}"
