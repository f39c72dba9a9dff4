#!/usr/bin/env bash
# kms against JAX and PyTorch on the paper's models, side by side on this machine (issue 10).
#
#   scripts/bench-compare.sh [ROUNDS] [--contended] [--models sae,mlp,cnn] [--epochs N]
#                            [--samples N] [--cnn-samples N] [--frameworks kms,jax,torch,torch-fused]
#                            [--out FILE]
#
# Builds kms (release), measures the machine's FMA peak (`kms bench peak`), installs the Python
# peers when missing (jax from PyPI and torch's CPU wheel, into .build/bench-venv; never a
# dependency of kms), then runs, round by round, every framework on every model chosen:
#   kms                 `kms bench epoch MODEL`
#   JAX                 scripts/bench-jax.py (whole step jitted)
#   PyTorch eager       scripts/bench-pytorch.py (default Adam), 2 threads
#   PyTorch fused Adam  scripts/bench-pytorch.py --fused, 2 threads
# The order of the frameworks rotates each round, so none always runs first (or right after the
# heaviest). Each run is a fresh process: one warm-up epoch, then --epochs timed ones.
# Models, all on synthetic data of the paper's shapes (uniform in [0, 1], labels uniform):
#   sae  784-800-400-225-400-800-784, --samples (54,000), batch 164 (604.4 GFLOP at 54,000)
#   mlp  225-200-10 on 225-D codes, --samples (54,000), batch 140 (7.6 GFLOP at 54,000)
#   cnn  the paper's CNN, --cnn-samples images (54,000), batch 128 (7,568 GFLOP at 54,000)
# Fewer samples make shorter epochs of the same batches (on a loaded machine PyTorch's eager SAE
# epoch took minutes); the table names the samples each epoch had.
# With --contended, every run is made twice in a row, once alone and once beside one busy-loop
# process (a competitor for one of the cores), and the table adds each framework's slowdown.
# The machine is shared: the load average is printed with every run; read ratios and medians.
#
# Prints one table: per model and framework the median epoch (and the spread of its epochs), the
# ratios kms/JAX and kms/PyTorch, and the fraction of the FMA peak the epoch reaches; then, when
# the SAE is among the models, the rate of its products alone (`kms bench products sae`, the most
# any SAE epoch can reach with kms's engine) and issue 10's SAE targets against this run.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 contended=0 models="sae,mlp,cnn" epochs=2 samples=54000 cnn_samples=54000 out=""
chosen="kms,jax,torch,torch-fused"
while [ $# -gt 0 ]; do
  case "$1" in
    --contended) contended=1 ;;
    --models) models="$2"; shift ;;
    --epochs) epochs="$2"; shift ;;
    --samples) samples="$2"; shift ;;
    --frameworks) chosen="$2"; shift ;;
    --cnn-samples) cnn_samples="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) rounds="$1" ;;
    *) echo "bench-compare: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done
for model in ${models//,/ }; do
  case "$model" in sae|mlp|cnn) ;; *) echo "bench-compare: unknown model '$model'" >&2; exit 64 ;;
  esac
done

read -r -a frameworks <<<"${chosen//,/ }"
for framework in "${frameworks[@]}"; do
  case "$framework" in kms|jax|torch|torch-fused) ;;
    *) echo "bench-compare: unknown framework '$framework'" >&2; exit 64 ;;
  esac
done

