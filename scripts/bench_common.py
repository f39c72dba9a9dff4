"""What scripts/bench-pytorch.py and scripts/bench-jax.py share: the SAE's shape, the paper's
CNN, their FLOP counts, and the load checks that tell whether a timing had the machine to itself."""

import os
import time

LAYER_SIZES = [784, 800, 400, 225, 400, 800, 784]

# The paper's Part A MLP on the SAE's 225-D codes: ReLU hidden layer, softmax cross-entropy,
# Adam lr 0.0006, batch 140 (47,210 parameters).
MLP_SIZES = [225, 200, 10]

# The paper's CNN (issue 9): conv(32, 3) - conv(112, 3) - maxpool(2) - dropout(0.45) - dense(288)
# - dropout(0.4) - dense(10) on 1×28×28, 4,680,730 parameters. Each product as (FLOPs forward per
# image): a convolution 2·f·(c·k²)·(oh·ow), a dense layer 2·in·out.
CNN_PRODUCTS = [2 * 32 * 9 * 26 * 26, 2 * 112 * 288 * 24 * 24, 2 * 16128 * 288, 2 * 288 * 10]


def cnn_epoch_flops(samples):
    """As kms's ConvolutionBenchmark: forward, twice that backward, less the first layer's input
    gradient (nothing needs it). 140.1 MFLOP an image, 7,568 GFLOP for 54,000."""
    forward = sum(CNN_PRODUCTS)
    return samples * (3 * forward - CNN_PRODUCTS[0])


def epoch_flops(layer_sizes, samples):
    """Forward 2·n·Σ(in·out); backward twice that, less the first layer's input gradient."""
    products = [a * b for a, b in zip(layer_sizes, layer_sizes[1:])]
    forward = 2 * samples * sum(products)
    return forward + 2 * forward - 2 * samples * products[0]


def load():
    """The 1, 5 and 15 minute load averages, as /proc/loadavg prints them."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class OtherLoad:
    """CPU time other processes used while timing, in cores (0 = the machine was ours alone).

    /proc/loadavg lags by a minute and counts this benchmark's own threads, so this is the
    sharper check: all cores' busy time from /proc/stat, less this process's own (os.times()),
    over the wall time.
    """

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait
        own = os.times()
        return busy, own.user + own.system, time.perf_counter()

    def cores(self):
        busy, own, wall = self._sample()
        busy0, own0, wall0 = self.start
        return max(0.0, (busy - busy0) - (own - own0)) / (wall - wall0)
