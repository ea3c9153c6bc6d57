#!/usr/bin/env bash
# SpheREx on the WordNet mammal closure (the embedded default): reconstruction at d = 10 and
# d = 2, and link prediction (Ganea et al.'s protocol) at 0/10/25/50% in both regimes, over
# three seeds. Prints Markdown tables.
# Usage: bench/spherex_mammals.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sphaera

echo "| model | d | epochs | MAP (seeds 0, 1, 2) | mean rank (seeds 0, 1, 2) | seconds per epoch |"
echo "|---|---|---|---|---|---|"
for run in "spherex 10 150" "spherex 2 300" "caps 10 150" "caps 3 300"; do
  set -- $run
  for seed in 0 1 2; do
    $bin hierarchy train --model "$1" --dim "$2" --epochs "$3" --seed "$seed" --json
  done | python3 -c "
import json, sys
runs = [json.loads(line) for line in sys.stdin]
d = runs[0]
maps = ' / '.join(f\"{r['map']:.4f}\" for r in runs)
ranks = ' / '.join(f\"{r['mean_rank']:.3f}\" for r in runs)
print(f\"| {d['model']} | {d['dim']} | {d['epochs']} | {maps} | {ranks} | {d['seconds_per_epoch']:.4f} |\")"
done
echo
echo "| d | regime | 0% | 10% | 25% | 50% |"
echo "|---|---|---|---|---|---|"
for dim in 10 5; do
  for regime in published closure-aware; do
    row="| $dim | $regime |"
    for percent in 0 10 25 50; do
      cell=$(for seed in 0 1 2; do
        $bin hierarchy train --dim "$dim" --protocol "split:$percent" --regime "$regime" --epochs 200 --seed "$seed" --json
      done | python3 -c "
import json, statistics, sys
f1 = [100 * json.loads(line)['test_f1'] for line in sys.stdin]
print(f'{statistics.mean(f1):.1f} ± {statistics.stdev(f1):.1f}')")
      row="$row $cell |"
    done
    echo "$row"
  done
done
