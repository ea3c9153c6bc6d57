#!/usr/bin/env bash
# sphaera against the PyTorch reference (ledoh-torch + geoopt), one step per method, same
# machine, one after the other; writes the ratio table into BENCHMARKS.md.
# Needs LEDOH and the peers' Python (PEERS_PYTHON); see ../shared/peers/README.md.
# Usage: bench/compare.sh [--n N] [--dim D] [--threads P] [--steps T] [--methods a,b]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec python3 bench/compare.py --write BENCHMARKS.md "$@"