work=$(mktemp -d /tmp/kms-bench-compare.XXXXXX)
competitor=""
cleanup() {
  if [ -n "$competitor" ]; then kill "$competitor" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building kms (release)"
swift build -c release --product kms 2>&1 | tail -1
kms="$(swift build -c release --show-bin-path)/kms"

echo "== Python peers"
venv=.build/bench-venv
# NOTE: --system-site-packages lets an already installed torch (these machines have the CPU
# wheel) serve, instead of a second copy of ~200 MB.
[ -x "$venv/bin/python" ] || python3 -m venv --system-site-packages "$venv"
python="$venv/bin/python"
if ! "$python" -c 'import jax' 2>/dev/null; then "$python" -m pip install -q jax; fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  # The CPU-only wheel (no CUDA download); pip also looks in /opt/wheels where machines have it.
  "$python" -m pip install -q "torch==2.13.0+cpu" || "$python" -m pip install -q torch
fi
"$python" -c 'import jax, torch; print("jax", jax.__version__, "· torch", torch.__version__)'

echo "== FMA peak"
"$kms" bench peak | tee "$work/peak.txt"
peak=$(sed -n 's/^peak \([0-9.]*\) GFLOP\/s.*/\1/p' "$work/peak.txt")
products=""
if [[ ",$models," == *,sae,* ]]; then
  # The ceiling: the SAE's products alone, split as training splits them (kms bench products).
  echo "== the SAE's products alone"
  "$kms" bench products sae | tee "$work/products.txt"
  products=$(sed -n 's/^products \([0-9.]*\) GFLOP\/s.*/\1/p' "$work/products.txt")
fi

# NOTE: the OpenBLAS variables some machines set are kept for kms (it uses OpenBLAS: the user's
# setting is what kms must do well with) and removed for the peers, which do not use OpenBLAS.
run() {  # run FRAMEWORK MODEL: one process, its epoch lines appended to results.tsv
  local framework=$1 model=$2 samples=$samples log
  [ "$model" = cnn ] && samples=$cnn_samples
  log="$work/run-$framework-$model.log"
  case "$framework" in
    kms) "$kms" bench epoch "$model" --epochs "$epochs" --samples "$samples" >"$log" 2>&1 ;;
    jax) env -u OPENBLAS_CORETYPE "$python" scripts/bench-jax.py --model "$model" \
           --epochs "$epochs" --samples "$samples" --no-sgemm >"$log" 2>&1 ;;
    torch) env -u OPENBLAS_CORETYPE "$python" scripts/bench-pytorch.py --model "$model" \
             --epochs "$epochs" --samples "$samples" --threads 2 --no-sgemm >"$log" 2>&1 ;;
    torch-fused) env -u OPENBLAS_CORETYPE "$python" scripts/bench-pytorch.py --model "$model" \
                   --epochs "$epochs" --samples "$samples" --threads 2 --no-sgemm --fused \
                   >"$log" 2>&1 ;;
  esac || { echo "bench-compare: $framework $model failed:" >&2; tail -5 "$log" >&2; exit 1; }
  local times
  times=$(sed -n 's/^ *epoch [0-9]* *\([0-9.]*\) s.*/\1/p' "$log" | paste -sd,)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$condition" "$model" "$framework" "$samples" \
    "$times" >>"$work/results.tsv"
  local rss
  rss=$(sed -n 's/^peak resident memory \(.*\)/, peak RSS \1/p' "$log")
  printf '  round %s %-9s %-3s %-11s epochs %s s%s   load %s\n' "$round" "$condition" "$model" \
    "$framework" "$times" "$rss" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

echo "== $rounds round(s), $epochs timed epoch(s) a run, models $models$( \
  [ $contended = 1 ] && echo ', each run alone then beside a busy loop')"
: >"$work/results.tsv"
for round in $(seq 1 "$rounds"); do
  shift_by=$(( (round - 1) % ${#frameworks[@]} ))
  order=("${frameworks[@]:$shift_by}" "${frameworks[@]:0:$shift_by}")
  for model in ${models//,/ }; do
    for framework in "${order[@]}"; do
      condition=quiet
      run "$framework" "$model"
      if [ $contended = 1 ]; then
        condition=contended
        sh -c 'while :; do :; done' &
        competitor=$!
        run "$framework" "$model"
        kill "$competitor"; wait "$competitor" 2>/dev/null || true
        competitor=""
      fi
    done
  done
done

table=$(python3 scripts/bench_compare_table.py "$work/results.tsv" "$peak" "$contended" \
  "$products")
echo
echo "== results (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "$table"
if [ -n "$out" ]; then
  { echo "$table"; echo; cat "$work/results.tsv"; } >"$out"
  echo "(table and raw epochs written to $out)"
fi
