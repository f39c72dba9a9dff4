#!/usr/bin/env python3
"""PyTorch reference for `kms bench`: the same SAE epoch and sgemm, timed on this machine.

Not part of kms (kms never depends on Python). It exists so kms's benchmark can be reported as a
ratio against a widely used framework, measured on the same 2-core machine, not quoted.

What is measured (must match `TrainingBenchmark.saeEpoch` in Sources/KMSBench/TrainingBenchmark.swift):
  - Model: stacked autoencoder 784-800-400-225-400-800-784 (2,077,809 parameters), ReLU after every
    hidden layer (the 225 code layer included), sigmoid output; Glorot-uniform weights, zero biases
    (as Keras does); float32.
  - Loss: MSE, mean over all elements. Optimiser: torch.optim.Adam, lr 0.0008, betas (0.9, 0.999),
    eps 1e-7. (kms adds eps to sqrt(v) with the bias correction folded into the step size, as
    Keras does; torch adds it to sqrt(v_hat). The arithmetic per element is the same.)
  - Data: 54,000 synthetic samples uniform in [0, 1], made before any timing. Batch 164, the order
    reshuffled every epoch (torch.randperm), each batch gathered by index inside the timed epoch
    (329 batches of 164 and one of 44, like kms's BatchOrder).
  - One warm-up epoch, then `--epochs` timed epochs (default 3); prints each epoch's seconds, the
    median, and GFLOP/s at 604.4 GFLOP an epoch (forward 2·n·Σ(in·out); backward twice that,
    less the first layer's input gradient).
  - torch's own sgemm: torch.mm on 1024×1024 float32 into a preallocated output, one warm-up,
    median of 7, at the same thread count; the script prints epoch GFLOP/s over sgemm GFLOP/s, the
    ratio `kms bench` prints for kms.
  - Threads: torch.set_num_threads(N) for each N in `--threads` (default "2,1").
  - The machine is shared: /proc/loadavg is printed before and after, and, sharper, the CPU time
    other processes took during each measurement (in cores; near 0 means the run had the machine).
    Also printed: the torch version and its BLAS / threading back end.

How to run (the OpenBLAS variables some machines set are removed for this command only; torch's
CPU wheel uses MKL, not OpenBLAS, so they would not apply, but nothing is left to chance):
    pip install "torch==2.13.0+cpu"   # the CPU-only wheel (MKL, OpenMP; no CUDA download); on
                                      # these machines pip finds it in /opt/wheels (find-links)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n -10 python3 scripts/bench-pytorch.py
Options: --threads 2,1  --epochs 3  --samples 54000  --batch 164  --fused (Adam's fused CPU kernel)

--model mlp times the paper's Part A MLP instead: 225-200-10 on synthetic 225-D inputs (its codes)
uniform in [0, 1] with uniform labels, ReLU hidden, softmax cross-entropy, Adam lr 0.0006, batch
140 (must match `kms bench epoch mlp`).

--model cnn times the paper's CNN instead (must match `ConvolutionBenchmark.cnnEpoch` in
Sources/KMSBench/ConvolutionBenchmark.swift):
  - conv 1→32 3×3 + ReLU, conv 32→112 3×3 + ReLU, maxpool 2×2, dropout 0.45, flatten, dense
    16128→288 + ReLU, dropout 0.4, dense 288→10 (4,680,730 parameters); NCHW float32; Glorot-uniform
    weights (fan-in c·k², fan-out f·k² for convolutions, as Keras), zero biases. PyTorch's CPU
    convolutions go through oneDNN (mkldnn) where it is built in; the script prints whether it is.
  - Softmax cross-entropy on integer labels; Adam lr 0.0013, betas (0.9, 0.999), eps 1e-7.
  - Data: 54,000 synthetic 1×28×28 images uniform in [0, 1] with uniform random labels, made
    before any timing; batch 128 (the authors'), reshuffled every epoch, gathered inside the epoch.
  - One warm-up epoch, then `--epochs` timed ones (default 2 for the CNN); GFLOP/s at 7,568 GFLOP
    an epoch (products only: 2·f·c·k²·oh·ow per convolution, 2·in·out per dense layer, forward;
    backward twice that, less the first layer's input gradient).
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n -10 python3 scripts/bench-pytorch.py --model cnn
"""

import argparse
import statistics
import time

import torch

from bench_common import (LAYER_SIZES, MLP_SIZES, OtherLoad, cnn_epoch_flops, epoch_flops,
                          load)
from torch_models import cnn


