#!/usr/bin/env bash
# The test command: installs missing packages, builds, and runs the whole suite.
#   scripts/test.sh [extra swift test arguments, e.g. --filter KMSNNTests]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
kms_setup tests
swift build --build-tests
# The REPL tests drive the kms executable through a pseudo-terminal, so it is built too.
swift build --product kms
swift test --skip-build "$@"
