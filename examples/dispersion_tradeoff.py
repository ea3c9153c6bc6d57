#!/usr/bin/env python3
"""Dispersion as a regularizer of learned class embeddings, on scikit-learn's digits.

A small network (MLP 64 -> 128 -> d) embeds each 8x8 digit image; a learnable table W holds
one embedding per class (10 x d). The classifier is a cosine classifier,

    logits = s * normalize(f(x)) @ normalize(W).T        (s: a fixed scale),

trained with

    loss = cross_entropy(logits, y) + lam * Dispersion(method)(W)

where ``sphaera.torch.Dispersion`` scores how spread out the rows of W are on the unit sphere
(lower is more spread) and supplies its exact gradient. For each method and each lam the
script records the test accuracy and the minimum angle between the learned class embeddings,
averaged over the seeds (lam = 0 does not depend on the method and is run once per seed).

It prints two Markdown tables (accuracy, minimum angle; rows: methods, columns: lam) and
draws both against lam, one line per method, into examples/dispersion_tradeoff.png
(matplotlib is needed for the picture only).

Reproduce the tables and the picture in BENCHMARKS.md with (about a minute on one core):

    /work/pyenv/bin/python examples/dispersion_tradeoff.py

and a fast smoke run, which draws no picture unless --plot is given, with ``--quick``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import sphaera
from sphaera import metrics
from sphaera.torch import Dispersion

NUM_CLASSES = 10
DEFAULT_PLOT = Path(__file__).resolve().parent / "dispersion_tradeoff.png"


def load_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Digits as float32 tensors (stratified 70/30 split, random_state=0), standardized
    with the training set's statistics."""
    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.3, stratify=labels, random_state=0
    )
    scaler = StandardScaler().fit(x_train)
    as_x = lambda a: torch.tensor(scaler.transform(a), dtype=torch.float32)
    as_y = lambda a: torch.tensor(a, dtype=torch.long)
    return as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test)


