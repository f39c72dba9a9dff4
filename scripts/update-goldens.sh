#!/usr/bin/env bash
# Regenerates the golden images of the plot tests, on purpose only: the tests compare against
# Tests/KMSPlotTests/Goldens/*.png unless KMS_UPDATE_GOLDENS=1, which makes them write instead.
# Look at the new PNGs (and `git diff --stat`) before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
KMS_UPDATE_GOLDENS=1 swift test --filter KMSPlotTests.GoldenTests "$@"
echo "goldens written to Tests/KMSPlotTests/Goldens; inspect them before committing"
