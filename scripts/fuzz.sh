#!/usr/bin/env bash
# Builds the libFuzzer target (Sources/KMSFuzz) with Swift's -sanitize=fuzzer and the address
# sanitizer, and runs it from a seed corpus of the test fixtures and the samples.
#   scripts/fuzz.sh [seconds, default 600] [extra libFuzzer flags…]
# The run's corpus grows in .build/fuzz/corpus; crash, timeout and out-of-memory inputs land in
# .build/fuzz/findings. Keep each crash input, once fixed, as a regression fixture
# Tests/KMSLangTests/Fixtures/fuzz_<what>.kms with its expected error (FixtureTests runs it, and
# this script seeds the next run with it).
# Not part of scripts/test.sh: the target exists only when KMS_FUZZ=1 is set for the build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
KMS_FUZZ=1 swift build --build-path .build/fuzz --product KMSFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -O 2>&1 | grep -v "Cannot export local symbol" || true
binary="$PWD/.build/fuzz/debug/KMSFuzz"
test -x "$binary"

seeds="$PWD/.build/fuzz/seeds"
corpus="$PWD/.build/fuzz/corpus"
findings="$PWD/.build/fuzz/findings"
scratch="$PWD/.build/fuzz/scratch"
mkdir -p "$seeds" "$corpus" "$findings" "$scratch"
cp Tests/KMSLangTests/Fixtures/*.kms samples/*.kms "$seeds/"

# NOTE: fuzzed programs call save(), png() and .csv() with mutated paths. As an unprivileged user
# in a scratch folder they can write only there (and /tmp); as root they could write anywhere.
run=()
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
  chown -R nobody:nogroup "$corpus" "$findings" "$scratch"
  chmod -R a+rX "$seeds"
  run=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
cd "$scratch"
exec "${run[@]}" env HOME="$scratch" ASAN_OPTIONS=detect_leaks=0 "$binary" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -artifact_prefix="$findings/" -print_final_stats=1 "$@" "$corpus" "$seeds"
