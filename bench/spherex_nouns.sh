#!/usr/bin/env bash
# SpheREx on the WordNet noun closure (82,115 nodes, 743,241 edges): reconstruction at
# d = 10, and link prediction (Ganea et al.'s protocol) at 0/10/25/50% for d = 10 and 5 in
# both regimes, over three seeds (each seed its own split). Every run's JSON goes to
# $RESULTS (default bench/results/spherex_nouns.jsonl); Markdown tables are printed at the end.
# Needs WordNet 3.0 (`apt-get install wordnet-base`). About 70 minutes on 2 cores.
# Usage: bench/spherex_nouns.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sphaera
results=${RESULTS:-bench/results/spherex_nouns.jsonl}
mkdir -p "$(dirname "$results")"
nouns=$(mktemp -d)/nouns.tsv
$bin data wordnet --out "$nouns"

# More training edges per epoch at higher percentages: fewer epochs there.
epochs_for() { case $1 in 0) echo 200 ;; 10) echo 100 ;; 25) echo 80 ;; *) echo 60 ;; esac; }

if [ -z "${SKIP_TRAINING:-}" ]; then
  : >"$results"
  $bin hierarchy train --edges "$nouns" --epochs 300 --eval-every 50 --json >>"$results"
  for seed in 0 1 2; do
    for dim in 10 5; do
      for percent in 0 10 25 50; do
        epochs=$(epochs_for "$percent")
        common=(--edges "$nouns" --dim "$dim" --protocol "split:$percent" --epochs "$epochs"
          --eval-every 10 --seed "$seed" --json)
        $bin hierarchy train "${common[@]}" --regime published >>"$results"
        $bin hierarchy train "${common[@]}" --regime closure-aware \
          --edge-sampling sqrt-descendants >>"$results"
      done
    done
  done
fi

python3 - "$results" <<'PY'
import collections, json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
for r in runs:
    if r["protocol"] == "reconstruction":
        print(f"reconstruction d={r['dim']}, {r['epochs']} epochs: MAP {r['map']:.4f}, "
              f"mean rank {r['mean_rank']:.3f}, {r['seconds_per_epoch']:.2f} s per epoch")
cells = collections.defaultdict(list)
for r in runs:
    if r["protocol"].startswith("split:"):
        cells[(r["dim"], r["regime"], int(r["protocol"][6:]))].append(100 * r["test_f1"])
print()
print("| d | regime | 0% | 10% | 25% | 50% |")
print("|---|---|---|---|---|---|")
for dim in (10, 5):
    for regime in ("published", "closure-aware"):
        row = f"| {dim} | {regime} |"
        for percent in (0, 10, 25, 50):
            f1 = cells.get((dim, regime, percent), [])
            if len(f1) > 1:
                row += f" {statistics.mean(f1):.1f} ± {statistics.stdev(f1):.1f} (n={len(f1)}) |"
            elif f1:
                row += f" {f1[0]:.1f} (n=1) |"
            else:
                row += " – |"
        print(row)
PY
