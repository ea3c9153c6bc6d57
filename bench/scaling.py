#!/usr/bin/env python3
"""Seconds per dispersion step and peak memory against N, for every method: a Markdown table
per dimension and a log-log SVG plot (of the first dimension) with the O(N²) and O(N log N)
guides. The pairwise methods run to --ns, the ones linear in N to --linear-ns.

Usage: bench/scaling.py [--ns 1000,...,200000] [--linear-ns 1000,...,1000000] [--dims 64,128]
                        [--methods a,b] [--precision f64|f32] [--threads 2] [--svg bench/scaling.svg]
(builds nothing: run `cargo build --release` first).
"""
import argparse, json, math, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ["mmd", "uniformity", "mhe", "mma", "mmcs", "koleo", "lloyd", "sliced", "sliced-axis", "ssw"]
PAIRWISE = {"mmd", "uniformity", "mhe", "mma", "mmcs", "koleo"}
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf"]


def step_seconds(binary, method, n, dim, threads, steps, precision):
    out = subprocess.run([binary, "bench", "step", "--method", method, "--n", str(n), "--dim",
                          str(dim), "--threads", str(threads), "--steps", str(steps),
                          "--precision", precision, "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def svg(results, ns, dim, path):
    """A log-log plot of seconds per step against N, one line per method."""
    width, height, left, right, top, bottom = 760, 480, 70, 150, 20, 50
    times = [t for per in results.values() for t in per.values()]
    xlo, xhi = math.log10(min(ns)), math.log10(max(ns))
    ylo, yhi = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
    x = lambda n: left + (math.log10(n) - xlo) / (xhi - xlo) * (width - left - right)
    y = lambda t: top + (yhi - math.log10(t)) / (yhi - ylo) * (height - top - bottom)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for e in range(ylo, yhi + 1):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(10**e):.1f}" y2="{y(10**e):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(10**e) + 4:.1f}" text-anchor="end">1e{e}</text>')
    for n in ns:
        parts.append(f'<text x="{x(n):.1f}" y="{height - bottom + 16}" text-anchor="middle">{n:g}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">N (points, d = {dim})</text>')
    parts.append(f'<text x="16" y="{(top + height - bottom) / 2}" transform="rotate(-90 16 {(top + height - bottom) / 2})" text-anchor="middle">seconds per step</text>')
    # Guides through each family's first point: N² for pairwise, N log N for the others.
    for label, family, shape in [("∝ N²", PAIRWISE, lambda n: n * n),
                                  ("∝ N log N", set(METHODS) - PAIRWISE, lambda n: n * math.log(n))]:
        base = [results[m][ns[0]] for m in results if m in family and ns[0] in results[m]]
        if not base:
            continue
        t0 = max(base)
        pts = [(x(n), y(t0 * shape(n) / shape(ns[0]))) for n in ns]
        pts = [(px, py) for px, py in pts if top <= py <= height - bottom]
        if len(pts) > 1:
            parts.append('<polyline fill="none" stroke="#999" stroke-dasharray="5,4" points="' +
                         " ".join(f"{px:.1f},{py:.1f}" for px, py in pts) + '"/>')
            parts.append(f'<text x="{pts[-1][0] + 4:.1f}" y="{pts[-1][1]:.1f}" fill="#666">{label}</text>')
    for i, (method, per) in enumerate(results.items()):
        color = COLORS[i % len(COLORS)]
        pts = " ".join(f"{x(n):.1f},{y(t):.1f}" for n, t in sorted(per.items()))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        ly = top + 16 * i + 10
        parts.append(f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"/>')
        parts.append(f'<text x="{width - right + 36}" y="{ly + 4}">{method}</text>')
    parts.append("</svg>")
    Path(path).write_text("\n".join(parts) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ns", default="1000,2000,5000,10000,20000,50000,100000,200000",
                   help="N for the pairwise methods")
    p.add_argument("--linear-ns", default="1000,2000,5000,10000,20000,50000,100000,200000,500000,1000000",
                   help="N for the methods linear in N")
    p.add_argument("--dims", default="64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--precision", default="f64")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--sphaera", default=str(ROOT / "target" / "release" / "sphaera"))
    p.add_argument("--svg", default=str(ROOT / "bench" / "scaling.svg"))
    args = p.parse_args()
    pairwise_ns = [int(v) for v in args.ns.split(",")]
    linear_ns = [int(v) for v in args.linear_ns.split(",")]
    methods = args.methods.split(",")
    for k, dim in enumerate(int(d) for d in args.dims.split(",")):
        results, peaks = {}, {}
        for method in methods:
            results[method], peaks[method] = {}, {}
            for n in pairwise_ns if method in PAIRWISE else linear_ns:
                # Fewer timed steps where a step takes long.
                steps = 1 if (method in PAIRWISE and n >= 50000) else 3
                r = step_seconds(args.sphaera, method, n, dim, args.threads, steps, args.precision)
                results[method][n] = r["median_seconds"]
                peaks[method][n] = r["peak_rss_mb"]
                print(f"{method} N={n} d={dim}: {r['median_seconds']:.4g} s, {r['peak_rss_mb']:.0f} MB",
                      file=sys.stderr)
        ns = sorted({n for per in results.values() for n in per})
        print(f"\nd = {dim}, {args.precision}, {args.threads} threads: seconds per step\n")
        print("| method | " + " | ".join(f"N = {n:g}" for n in ns) + " | slope (last two N) | peak MB (largest N) |")
        print("|---|" + "---|" * (len(ns) + 2))
        for method, per in results.items():
            mine = sorted(per)
            a, b = mine[-2], mine[-1]
            slope = math.log(per[b] / per[a]) / math.log(b / a)
            cells = " | ".join(f"{per[n]:.3g}" if n in per else "–" for n in ns)
            print(f"| {method} | {cells} | {slope:.2f} | {peaks[method][b]:.0f} |")
        if k == 0:
            svg(results, ns, dim, args.svg)


if __name__ == "__main__":
    main()
