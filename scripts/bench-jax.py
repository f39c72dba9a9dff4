#!/usr/bin/env python3
"""JAX reference for `kms bench`: the same SAE epoch and sgemm, timed on this machine (CPU).

Not part of kms (kms never depends on Python). It exists so kms's benchmark can be reported as a
ratio against a widely used framework, measured on the same 2-core machine, not quoted.

What is measured (must match `TrainingBenchmark.saeEpoch` in Sources/KMSNN/TrainingBenchmark.swift):
  - Model: stacked autoencoder 784-800-400-225-400-800-784 (2,077,809 parameters), ReLU after every
    hidden layer (the 225 code layer included), sigmoid output; Glorot-uniform weights, zero biases
    (as Keras does); float32.
  - Loss: MSE, mean over all elements. Adam written out here exactly as kms (and Keras) do it:
    lr 0.0008, β1 0.9, β2 0.999, ε 1e-7, with α_t = lr·sqrt(1-β2^t)/(1-β1^t) and
    w -= α_t·m/(sqrt(v)+ε). The whole training step (gather the batch by index, forward, backward,
    Adam) is one jax.jit function, with the parameters and moments donated so XLA updates in place.
  - Data: 54,000 synthetic samples uniform in [0, 1], made before any timing and kept as one device
    array. Batch 164, the order reshuffled every epoch (numpy permutation), 329 batches of 164 and
    one of 44, like kms's BatchOrder (so two shapes compile; the warm-up epoch pays for both).
  - One warm-up epoch, then `--epochs` timed epochs (default 3); an epoch ends when its last loss
    is on the host (block_until_ready). Prints each epoch's seconds, the median, and GFLOP/s at
    604.4 GFLOP an epoch (forward 2·n·Σ(in·out); backward twice that, less the first layer's input
    gradient).
  - XLA's own sgemm: a jitted jnp.dot of two 1024×1024 float32 matrices, one warm-up, median of 7;
    the script prints epoch GFLOP/s over sgemm GFLOP/s, the ratio `kms bench` prints for kms.
  - Threads: XLA's CPU client uses every core it may run on; on this 2-core machine that is 2.
    For one thread, pin the process to one core: `taskset -c 0 python3 scripts/bench-jax.py`.
  - The machine is shared: /proc/loadavg is printed before and after, and, sharper, the CPU time
    other processes took during the measurement (in cores; near 0 means the run had the machine).
    Also printed: the jax/jaxlib versions and the device.

How to run (the OpenBLAS variables some machines set are removed for this command only; XLA does
not use OpenBLAS, so they would not apply, but nothing is left to chance):
    pip install jax
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n -10 python3 scripts/bench-jax.py
Options: --epochs 3  --samples 54000  --batch 164
"""

import argparse
import os
import statistics
import time

import jax
import jax.numpy as jnp
import jaxlib
import numpy as np

from bench_common import LAYER_SIZES, OtherLoad, epoch_flops, load
LEARNING_RATE, BETA1, BETA2, EPSILON = 0.0008, 0.9, 0.999, 1e-7


def autoencoder(key):
    """[(W [in, out], b [out])] per layer: Glorot-uniform W, limit sqrt(6/(in+out)); zero b."""
    params = []
    for fan_in, fan_out in zip(LAYER_SIZES, LAYER_SIZES[1:]):
        key, sub = jax.random.split(key)
        limit = (6 / (fan_in + fan_out)) ** 0.5
        weight = jax.random.uniform(sub, (fan_in, fan_out), jnp.float32, -limit, limit)
        params.append((weight, jnp.zeros((fan_out,), jnp.float32)))
    return params


def forward(params, x):
    """x [batch, 784] → reconstruction [batch, 784]: ReLU hidden, sigmoid out."""
    for weight, bias in params[:-1]:
        x = jax.nn.relu(x @ weight + bias)
    weight, bias = params[-1]
    return jax.nn.sigmoid(x @ weight + bias)


