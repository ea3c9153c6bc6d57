#!/usr/bin/env bash
# Every model of `sphaera hierarchy compare` (SpheREx balls and caps, Euclidean and Poincaré
# points, order embeddings, Euclidean and hyperbolic entailment cones, Gumbel boxes) on
# identical data, each table made by one compare command; and Poincaré against gensim's
# PoincareModel side by side.
#
# Usage:
#   bench/baselines.sh mammals [DIR]   reconstruction of the mammal closure, d = 2, 5, 10,
#                                      seeds 0, 1, 2, 300 epochs (about 20 minutes on 2 cores)
#   bench/baselines.sh nouns [DIR]     link prediction on the noun closure at 0/10/25/50%,
#                                      d = 5 and 10, seed 0, 30 epochs (about an hour and a
#                                      half)
#   bench/baselines.sh gensim          seconds per epoch on the noun closure, d = 10:
#                                      sphaera `poincare` and gensim, one after the other
# DIR keeps every run's JSON and model file; run again with the same DIR to resume.
# table.md and report.html land in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sphaera
nouns=${NOUNS:-/tmp/sphaera-nouns.tsv}
[[ -f $nouns ]] || $bin data wordnet --out "$nouns"

case ${1:-} in
  mammals)
    $bin hierarchy compare --dims 2,5,10 --epochs 300 --seeds 0,1,2 \
      --out "${2:-bench/results/compare-mammals}"
    ;;
  nouns)
    $bin hierarchy compare --edges "$nouns" --dims 5,10 --epochs 30 --seeds 0 \
      --protocol split:0,split:10,split:25,split:50 --out "${2:-bench/results/compare-nouns}"
    ;;
  gensim)
    python=${PEERS_PYTHON:-python3}
    for round in 1 2; do
      $bin hierarchy train --model poincare --edges "$nouns" --dim 10 --epochs 2 \
        --eval-every 100 --json | python3 -c \
        "import json,sys; d=json.load(sys.stdin); print('sphaera poincare s/epoch', round(d['seconds_per_epoch'], 3))"
      $python ../shared/peers/gensim_poincare_epoch.py "$nouns" 10
    done
    ;;
  *)
    sed -n '2,16p' "$0"
    exit 2
    ;;
esac
