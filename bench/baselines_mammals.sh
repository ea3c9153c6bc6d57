#!/usr/bin/env bash
# The order-embedding and Gumbel-box baselines on the WordNet mammal closure (the embedded
# default), trained by SpheREx's trainer with the CLI's defaults: reconstruction at d = 10 and
# d = 5, and link prediction on the 25% split in the published regime, over three seeds.
# Prints Markdown tables.
# Usage: bench/baselines_mammals.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sphaera

echo "| model | d | epochs | MAP (seeds 0, 1, 2) | mean rank (seeds 0, 1, 2) | seconds per epoch |"
echo "|---|---|---|---|---|---|"
for run in "order 10 500" "order 5 500" "box 10 100" "box 5 100"; do
  set -- $run
  for seed in 0 1 2; do
    $bin hierarchy train --model "$1" --dim "$2" --epochs "$3" --seed "$seed" --json
  done | python3 -c "
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
d = runs[0]
maps = ' / '.join(f\"{r['map']:.4f}\" for r in runs)
ranks = ' / '.join(f\"{r['mean_rank']:.3f}\" for r in runs)
speed = statistics.mean(r['seconds_per_epoch'] for r in runs)
print(f\"| {d['model']} | {d['dim']} | {d['epochs']} | {maps} | {ranks} | {speed:.4f} |\")"
done
echo
echo "| model | d | epochs | test F1 % (split:25, published) | seconds per epoch |"
echo "|---|---|---|---|---|"
for run in "order 10 500" "box 10 200" "order 5 500" "box 5 200"; do
  set -- $run
  for seed in 0 1 2; do
    $bin hierarchy train --model "$1" --dim "$2" --protocol split:25 --regime published \
      --epochs "$3" --seed "$seed" --json
  done | python3 -c "
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
d = runs[0]
f1 = [100 * r['test_f1'] for r in runs]
speed = statistics.mean(r['seconds_per_epoch'] for r in runs)
print(f\"| {d['model']} | {d['dim']} | {d['epochs']} | {statistics.mean(f1):.1f} ± {statistics.stdev(f1):.1f} | {speed:.4f} |\")"
done