class CosineClassifier(torch.nn.Module):
    """An MLP encoder and a learnable class-embedding table, compared by scaled cosine."""

    def __init__(self, dim: int, hidden: int, scale: float) -> None:
        super().__init__()
        self.encoder = torch.nn.Sequential(
            torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, dim)
        )
        self.class_embeddings = torch.nn.Parameter(torch.randn(NUM_CLASSES, dim))
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (batch, 10)."""
        images = F.normalize(self.encoder(x), dim=1)
        classes = F.normalize(self.class_embeddings, dim=1)
        return self.scale * images @ classes.T


def run_one(method: str, lam: float, seed: int, data, args) -> tuple[float, float]:
    """Trains one model; returns (test accuracy, minimum angle of the class table in degrees)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)  # the encoder's and the table's initialization
    model = CosineClassifier(args.dim, args.hidden, args.scale)
    # The rows of the table are normalized inside Dispersion (normalize=True).
    dispersion = Dispersion(method, seed=seed) if lam > 0 else None
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    order = torch.Generator().manual_seed(seed)
    for _epoch in range(args.epochs):
        for batch in torch.randperm(len(x_train), generator=order).split(args.batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            if dispersion is not None:
                loss = loss + lam * dispersion(model.class_embeddings)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
        table = F.normalize(model.class_embeddings, dim=1).double().numpy()
    return accuracy, float(np.degrees(metrics.min_angle(table)))


def markdown_table(title: str, results, methods, lams, column: int, digits: int) -> str:
    """Rows: methods; columns: lam; cells: mean ± std over seeds of results[...][column]."""
    lines = [title, "", "| method | " + " | ".join(f"λ = {lam:g}" for lam in lams) + " |",
             "|---|" + "---|" * len(lams)]
    for method in methods:
        cells = []
        for lam in lams:
            values = np.array([r[column] for r in results[method, lam]])
            cells.append(f"{values.mean():.{digits}f} ± {values.std():.{digits}f}")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results, methods, lams, args, path: Path) -> None:
    """Accuracy and minimum angle against lam (log axis), one line per method with ± std
    error bars (nudged sideways so they do not hide each other). A log axis has no zero, so
    lam = 0 is drawn as a dashed grey line with a grey ± std band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    positive = np.array([lam for lam in lams if lam > 0])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    panels = [(0, 100.0, "test accuracy (%)"), (1, 1.0, "min angle between class embeddings (°)")]
    for ax, (column, factor, label) in zip(axes, panels):
        for i, method in enumerate(methods):
            values = [factor * np.array([r[column] for r in results[method, lam]])
                      for lam in positive]
            nudge = 1.06 ** (i - (len(methods) - 1) / 2)  # a few % along the log axis
            ax.errorbar(positive * nudge, [v.mean() for v in values],
                        yerr=[v.std() for v in values], marker="o", markersize=4,
                        capsize=2.5, linewidth=1.3, label=method)
        if 0.0 in lams:
            base = factor * np.array([r[column] for r in results[methods[0], 0.0]])
            ax.axhline(base.mean(), color="grey", linestyle="--", label="λ = 0 (no regularizer)")
            ax.axhspan(base.mean() - base.std(), base.mean() + base.std(), color="grey",
                       alpha=0.15, linewidth=0)
        ax.set_xscale("log")
        ax.set_xticks(positive, [f"{lam:g}" for lam in positive])
        ax.minorticks_off()
        ax.set_xlabel("λ (weight of the dispersion term; log scale)")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    best = np.degrees(metrics.min_angle(sphaera.tammes(NUM_CLASSES, args.dim, seed=0)[0]))
    axes[1].axhline(best, color="black", linestyle=":", label=f"Tammes optimum ({best:.1f}°)")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9,
               frameon=False)
    fig.suptitle(f"Digits, cosine classifier with 10 learned class embeddings in d = {args.dim}:"
                 f" cross-entropy + λ · dispersion (mean ± std over {args.seeds} seeds)",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=120)
    print(f"\npicture: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=3,
                        help="embedding dimension d (3: the minimum angle and the accuracy "
                             "both have room to move, see BENCHMARKS.md)")
    parser.add_argument("--methods", nargs="+",
                        default=["mma", "mmd", "koleo", "uniformity", "mhe"])
    parser.add_argument("--lams", type=float, nargs="+", default=[0, 0.01, 0.1, 1, 10, 100])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0, 1, ..., seeds-1")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--scale", type=float, default=10.0, help="cosine logit scale s")
    parser.add_argument("--plot", type=Path, default=None,
                        help=f"PNG to write (default {DEFAULT_PLOT.name} next to this script; "
                             "none with --quick)")
    parser.add_argument("--no-plot", action="store_true", help="print the tables only")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: mma and mmd, λ in {0, 1}, 1 seed, 3 epochs")
    args = parser.parse_args()
    if args.quick:
        args.methods, args.lams, args.seeds, args.epochs = ["mma", "mmd"], [0, 1], 1, 3
    elif args.plot is None and not args.no_plot:
        args.plot = DEFAULT_PLOT
    if args.no_plot:
        args.plot = None

    torch.set_num_threads(1)
    data = load_data()
    start = time.perf_counter()

    results = {}  # (method, lam) -> [(accuracy, min angle in degrees) per seed]
    for lam in args.lams:
        for method in args.methods:
            if lam == 0 and method != args.methods[0]:
                results[method, lam] = results[args.methods[0], lam]  # no regularizer
            else:
                results[method, lam] = [run_one(method, lam, seed, data, args)
                                        for seed in range(args.seeds)]

    setup = (f"d = {args.dim}, MLP 64-{args.hidden}-d, scale s = {args.scale:g}, Adam lr "
             f"{args.lr:g}, batch {args.batch_size}, {args.epochs} epochs; mean ± std over "
             f"{args.seeds} seeds")
    print(markdown_table(f"Test accuracy (%), {setup}",
                         {k: [(100 * a, m) for a, m in v] for k, v in results.items()},
                         args.methods, args.lams, column=0, digits=1))
    print()
    print(markdown_table(f"Minimum angle between the 10 class embeddings (°), {setup}",
                         results, args.methods, args.lams, column=1, digits=1))
    if args.plot is not None:
        plot(results, args.methods, args.lams, args, args.plot)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
