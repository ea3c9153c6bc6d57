#!/usr/bin/env bash
# What each method reaches with its defaults: 24 points in R^3 (best known 43.6908°),
# 2000 steps of Riemannian Adam from a uniform random start (seed 0).
# Usage: bench/defaults.sh   (prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sphaera
echo "| method | min angle (°) | gap (°) | mean NN angle (°) | Riesz 1-energy | seconds |"
echo "|---|---|---|---|---|---|"
while read -r label args; do
  # shellcheck disable=SC2086
  $bin disperse $args --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(f\"| {sys.argv[1]} | {d['min_angle_deg']:.3f} | {d['gap_deg']:.3f} | {d['mean_nn_angle_deg']:.3f} | {d['riesz_energy']:.4f} | {d['seconds']:.2f} |\")
" "$label"
done <<'METHODS'
start --steps 0
mmd --method mmd
mmd-laplace --method mmd --kernel laplace
mmd-riesz --method mmd --kernel riesz --s 1
mmd-gaussian-geodesic --method mmd --distance geodesic
uniformity --method uniformity
mhe --method mhe
mma --method mma
mmcs --method mmcs
koleo --method koleo
lloyd --method lloyd
sliced --method sliced
sliced-axis --method sliced-axis
ssw --method ssw
METHODS
