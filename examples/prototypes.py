#!/usr/bin/env python3
"""Hyperspherical prototypes (Mettes et al., 2019) on scikit-learn's digits.

A small network (MLP 64 -> 128 -> d) maps each 8x8 digit image to the unit sphere in d
dimensions. Three heads are compared at the same embedding width d:

* ``tammes``:  one fixed prototype per class, spread by ``sphaera.tammes(10, d)`` (the 10
               points with the largest minimum angle sphaera finds). Training pulls each
               image towards its class prototype with the loss 1 - cos(f(x), p_y); an image
               is classified by its nearest prototype (largest cosine).
* ``random``:  the same, with 10 random unit prototypes (Gaussian draws, normalized; a new
               draw per seed).
* ``softmax``: a linear d -> 10 layer on the d-dimensional embedding, trained with
               cross-entropy (the usual classifier, for reference).

The train/test split is fixed (stratified 70/30, random_state=0); the seeds vary the
network's initialization, the minibatch order and the random prototypes. The script prints
two Markdown tables: test accuracy (mean ± std over the seeds) per head and d, and the
minimum angle between the Tammes prototypes and between the random ones.

Reproduce the tables in BENCHMARKS.md with (under a minute on one core):

    /work/pyenv/bin/python examples/prototypes.py

and a fast smoke run with ``--quick``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import sphaera
from sphaera import metrics

NUM_CLASSES = 10
HEADS = ("tammes", "random", "softmax")


def load_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Digits as float32 tensors, standardized with the training set's statistics."""
    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.3, stratify=labels, random_state=0
    )
    scaler = StandardScaler().fit(x_train)
    as_x = lambda a: torch.tensor(scaler.transform(a), dtype=torch.float32)
    as_y = lambda a: torch.tensor(a, dtype=torch.long)
    return as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test)


def encoder(dim: int, hidden: int) -> torch.nn.Module:
    """The network shared by every head: 64 pixels -> hidden (ReLU) -> dim."""
    return torch.nn.Sequential(
        torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, dim)
    )


def tammes_prototypes(dim: int) -> np.ndarray:
    """10 unit vectors in R^dim whose smallest pairwise angle is as large as sphaera finds."""
    points, _report = sphaera.tammes(NUM_CLASSES, dim, seed=0)
    return points


def random_prototypes(dim: int, seed: int) -> np.ndarray:
    """10 independent uniform unit vectors in R^dim (normalized Gaussian draws)."""
    points = np.random.default_rng(seed).normal(size=(NUM_CLASSES, dim))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


class PrototypeClassifier(torch.nn.Module):
    """Embeds on the unit sphere; the score of class c is the cosine to its fixed prototype."""

    def __init__(self, dim: int, hidden: int, prototypes: np.ndarray) -> None:
        super().__init__()
        self.encoder = encoder(dim, hidden)
        # A buffer, not a parameter: the prototypes never move during training.
        self.register_buffer("prototypes", torch.tensor(prototypes, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Cosine of each embedding to each prototype, shape (batch, 10)."""
        return F.normalize(self.encoder(x), dim=1) @ self.prototypes.T

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean of 1 - cos(f(x), p_y)."""
        cosines = self(x)
        return (1.0 - cosines.gather(1, y[:, None])).mean()


class SoftmaxClassifier(torch.nn.Module):
    """The same encoder with a linear d -> 10 layer and cross-entropy."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.encoder = encoder(dim, hidden)
        self.head = torch.nn.Linear(dim, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self(x), y)


def train_and_test(model, data, epochs: int, batch_size: int, lr: float, seed: int) -> float:
    """Minibatch Adam for `epochs` passes over the training set; returns test accuracy."""
    x_train, y_train, x_test, y_test = data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    for _epoch in range(epochs):
        for batch in torch.randperm(len(x_train), generator=order).split(batch_size):
            optimizer.zero_grad()
            model.loss(x_train[batch], y_train[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(x_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


def run_one(head: str, dim: int, seed: int, data, args) -> float:
    torch.manual_seed(seed)  # the encoder's initialization
    if head == "tammes":
        model = PrototypeClassifier(dim, args.hidden, tammes_prototypes(dim))
    elif head == "random":
        model = PrototypeClassifier(dim, args.hidden, random_prototypes(dim, seed))
    else:
        model = SoftmaxClassifier(dim, args.hidden)
    return train_and_test(model, data, args.epochs, args.batch_size, args.lr, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 3, 5, 10])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0, 1, ..., seeds-1")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: d = 2 and 5, 2 seeds, 3 epochs")
    args = parser.parse_args()
    if args.quick:
        args.dims, args.seeds, args.epochs = [2, 5], 2, 3

    torch.set_num_threads(1)
    data = load_data()
    seeds = range(args.seeds)
    start = time.perf_counter()

    print(f"Test accuracy (%) on digits, mean ± std over {args.seeds} seeds "
          f"(MLP 64-{args.hidden}-d, Adam lr {args.lr:g}, batch {args.batch_size}, "
          f"{args.epochs} epochs)\n")
    print("| d | " + " | ".join(HEADS) + " |")
    print("|---|" + "---|" * len(HEADS))
    for dim in args.dims:
        cells = []
        for head in HEADS:
            accuracy = 100 * np.array([run_one(head, dim, seed, data, args) for seed in seeds])
            cells.append(f"{accuracy.mean():.1f} ± {accuracy.std():.1f}")
        print(f"| {dim} | " + " | ".join(cells) + " |", flush=True)

    print(f"\nMinimum angle between the 10 prototypes (degrees; random: mean ± std, min over "
          f"{args.seeds} seeds)\n")
    print("| d | tammes | random | random (worst seed) |")
    print("|---|---|---|---|")
    for dim in args.dims:
        tammes = np.degrees(metrics.min_angle(tammes_prototypes(dim)))
        random = np.degrees([metrics.min_angle(random_prototypes(dim, s)) for s in seeds])
        print(f"| {dim} | {tammes:.1f} | {random.mean():.1f} ± {random.std():.1f} "
              f"| {random.min():.1f} |")

    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
