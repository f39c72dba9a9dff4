#!/usr/bin/env bash
# Builds kernel.c and compare.c and runs the comparison on 1 and on 2 threads (issue 10):
#   scripts/gemm-lab/run.sh [ROUNDS]
# Needs a C compiler (the Swift toolchain's clang will do), OpenBLAS (libopenblas-dev, which
# scripts/setup.sh installs) and a CPU with AVX-512F. Nothing of kms is built or used.
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-15}
grep -qw avx512f /proc/cpuinfo || { echo "gemm-lab: this CPU has no AVX-512F" >&2; exit 69; }
cc=$(command -v clang || command -v cc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$cc" -O2 -std=gnu11 -c kernel.c -o "$out/kernel.o"
"$cc" -O2 -std=gnu11 compare.c "$out/kernel.o" -I/usr/include/x86_64-linux-gnu/openblas-pthread \
  -lopenblas -lpthread -lm -o "$out/compare"
"$out/compare" 1 "$rounds"
"$out/compare" 2 "$rounds"
