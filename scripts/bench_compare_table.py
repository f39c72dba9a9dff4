#!/usr/bin/env python3
"""The table of scripts/bench-compare.sh, from its results file.

    python3 scripts/bench_compare_table.py RESULTS.tsv PEAK_GFLOPS CONTENDED(0|1) [PRODUCTS_GFLOPS]

RESULTS.tsv has one line per run: round, condition (quiet|contended), model (sae|mlp|cnn),
framework (kms|jax|torch|torch-fused), samples, and the timed epochs' seconds, comma-separated.
Medians are over all timed epochs of all rounds; the FMA-peak fraction is the epoch's GFLOP/s
(bench_common's FLOP counts) over PEAK_GFLOPS. PRODUCTS_GFLOPS, when given, is the best rate of
the SAE's products alone (`kms bench products sae`); the footer then compares issue 10's SAE
targets (at most 0.8 × JAX's epoch, within 1.3× of the FMA-peak-bound time) with this run and
with that ceiling.
"""
import statistics
import sys

from bench_common import LAYER_SIZES, MLP_SIZES, cnn_epoch_flops, epoch_flops

path, peak, contended = sys.argv[1], float(sys.argv[2] or 0), sys.argv[3] == "1"
products = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else 0.0


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

sae_kms = epochs.get(("quiet", "sae", "kms"))
if sae_kms and peak:
    n = samples["sae"]
    work = flops("sae", n) / 1e9
    kms = statistics.median(sae_kms)
    bound = work / peak
    print(f"\nSAE targets (issue 10), {n:,} samples, {work:.1f} GFLOP an epoch:")
    print(f"- within 1.3× of the FMA-peak-bound time ({bound:.3f} s): kms {kms:.3f} s = "
          f"{kms / bound:.2f}× the bound ({'met' if kms <= 1.3 * bound else 'not met'})")
    jax = epochs.get(("quiet", "sae", "jax"))
    if jax:
        ratio = kms / statistics.median(jax)
        print(f"- at most 0.8 × JAX's epoch: kms/JAX {ratio:.2f} "
              f"({'met' if ratio <= 0.8 else 'not met'})")
    if products:
        floor = work / products
        print(f"- the SAE's products alone ran at {products:.1f} GFLOP/s best "
              f"({products / peak:.2f} of the peak): no kms SAE epoch can take less than "
              f"{floor:.3f} s here, {floor / bound:.2f}× the bound; kms's epoch is "
              f"{kms / floor:.2f}× that floor")
