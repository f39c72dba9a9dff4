#!/usr/bin/env bash
# Regenerates the golden images of the plot tests, on purpose only: the tests compare against
# Tests/KMSPlotTests/Goldens/*.png unless KMS_UPDATE_GOLDENS=1, which makes them write instead.
# Look at the new PNGs (and `git diff --stat`) before committing them. The goldens are rendered
# with the fonts TextTests pins (Debian's fonts-dejavu-core and fonts-ipaexfont-gothic, by path and
# MD5, through FreeType 2.12.1): if that test fails, the machine's fonts differ and new goldens
# would not match other machines; install the pinned packages (scripts/setup.sh) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
KMS_UPDATE_GOLDENS=1 swift test --filter KMSPlotTests.GoldenTests "$@"
echo "goldens written to Tests/KMSPlotTests/Goldens; inspect them before committing"