def autoencoder(generator):
    """784-800-400-225-400-800-784: ReLU hidden (code layer included), sigmoid out, Glorot/zero init."""
    layers = []
    pairs = list(zip(LAYER_SIZES, LAYER_SIZES[1:]))
    for index, (fan_in, fan_out) in enumerate(pairs):
        dense = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(dense.weight, generator=generator)
        torch.nn.init.zeros_(dense.bias)
        layers.append(dense)
        layers.append(torch.nn.Sigmoid() if index == len(pairs) - 1 else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def sgemm_gflops(size=1024, runs=7):
    """torch.mm of two size×size float32 matrices into a preallocated output: median GFLOP/s."""
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(size, size, generator=generator) * 2 - 1
    b = torch.rand(size, size, generator=generator) * 2 - 1
    c = torch.empty(size, size)
    torch.mm(a, b, out=c)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        torch.mm(a, b, out=c)
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def timed_epochs(model, inputs, targets, loss_function, lr, batch_size, epochs, fused):
    """One warm-up epoch then `epochs` timed ones of Adam on `loss_function(model(x), target)`
    (the target is the input itself when `targets` is None); returns all epoch seconds."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-7,
                                 fused=fused or None)
    shuffle = torch.Generator().manual_seed(3)
    samples = inputs.shape[0]
    seconds = []
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(samples, generator=shuffle)
        total, batches = 0.0, 0
        for first in range(0, samples, batch_size):
            index = order[first:first + batch_size]
            batch = inputs.index_select(0, index)
            target = batch if targets is None else targets.index_select(0, index)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(batch), target)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        seconds.append(time.perf_counter() - start)
        label = "warm-up" if epoch == 0 else f"epoch {epoch}"
        print(f"  {label:8} {seconds[-1]:7.3f} s   train loss {total / batches:.5f}", flush=True)
    return seconds


def sae_epochs(samples, batch_size, epochs, fused):
    """The paper's SAE at lr 0.0008; returns the warm-up and timed epochs' seconds."""
    generator = torch.Generator().manual_seed(7)
    inputs = torch.rand(samples, LAYER_SIZES[0], generator=generator)  # outside the timing
    model = autoencoder(torch.Generator().manual_seed(1))
    return timed_epochs(model, inputs, None, torch.nn.MSELoss(), 0.0008, batch_size, epochs, fused)


def mlp_epochs(samples, batch_size, epochs, fused):
    """The paper's Part A MLP at lr 0.0006 on synthetic codes; returns the epochs' seconds."""
    generator = torch.Generator().manual_seed(7)
    inputs = torch.rand(samples, MLP_SIZES[0], generator=generator)  # outside the timing
    labels = torch.randint(0, 10, (samples,), generator=generator)
    init = torch.Generator().manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(MLP_SIZES[0], MLP_SIZES[1]), torch.nn.ReLU(),
                                torch.nn.Linear(MLP_SIZES[1], MLP_SIZES[2]))
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight, generator=init)
        torch.nn.init.zeros_(layer.bias)
    return timed_epochs(model, inputs, labels, torch.nn.CrossEntropyLoss(), 0.0006, batch_size,
                        epochs, fused)


def cnn_epochs(samples, batch_size, epochs, fused):
    """The paper's CNN at lr 0.0013, in training mode; returns the epochs' seconds."""
    generator = torch.Generator().manual_seed(7)
    inputs = torch.rand(samples, 1, 28, 28, generator=generator)  # outside the timing
    labels = torch.randint(0, 10, (samples,), generator=generator)
    model = cnn(torch.Generator().manual_seed(1))
    model.train()
    return timed_epochs(model, inputs, labels, torch.nn.CrossEntropyLoss(), 0.0013, batch_size,
                        epochs, fused)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="2,1", help="comma-separated thread counts")
    parser.add_argument("--model", choices=["sae", "mlp", "cnn"], default="sae",
                        help="the paper's SAE (default), its Part A MLP or its comparison CNN")
    parser.add_argument("--no-sgemm", action="store_true", help="skip the sgemm measurement")
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs after the warm-up (3 for the SAE, 2 for the CNN)")
    parser.add_argument("--samples", type=int, default=54_000)
    parser.add_argument("--batch", type=int, default=None, help="164 for the SAE, 128 for the CNN")
    parser.add_argument("--fused", action="store_true", help="use Adam(fused=True)")
    args = parser.parse_args()
    is_cnn = args.model == "cnn"
    if args.epochs is None:
        args.epochs = 2 if is_cnn else 3
    if args.batch is None:
        args.batch = {"sae": 164, "mlp": 140, "cnn": 128}[args.model]

    config = torch.__config__.show()
    blas = next((line.strip() for line in config.splitlines() if "Math Kernel" in line
                 or "OpenBLAS" in line), "BLAS: see torch.__config__.show()")
    backend = next((line.strip() for line in torch.__config__.parallel_info().splitlines()
                    if "parallel backend" in line), "")
    print(f"torch {torch.__version__}; {blas}; {backend}")
    if is_cnn:
        print(f"oneDNN (mkldnn) convolutions: {torch.backends.mkldnn.is_available()}")
    print(f"load before: {load()}")
    flops = {"sae": lambda n: epoch_flops(LAYER_SIZES, n),
             "mlp": lambda n: epoch_flops(MLP_SIZES, n),
             "cnn": cnn_epoch_flops}[args.model](args.samples)
    adam = "Adam(fused=True)" if args.fused else "Adam (default implementation)"
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        other = OtherLoad()
        gemm = None if args.no_sgemm else sgemm_gflops()
        print(f"\n{threads} thread(s)"
              + ("" if gemm is None else f": sgemm 1024³ (median of 7) {gemm:.1f} GFLOP/s"))
        print(f"{args.model.upper()} epoch, {args.samples} samples, batch {args.batch}, "
              f"{adam}, {flops / 1e9:.1f} GFLOP an epoch:")
        run = {"sae": sae_epochs, "mlp": mlp_epochs, "cnn": cnn_epochs}[args.model]
        seconds = run(args.samples, args.batch, args.epochs, args.fused)
        median = statistics.median(seconds[1:])
        rate = flops / median / 1e9
        print(f"  median   {median:7.3f} s   {rate:.1f} GFLOP/s"
              + ("" if gemm is None else f"   {rate / gemm:.2f} of sgemm"))
        print(f"  other processes used {other.cores():.2f} core(s) meanwhile; load {load()}")
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
