#!/usr/bin/env python3
"""JAX reference for `kms bench`: the same SAE, MLP and CNN epochs and sgemm, timed on this CPU.

Not part of kms (kms never depends on Python). It exists so kms's benchmark can be reported as a
ratio against a widely used framework, measured on the same 2-core machine, not quoted.
scripts/bench-compare.sh runs it interleaved with kms and PyTorch.

What is measured (must match `kms bench epoch sae|mlp|cnn`, Sources/KMSBench):
  - sae: stacked autoencoder 784-800-400-225-400-800-784 (2,077,809 parameters), ReLU after
    every hidden layer (the 225 code layer included), sigmoid output; MSE, mean over all
    elements; Adam lr 0.0008; batch 164. 604.4 GFLOP an epoch of 54,000.
  - mlp: the paper's Part A MLP 225-200-10 on 225-D inputs (its codes), ReLU hidden, softmax
    cross-entropy on integer labels; Adam lr 0.0006; batch 140.
  - cnn: the paper's CNN: conv 1→32 3×3 + ReLU, conv 32→112 3×3 + ReLU, maxpool 2×2, dropout
    0.45, flatten, dense 16128→288 + ReLU, dropout 0.4, dense 288→10 (4,680,730 parameters),
    NHWC (XLA's CPU convolutions are channels-last); softmax cross-entropy; Adam lr 0.0013; batch 128. 7,568 GFLOP an epoch (products only).
  - Every model: Glorot-uniform weights (fan-in c·k², fan-out f·k² for convolutions, as Keras),
    zero biases, float32. Adam written out as kms (and Keras) do it: β1 0.9, β2 0.999, ε 1e-7,
    α_t = lr·sqrt(1-β2^t)/(1-β1^t), w -= α_t·m/(sqrt(v)+ε). The whole training step (gather
    the batch by index, forward, backward, Adam) is one jax.jit function, with the parameters
    and moments donated so XLA updates in place.
  - Data: synthetic, uniform in [0, 1] (labels uniform in 0..9), made before any timing and kept
    as one device array; the order reshuffled every epoch (numpy permutation), so 54,000 at
    batch 164 is 329 batches of 164 and one of 44, like kms's BatchOrder (two shapes compile;
    the warm-up epoch pays for both).
  - One warm-up epoch, then `--epochs` timed ones (default 3); an epoch ends when its last loss
    is on the host. Prints each epoch's seconds, the median, and GFLOP/s.
  - XLA's own sgemm: a jitted jnp.dot of two 1024×1024 float32 matrices, median of 7.
  - Threads: XLA's CPU client uses every core it may run on; on this 2-core machine that is 2.
    For one thread, pin the process to one core: `taskset -c 0 python3 scripts/bench-jax.py`.
  - The machine is shared: /proc/loadavg is printed before and after, and, sharper, the CPU time
    other processes took during the measurement (in cores; near 0 means the run had the machine).

How to run (scripts/bench-compare.sh installs jax into a virtual environment under .build):
    pip install jax
    python3 scripts/bench-jax.py [--model sae|mlp|cnn] [--epochs 3] [--samples 54000]
"""

import argparse
import os
import statistics
import time

import jax
import jax.numpy as jnp
import jaxlib
import numpy as np

from bench_common import (LAYER_SIZES, MLP_SIZES, OtherLoad, cnn_epoch_flops, epoch_flops,
                          load)

BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7
MODELS = {  # learning rate, batch
    "sae": (0.0008, 164),
    "mlp": (0.0006, 140),
    "cnn": (0.0013, 128),
}


def glorot(key, shape, fan_in, fan_out):
    limit = (6 / (fan_in + fan_out)) ** 0.5
    return jax.random.uniform(key, shape, jnp.float32, -limit, limit)


def dense_stack(key, sizes):
    """[(W [in, out], b [out])] per layer: Glorot-uniform W, zero b."""
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        key, sub = jax.random.split(key)
        params.append((glorot(sub, (fan_in, fan_out), fan_in, fan_out),
                       jnp.zeros((fan_out,), jnp.float32)))
    return params


def cnn_params(key):
    """The paper's CNN: two convolutions (OIHW), two dense layers."""
    keys = jax.random.split(key, 4)
    return [
        (glorot(keys[0], (32, 1, 3, 3), 9, 32 * 9), jnp.zeros((32,), jnp.float32)),
        (glorot(keys[1], (112, 32, 3, 3), 32 * 9, 112 * 9), jnp.zeros((112,), jnp.float32)),
        (glorot(keys[2], (16128, 288), 16128, 288), jnp.zeros((288,), jnp.float32)),
        (glorot(keys[3], (288, 10), 288, 10), jnp.zeros((10,), jnp.float32)),
    ]


def cross_entropy(logits, labels):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1))


def sae_loss(params, x, _labels, _key):
    """Mean over all elements of (reconstruction - x)²: ReLU hidden, sigmoid out."""
    y = x
    for weight, bias in params[:-1]:
        y = jax.nn.relu(y @ weight + bias)
    weight, bias = params[-1]
    return jnp.mean((jax.nn.sigmoid(y @ weight + bias) - x) ** 2)


def mlp_loss(params, x, labels, _key):
    (w1, b1), (w2, b2) = params
    return cross_entropy(jax.nn.relu(x @ w1 + b1) @ w2 + b2, labels)


def dropout(key, x, rate):
    keep = jax.random.bernoulli(key, 1 - rate, x.shape)
    return jnp.where(keep, x / (1 - rate), 0)


