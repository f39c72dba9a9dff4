#!/usr/bin/env python3
"""The table of scripts/bench-compare.sh, from its results file.

    python3 scripts/bench_compare_table.py RESULTS.tsv PEAK_GFLOPS CONTENDED(0|1)

RESULTS.tsv has one line per run: round, condition (quiet|contended), model (sae|mlp|cnn),
framework (kms|jax|torch|torch-fused), samples, and the timed epochs' seconds, comma-separated.
Medians are over all timed epochs of all rounds; the FMA-peak fraction is the epoch's GFLOP/s
(bench_common's FLOP counts) over PEAK_GFLOPS.
"""
import statistics
import sys

from bench_common import LAYER_SIZES, MLP_SIZES, cnn_epoch_flops, epoch_flops

path, peak, contended = sys.argv[1], float(sys.argv[2] or 0), sys.argv[3] == "1"


def flops(model, n):
    if model == "cnn":
        return cnn_epoch_flops(n)
    return epoch_flops(LAYER_SIZES if model == "sae" else MLP_SIZES, n)


epochs, samples = {}, {}
for line in open(path):
    _, condition, model, framework, n, times = line.rstrip("\n").split("\t")
    samples[model] = int(n)
    epochs.setdefault((condition, model, framework), []).extend(
        float(t) for t in times.split(",") if t)

names = {"kms": "kms", "jax": "JAX", "torch": "PyTorch eager", "torch-fused": "PyTorch fused"}
rows = []
header = ["model", "framework", "median epoch", "spread (min–max)", "kms / it", "FMA peak"]
if contended:
    header += ["contended median", "spread", "slowdown"]
for model in ["sae", "mlp", "cnn"]:
    if ("quiet", model, "kms") not in epochs:
        continue
    kms = statistics.median(epochs[("quiet", model, "kms")])
    kms_loaded = statistics.median(epochs.get(("contended", model, "kms"), [float("nan")]))
    for framework in ["kms", "jax", "torch", "torch-fused"]:
        quiet = epochs.get(("quiet", model, framework))
        if not quiet:
            continue
        median = statistics.median(quiet)
        rate = flops(model, samples[model]) / median / 1e9
        row = [f"{model} ({samples[model]:,})", names[framework], f"{median:.3f} s",
               f"{min(quiet):.3f}–{max(quiet):.3f}",
               "" if framework == "kms" else f"{kms / median:.2f}",
               f"{rate / peak:.2f}" if peak else "?"]
        if contended:
            loaded = epochs.get(("contended", model, framework), [])
            if loaded:
                m = statistics.median(loaded)
                row += [f"{m:.3f} s", f"{min(loaded):.3f}–{max(loaded):.3f}", f"{m / median:.2f}×"]
            else:
                row += ["", "", ""]
        rows.append(row)
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
print(f"\nFMA peak {peak:.1f} GFLOP/s (kms bench peak, this run); 'kms / it' is kms's median "
      "epoch over that framework's (below 1: kms is faster); 'FMA peak' is the epoch's "
      "GFLOP/s over the peak.")
