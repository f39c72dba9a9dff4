#!/usr/bin/env python3
"""The paper's CNN trained in PyTorch on exactly kms's kmnist-10k split: a reference for
`samples/cnn.kms` (issue 9). Python is used only for this check, never by kms itself.

    python3 scripts/cnn-reference.py /work/shared/data/kmnist            # the paper's recipe
    python3 scripts/cnn-reference.py /work/shared/data/kmnist --epochs 30 --early-stop 5
    python3 scripts/cnn-reference.py /work/shared/data/kmnist --lr 0.0004 --batch 32 --epochs 8 --refit
    python3 scripts/cnn-reference.py /work/shared/data/kmnist --check-labels labels.txt

The split is kms's own (Sources/KMSData/Split.swift, KMNIST.splitSeed 1812): the official test
set's 10,000 images, each class shuffled by xoshiro256** seeded through SplitMix64 (classes in
label order, one source), cut into test 200 / validation 100 / train 700 per class, each part in
ascending row order. `--check-labels FILE` compares the train part's labels with a file of kms's
`data.train.labels` (one number a line) so a change to either side shows.

The network and recipe match kms's: Glorot-uniform weights and zero biases (Keras), inverted
dropout, softmax cross-entropy on the logits, Adam (β 0.9/0.999, ε 1e-7), batch 128, the training
set reshuffled every epoch, validation and test in evaluation mode. `--adam` says where Adam adds
ε: `pytorch` (the default here) to the bias-corrected √v̂, as kms's `trainer(…, adam: "pytorch")`;
`keras` to √v, as Keras and kms's default. Early stopping, when asked for, watches validation
accuracy (improvement > 0.001) and restores the best epoch's weights, as `t.fit(…, early_stop:
true, monitor: "val_accuracy", delta: 0.001)` does. `--refit` trains on the training and
validation images together (8,000) for `--epochs`, as recipe 3 of samples/cnn.kms does.
"""

import argparse
import copy
import gzip
import os
import time

import numpy as np
import torch

from torch_models import cnn

MASK = (1 << 64) - 1
SPLIT_SEED = 1812


def read_idx(path):
    """An IDX file (raw or .gz) as a numpy array of its stored shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(shape)


class RandomSource:
    """kms's RandomSource (Sources/KMSTensor): xoshiro256** seeded through SplitMix64."""

    def __init__(self, seed):
        mix = seed
        words = []
        for _ in range(4):
            mix = (mix + 0x9E3779B97F4A7C15) & MASK
            z = mix
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        """Swift's `next(upperBound:)`: Lemire's multiply-shift with rejection."""
        product = self.next() * bound
        if product & MASK < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def kmnist_10k(labels, seed=SPLIT_SEED):
    """Row indices of kms's kmnist-10k train, validation and test parts (balanced classes)."""
    rng = RandomSource(seed)
    parts = {"test": [], "validation": [], "train": []}
    for k in range(10):
        members = [int(i) for i in np.flatnonzero(labels == k)]
        rng.shuffle(members)
        per_class = len(members) // 10
        parts["test"] += members[:2 * per_class]
        parts["validation"] += members[2 * per_class:3 * per_class]
        parts["train"] += members[3 * per_class:]
    return {name: np.array(sorted(rows)) for name, rows in parts.items()}


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(images[i:i + 500]).argmax(1) == labels[i:i + 500]).sum())
                      for i in range(0, len(labels), 500))
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a folder with t10k-images/labels IDX files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--early-stop", type=int, default=0, metavar="PATIENCE",
                        help="stop after PATIENCE epochs without a better validation accuracy "
                             "and restore the best epoch (0: train every epoch)")
    parser.add_argument("--refit", action="store_true",
                        help="train on train + validation for --epochs (no early stopping)")
    parser.add_argument("--lr", type=float, default=0.0013)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1, help="initialisation and shuffling")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--adam", choices=["pytorch", "keras"], default="pytorch",
                        help="where Adam adds ε: PyTorch's (to √v̂) or Keras's and kms's "
                             "(to √v, before the bias correction)")
    parser.add_argument("--check-labels", metavar="FILE",
                        help="kms's data.train.labels, one a line, to compare with this split")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images = read_idx(os.path.join(args.folder, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.folder, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    parts = kmnist_10k(labels)
    if args.check_labels:
        theirs = np.loadtxt(args.check_labels, dtype=np.int64)
        same = np.array_equal(theirs, labels[parts["train"]])
        print(f"train labels {'match' if same else 'DO NOT match'} {args.check_labels}")
        if not same:
            raise SystemExit(1)
    tensors = {name: (torch.from_numpy(images[rows].astype(np.float32) / 255).unsqueeze(1),
                      torch.from_numpy(labels[rows])) for name, rows in parts.items()}
    x, y = tensors["train"]
    if args.refit:
        if args.early_stop:
            parser.error("--refit trains a fixed number of epochs: drop --early-stop")
        x = torch.cat([x, tensors["validation"][0]])
        y = torch.cat([y, tensors["validation"][1]])
    print(f"kmnist-10k: {len(y)} train{' (train + validation)' if args.refit else ''} / "
          f"{len(tensors['validation'][1])} validation / "
          f"{len(tensors['test'][1])} test; Adam lr {args.lr}, batch {args.batch}, "
          f"seed {args.seed}")

    torch.manual_seed(args.seed)
    model = cnn(torch.Generator().manual_seed(args.seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
    loss_function = torch.nn.CrossEntropyLoss()
    shuffler = torch.Generator().manual_seed(args.seed)
    best, best_epoch, best_state, waited = -1.0, 0, None, 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(y), generator=shuffler)
        total = 0.0
        for i in range(0, len(y), args.batch):
            rows = order[i:i + args.batch]
            optimizer.zero_grad()
            loss = loss_function(model(x[rows]), y[rows])
            loss.backward()
            if args.adam == "keras":
                # NOTE: Keras's w −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε) is PyTorch's update with
                # ε / √(1−β₂ᵗ) in place of ε (32× larger at the first step).
                t = optimizer.state[model[0].weight].get("step", 0) + 1
                optimizer.param_groups[0]["eps"] = 1e-7 / (1 - 0.999 ** float(t)) ** 0.5
            optimizer.step()
            total += loss.item() * len(rows)
        seconds = time.perf_counter() - start
        if args.refit:  # the validation images are training images now: nothing to measure
            print(f"epoch {epoch}: loss {total / len(y):.4f}, {seconds:.1f} s", flush=True)
            continue
        val = accuracy(model, *tensors["validation"])
        print(f"epoch {epoch}: loss {total / len(y):.4f}, val_accuracy {val:.4f}, {seconds:.1f} s",
              flush=True)
        if val > best + 0.001:
            best, best_epoch, waited = val, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if args.early_stop and waited >= args.early_stop:
                break
    if args.early_stop:
        model.load_state_dict(best_state)
        print(f"best epoch {best_epoch} (val_accuracy {best:.4f}), weights restored")
    print(f"test accuracy {accuracy(model, *tensors['test']):.4f}")


if __name__ == "__main__":
    main()
