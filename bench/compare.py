#!/usr/bin/env python3
"""sphaera against the paper's PyTorch reference, one full step at a time, on this machine.

For every regularizer both have, runs the reference (`../shared/peers/ledoh_step.py`:
ltl-uva/ledoh-torch with geoopt's Riemannian Adam) and `sphaera bench step`, one after the
other, and prints a Markdown table of the medians, their ratio and both peak memories. With
--write FILE, the table replaces the text between the compare markers in FILE.

Needs the peers' Python (PEERS_PYTHON, default ~/peers/bin/python) and an export of
ledoh-torch (LEDOH); see ../shared/peers/README.md. Usage: bench/compare.sh [options].
"""
import argparse, datetime, json, os, platform, re, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_SCRIPT = ROOT.parent / "shared" / "peers" / "ledoh_step.py"
# reference name -> sphaera bench step arguments (the reference's settings)
METHODS = {
    "mmd": ["--method", "mmd", "--kernel", "gaussian", "--gamma", "1"],
    "mmd-lap-geo": ["--method", "mmd", "--kernel", "laplace", "--distance", "geodesic", "--gamma", "1"],
    "riesz": ["--method", "mmd", "--kernel", "riesz", "--s", "1"],
    "mma": ["--method", "mma"],
    "koleo": ["--method", "koleo"],
    "lloyd": ["--method", "lloyd", "--samples", "2000"],
    "sliced": ["--method", "sliced", "--slices", "1"],
    "sliced-axis": ["--method", "sliced-axis", "--slices", "DIM"],
}
BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (last stdout line as JSON, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name, *cmd],
                             capture_output=True, text=True, env=env)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
        kib = int(peak.read().split()[-1])
    return json.loads(out.stdout.strip().splitlines()[-1]), kib / 1024


def matmul_rate(python, env):
    """GFLOP/s of a 4096 × 4096 float32 matrix product in PyTorch (best of 5)."""
    code = ("import time, torch\n"
            f"torch.set_num_threads({env['THREADS']})\n"
            "a = torch.randn(4096, 4096); b = torch.randn(4096, 4096); a @ b\n"
            "best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))\n"
            "print(2 * 4096 ** 3 / best / 1e9)")
    return float(subprocess.run([python, "-c", code], capture_output=True, text=True,
                                env=env, check=True).stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=5, help="timed steps of each (after a warm-up)")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--sphaera", default=str(ROOT / "target" / "release" / "sphaera"))
    p.add_argument("--write", help="replace the table between the compare markers in this file")
    args = p.parse_args()
    python = os.environ.get("PEERS_PYTHON", str(Path.home() / "peers" / "bin" / "python"))
    ledoh = os.environ.get("LEDOH")
    if not ledoh or not Path(python).exists():
        sys.exit("set LEDOH to an export of ltl-uva/ledoh-torch and PEERS_PYTHON to the peers' "
                 "python (see ../shared/peers/README.md)")
    env = dict(os.environ, LEDOH=ledoh, THREADS=str(args.threads),
               OMP_NUM_THREADS=str(args.threads), PYTHONWARNINGS="ignore")
    rows = []
    for name in args.methods.split(","):
        ours = [a.replace("DIM", str(args.dim)) for a in METHODS[name]]
        ref, ref_mb = timed([python, str(PEER_SCRIPT), name, str(args.n), str(args.dim),
                             str(args.steps)], env)
        mine = {}
        for precision in ("f64", "f32"):
            mine[precision] = timed([args.sphaera, "bench", "step", *ours, "--n", str(args.n),
                                     "--dim", str(args.dim), "--steps", str(args.steps),
                                     "--threads", str(args.threads), "--precision", precision,
                                     "--json"])
        rows.append((name, " ".join(ours), ref["sec_per_step"], mine["f64"][0]["median_seconds"],
                     mine["f32"][0]["median_seconds"], ref_mb, mine["f64"][1]))
        print(f"{name}: reference {ref['sec_per_step']:.4f} s, sphaera "
              f"{mine['f64'][0]['median_seconds']:.4f} s (f64), "
              f"{mine['f32'][0]['median_seconds']:.4f} s (f32)", file=sys.stderr)
    rate = matmul_rate(python, env)
    # The count: one N × N × d product (the Gram matrix); the gradient's second
    # product doubles it, which the text below says.
    flops = 2 * args.n ** 2 * args.dim
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.processor())
    torch_version = subprocess.run([python, "-c", "import torch; print(torch.__version__)"],
                                   capture_output=True, text=True, env=env).stdout.strip()
    lines = [
        f"Measured {datetime.date.today()} on {os.cpu_count()} cores ({cpu}), {args.threads} threads "
        f"each, N = {args.n}, d = {args.dim}, median of {args.steps} steps after a warm-up; "
        f"reference: ledoh-torch + geoopt RiemannianAdam, torch {torch_version}, float32; "
        f"sphaera: `--precision f64` and `--precision f32` (pairwise products in float32; points, "
        f"state and sums in float64). Peak memory is the whole process's (`/usr/bin/time`; "
        f"sphaera's at f64); the reference's includes its final N × N minimum-angle check.",
        "",
        "| reference | sphaera | reference s/step | sphaera f64 s/step | sphaera f32 s/step | speed-up f64 | speed-up f32 | reference peak MB | sphaera peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, ours, ref_s, mine_s, mine32_s, ref_mb, mine_mb in rows:
        lines.append(f"| `{name}` | `{ours}` | {ref_s:.4f} | {mine_s:.4f} | {mine32_s:.4f} | "
                     f"{ref_s / mine_s:.1f}× | {ref_s / mine32_s:.1f}× | {ref_mb:.0f} | {mine_mb:.0f} |")
    floor = flops / (rate * 1e9)
    mmd = next((r for r in rows if r[0] == "mmd"), None)
    lines += ["", f"PyTorch's 4096³ float32 product ran at {rate:.0f} GFLOP/s in the same run, so "
              f"an exact `mmd` step (one N × N × d product, {flops:.2g} floating-point operations; "
              f"the gradient's second product doubles it) has a floor of {floor:.3f} s" + (f"; sphaera's `mmd` step is {mmd[3] / floor:.1f}× that floor in f64 and {mmd[4] / floor:.1f}× in f32." if mmd else ".")]
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = Path(args.write)
        text = path.read_text()
        block = f"{BEGIN}\n{table}\n{END}"
        if BEGIN in text:
            text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        else:
            text += "\n" + block + "\n"
        path.write_text(text)


if __name__ == "__main__":
    main()
