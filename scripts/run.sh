#!/usr/bin/env bash
# The main job: installs missing packages, builds kms in release mode, and runs the quickstart on
# the shipped KMNIST sample (or any script given instead).
#   scripts/run.sh [script.kms [args…]]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
kms_setup
swift build -c release --product kms >&2
script="${1:-samples/quickstart.kms}"
[ $# -gt 0 ] && shift
exec .build/release/kms "$script" "$@"