def cnn_loss(params, x, labels, key):
    (c1, d1), (c2, d2), (w3, b3), (w4, b4) = params
    # NOTE: NHWC, as flax does: XLA's CPU convolutions (Eigen) are written for channels-last.
    dimensions = ("NHWC", "OIHW", "NHWC")
    y = jax.lax.conv_general_dilated(x, c1, (1, 1), "VALID", dimension_numbers=dimensions)
    y = jax.nn.relu(y + d1)
    y = jax.lax.conv_general_dilated(y, c2, (1, 1), "VALID", dimension_numbers=dimensions)
    y = jax.nn.relu(y + d2)
    y = jax.lax.reduce_window(y, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    first, second = jax.random.split(key)
    y = dropout(first, y, 0.45).reshape(x.shape[0], -1)
    y = dropout(second, jax.nn.relu(y @ w3 + b3), 0.4)
    return cross_entropy(y @ w4 + b4, labels)


def make_train_step(loss_function, learning_rate):
    def train_step(params, first_moments, second_moments, step, inputs, labels, indices, key):
        """Gathers the batch, computes the loss and its gradient, applies one Adam update."""
        batch = jnp.take(inputs, indices, axis=0)
        batch_labels = jnp.take(labels, indices, axis=0)
        loss, grads = jax.value_and_grad(loss_function)(
            params, batch, batch_labels, jax.random.fold_in(key, step))
        step = step + 1
        t = step.astype(jnp.float32)
        alpha = learning_rate * jnp.sqrt(1 - BETA2**t) / (1 - BETA1**t)
        first_moments = jax.tree.map(lambda m, g: BETA1 * m + (1 - BETA1) * g, first_moments,
                                     grads)
        second_moments = jax.tree.map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g,
                                      second_moments, grads)
        params = jax.tree.map(lambda w, m, v: w - alpha * m / (jnp.sqrt(v) + EPSILON),
                              params, first_moments, second_moments)
        return params, first_moments, second_moments, step, loss
    return jax.jit(train_step, donate_argnums=(0, 1, 2, 3))


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


def timed_epochs(model, samples, epochs):
    """One warm-up epoch then `epochs` timed ones; returns the list of all epoch seconds."""
    learning_rate, batch_size = MODELS[model]
    data_key = jax.random.PRNGKey(7)
    shape = {"sae": (LAYER_SIZES[0],), "mlp": (MLP_SIZES[0],), "cnn": (28, 28, 1)}[model]
    inputs = jax.random.uniform(data_key, (samples, *shape), jnp.float32)
    labels = jax.random.randint(jax.random.fold_in(data_key, 1), (samples,), 0, 10, jnp.int32)
    inputs.block_until_ready()  # outside the timing
    init_key = jax.random.PRNGKey(1)
    params = {"sae": lambda: dense_stack(init_key, LAYER_SIZES),
              "mlp": lambda: dense_stack(init_key, MLP_SIZES),
              "cnn": lambda: cnn_params(init_key)}[model]()
    first_moments = jax.tree.map(jnp.zeros_like, params)
    second_moments = jax.tree.map(jnp.zeros_like, params)
    step = jnp.zeros((), jnp.int32)
    loss_function = {"sae": sae_loss, "mlp": mlp_loss, "cnn": cnn_loss}[model]
    train = make_train_step(loss_function, learning_rate)
    dropout_key = jax.random.PRNGKey(3)
    shuffle = np.random.default_rng(3)
    seconds = []
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        order = shuffle.permutation(samples).astype(np.int32)
        losses = []
        for first in range(0, samples, batch_size):
            params, first_moments, second_moments, step, loss = train(
                params, first_moments, second_moments, step, inputs, labels,
                order[first:first + batch_size], dropout_key)
            losses.append(loss)
        mean_loss = float(jnp.mean(jnp.stack(losses)))  # waits for the epoch's last step
        seconds.append(time.perf_counter() - start)
        label = "warm-up" if epoch == 0 else f"epoch {epoch}"
        print(f"  {label:8} {seconds[-1]:7.3f} s   train loss {mean_loss:.5f}", flush=True)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="sae")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after the warm-up")
    parser.add_argument("--samples", type=int, default=54_000)
    parser.add_argument("--no-sgemm", action="store_true", help="skip the sgemm measurement")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}; devices {jax.devices()}; "
          f"{cores} core(s) allowed; XLA_FLAGS={os.environ.get('XLA_FLAGS', '(unset)')}")
    print(f"load before: {load()}")
    flops = {"sae": lambda n: epoch_flops(LAYER_SIZES, n),
             "mlp": lambda n: epoch_flops(MLP_SIZES, n),
             "cnn": cnn_epoch_flops}[args.model](args.samples)
    other = OtherLoad()
    if not args.no_sgemm:
        print(f"\nsgemm 1024³ (median of 7) {sgemm_gflops():.1f} GFLOP/s")
    _, batch = MODELS[args.model]
    print(f"{args.model.upper()} epoch, {args.samples} samples, batch {batch}, whole step jitted, "
          f"{flops / 1e9:.1f} GFLOP an epoch:")
    seconds = timed_epochs(args.model, args.samples, args.epochs)
    median = statistics.median(seconds[1:])
    print(f"  median   {median:7.3f} s   {flops / median / 1e9:.1f} GFLOP/s")
    print(f"  other processes used {other.cores():.2f} core(s) meanwhile; load {load()}")
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
