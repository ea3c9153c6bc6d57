#!/usr/bin/env bash
# The comparison report's pictures are drawn in a browser: builds a report on a tiny
# hierarchy with the CLI, takes a screenshot of it in headless Chromium, and checks the
# screenshot with report_pixels.py (every model's colour in every picture's legend, the page
# not blank and inside the window). A few seconds.
# Usage: .ci/report_renders.sh   (CHROMIUM=path/to/browser to use another one)
set -euo pipefail
cd "$(dirname "$0")/.."

browser="${CHROMIUM:-chromium}"
if ! command -v "$browser" >/dev/null 2>&1; then
  echo "report_renders: no $browser; install Debian's chromium (see .ci/run)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Four models at d = 2 under two protocols: three pictures with a legend (test F1 against
# the split's share at d = 2, and each protocol's figures against training time).
models=spherex,poincare,order,box
IFS=, read -ra listed <<<"$models"
if ! cargo run --quiet --locked -p sphaera-cli --bin sphaera -- hierarchy compare \
  --edges .ci/report_tree.tsv --models "$models" --dims 2 \
  --protocol reconstruction,split:25 --epochs 5 --seeds 0 --out "$work/compare" \
  >"$work/compare.log" 2>&1; then
  cat "$work/compare.log" >&2
  exit 1
fi

# Tall enough for the whole page (report_pixels.py fails if the page reaches the bottom).
if ! timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --force-device-scale-factor=1 --user-data-dir="$work/profile" \
  --window-size=1400,5000 --screenshot="$work/report.png" \
  "file://$work/compare/report.html" >"$work/browser.log" 2>&1 ||
  [[ ! -s "$work/report.png" ]]; then
  cat "$work/browser.log" >&2
  echo "report_renders: $browser made no screenshot" >&2
  exit 1
fi

python3 .ci/report_pixels.py "$work/report.png" \
  --palette crates/sphaera/src/hierarchy/report.rs --models "${#listed[@]}" --legends 3
