#!/usr/bin/env python3
"""One full training step through `sphaera.torch` against `sphaera bench step` and the paper's
PyTorch reference, side by side in one run.

The step is the reference's: a table of N unit rows in R^d as geoopt's `ManifoldParameter`,
one regularizer, one `RiemannianAdam` step (float32 tensors; sphaera computes in float64 on
the CPU). For each method it times, one after the other, the Python step (in a subprocess,
under /usr/bin/time for its peak memory), `sphaera bench step` with the same settings, and,
when LEDOH is set, `../shared/peers/ledoh_step.py`. Prints a Markdown table of medians.

Usage (with the package installed, e.g. by scripts/test, and its Python):
    python bench/python_step.py [--n 20000] [--dim 64] [--threads 2] [--steps 3] [--methods mmd,...]
    LEDOH=<export of ltl-uva/ledoh-torch> python bench/python_step.py ...
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from compare import timed  # bench/compare.py: a command under /usr/bin/time

ROOT = Path(__file__).resolve().parent.parent
PEER_SCRIPT = ROOT.parent / "shared" / "peers" / "ledoh_step.py"
# reference name -> (sphaera method, its options), the reference's settings
METHODS = {
    "mmd": ("mmd", {"kernel": "gaussian", "gamma": 1.0}),
    "mma": ("mma", {}),
    "koleo": ("koleo", {}),
    "lloyd": ("lloyd", {"samples": 2000}),
    "sliced": ("sliced", {"slices": 1}),
    "sliced-axis": ("sliced-axis", {"slices": "DIM"}),
}


def one_step(name, n, dim, steps):
    """Times `steps` steps (after a warm-up) through sphaera.torch; prints one JSON line."""
    import torch
    import torch.nn.functional as F
    from geoopt import ManifoldParameter
    from geoopt.manifolds import SphereExact
    from geoopt.optim import RiemannianAdam

    from sphaera.torch import Dispersion

    torch.manual_seed(0)
    method, options = METHODS[name]
    options = {k: (dim if v == "DIM" else v) for k, v in options.items()}
    regularizer = Dispersion(method, normalize=False, **options)
    x = ManifoldParameter(F.normalize(torch.randn(n, dim), dim=-1), manifold=SphereExact())
    optimizer = RiemannianAdam([x], lr=1e-3, stabilize=1)
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        regularizer(x).backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"sec_per_step": statistics.median(times[1:])}))


def cli_args(name, dim):
    method, options = METHODS[name]
    args = ["--method", method]
    for key, value in options.items():
        args += [f"--{key}", str(dim if value == "DIM" else value)]
    return args


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=3, help="timed steps of each (after a warm-up)")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--sphaera", default=str(ROOT / "target" / "release" / "sphaera"))
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        return one_step(args.one, args.n, args.dim, args.steps)
    threads = str(args.threads)
    env = dict(os.environ, THREADS=threads, OMP_NUM_THREADS=threads,
               RAYON_NUM_THREADS=threads, PYTHONWARNINGS="ignore")
    ledoh = os.environ.get("LEDOH")
    rows = []
    for name in args.methods.split(","):
        ours, ours_mb = timed([sys.executable, __file__, "--one", name, "--n", str(args.n),
                               "--dim", str(args.dim), "--steps", str(args.steps)], env)
        cli, cli_mb = timed([args.sphaera, "bench", "step", *cli_args(name, args.dim),
                             "--n", str(args.n), "--dim", str(args.dim), "--steps",
                             str(args.steps), "--threads", threads, "--json"])
        ref = ref_mb = None
        if ledoh:
            ref, ref_mb = timed([sys.executable, str(PEER_SCRIPT), name, str(args.n),
                                 str(args.dim), str(args.steps)], env)
        rows.append((name, ours["sec_per_step"], ours_mb, cli["median_seconds"], cli_mb,
                     ref and ref["sec_per_step"], ref_mb))
        print(f"{name}: sphaera.torch {ours['sec_per_step']:.4f} s, bench step "
              f"{cli['median_seconds']:.4f} s" + (f", reference {ref['sec_per_step']:.4f} s" if ref else ""),
              file=sys.stderr)
    print(f"N = {args.n}, d = {args.dim}, {args.threads} threads, median of {args.steps} steps "
          "after a warm-up; peak memory of the whole process.\n")
    print("| method | sphaera.torch s/step | bench step s/step | overhead | reference s/step | "
          "reference / sphaera.torch | reference / bench step | peak MB (torch, bench, reference) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, ours_s, ours_mb, cli_s, cli_mb, ref_s, ref_mb in rows:
        ref_cells = (f"{ref_s:.4f} | {ref_s / ours_s:.1f}× | {ref_s / cli_s:.1f}×" if ref_s
                     else "– | – | –")
        print(f"| `{name}` | {ours_s:.4f} | {cli_s:.4f} | {100 * (ours_s / cli_s - 1):+.0f}% | "
              f"{ref_cells} | {ours_mb:.0f}, {cli_mb:.0f}, {ref_mb or 0:.0f} |")


if __name__ == "__main__":
    main()