def mse(params, x):
    """Mean over all elements of (reconstruction - x)²."""
    return jnp.mean((forward(params, x) - x) ** 2)


def train_step(params, first_moments, second_moments, step, inputs, indices):
    """Gathers the batch, computes the loss and its gradient, applies one Adam update."""
    batch = jnp.take(inputs, indices, axis=0)
    loss, grads = jax.value_and_grad(mse)(params, batch)
    step = step + 1
    t = step.astype(jnp.float32)
    alpha = LEARNING_RATE * jnp.sqrt(1 - BETA2**t) / (1 - BETA1**t)
    first_moments = jax.tree.map(lambda m, g: BETA1 * m + (1 - BETA1) * g, first_moments, grads)
    second_moments = jax.tree.map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g,
                                  second_moments, grads)
    params = jax.tree.map(lambda w, m, v: w - alpha * m / (jnp.sqrt(v) + EPSILON),
                          params, first_moments, second_moments)
    return params, first_moments, second_moments, step, loss


def sgemm_gflops(size=1024, runs=7):
    """A jitted jnp.dot of two size×size float32 matrices: median GFLOP/s."""
    rng = np.random.default_rng(1)
    a = jnp.asarray(rng.uniform(-1, 1, (size, size)).astype(np.float32))
    b = jnp.asarray(rng.uniform(-1, 1, (size, size)).astype(np.float32))
    dot = jax.jit(jnp.dot)
    dot(a, b).block_until_ready()  # compile and warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        dot(a, b).block_until_ready()
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def sae_epochs(samples, batch_size, epochs):
    """One warm-up epoch then `epochs` timed ones; returns the list of all epoch seconds."""
    inputs = jax.random.uniform(jax.random.PRNGKey(7), (samples, LAYER_SIZES[0]), jnp.float32)
    inputs.block_until_ready()  # outside the timing
    params = autoencoder(jax.random.PRNGKey(1))
    first_moments = jax.tree.map(jnp.zeros_like, params)
    second_moments = jax.tree.map(jnp.zeros_like, params)
    step = jnp.zeros((), jnp.int32)
    train = jax.jit(train_step, donate_argnums=(0, 1, 2, 3))
    shuffle = np.random.default_rng(3)
    seconds = []
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        order = shuffle.permutation(samples).astype(np.int32)
        losses = []
        for first in range(0, samples, batch_size):
            params, first_moments, second_moments, step, loss = train(
                params, first_moments, second_moments, step, inputs,
                order[first:first + batch_size])
            losses.append(loss)
        mean_loss = float(jnp.mean(jnp.stack(losses)))  # waits for the epoch's last step
        seconds.append(time.perf_counter() - start)
        label = "warm-up" if epoch == 0 else f"epoch {epoch}"
        print(f"  {label:8} {seconds[-1]:7.3f} s   train loss {mean_loss:.5f}", flush=True)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after the warm-up")
    parser.add_argument("--samples", type=int, default=54_000)
    parser.add_argument("--batch", type=int, default=164)
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}; devices {jax.devices()}; "
          f"{cores} core(s) allowed; XLA_FLAGS={os.environ.get('XLA_FLAGS', '(unset)')}")
    print(f"load before: {load()}")
    flops = epoch_flops(LAYER_SIZES, args.samples)
    other = OtherLoad()
    gemm = sgemm_gflops()
    print(f"\nsgemm 1024³ (median of 7) {gemm:.1f} GFLOP/s")
    print(f"SAE epoch, {args.samples} samples, batch {args.batch}, whole step jitted, "
          f"{flops / 1e9:.1f} GFLOP an epoch:")
    seconds = sae_epochs(args.samples, args.batch, args.epochs)
    median = statistics.median(seconds[1:])
    rate = flops / median / 1e9
    print(f"  median   {median:7.3f} s   {rate:.1f} GFLOP/s   {rate / gemm:.2f} of sgemm")
    print(f"  other processes used {other.cores():.2f} core(s) meanwhile; load {load()}")
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
