#!/usr/bin/env bash
# Peak memory (maximum resident set, /usr/bin/time -v) of exporting the same
# run headless (`--no-tui`) and through the TUI's path (examples/tui_export.rs:
# the real App, keymap and worker driven without a terminal), on a generated
# file of ROWS customers (default 1,000,000). Fails when the TUI export peaks
# above headless + 10%.
#
#   bench/memory/run.sh                 build, generate, measure
#   ROWS=200000 bench/memory/run.sh     a smaller file
#   WORK=/tmp/mem bench/memory/run.sh   where the file and outputs go (deleted after)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-1000000}"
WORK="${WORK:-$(mktemp -d /tmp/custseg-memory.XXXXXX)}"
TARGET="${CARGO_TARGET_DIR:-target}"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"

cargo build --release --locked --bin custseg --example tui_export >&2
BIN="$TARGET/release/custseg"
TUI="$TARGET/release/examples/tui_export"

"$BIN" sample --rows "$ROWS" --out "$WORK/customers.csv" --force 2>/dev/null

peak_kb() { grep 'Maximum resident set size' "$1" | awk '{print $NF}'; }
seconds() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}'; }

/usr/bin/time -v "$BIN" --no-tui "$WORK/customers.csv" --out "$WORK/headless" --force \
  >/dev/null 2>"$WORK/headless.time"
/usr/bin/time -v "$TUI" "$WORK/customers.csv" "$WORK/tui" 2>"$WORK/tui.time"

headless=$(peak_kb "$WORK/headless.time")
tui=$(peak_kb "$WORK/tui.time")
for f in segmentation_results.csv cluster_summary.csv; do
  cmp -s "$WORK/headless/$f" "$WORK/tui/$f" || echo "note: $f differs between the faces"
done
echo "customers:     $ROWS"
echo "headless peak: $((headless / 1024)) MiB  ($(seconds "$WORK/headless.time"))"
echo "TUI peak:      $((tui / 1024)) MiB  ($(seconds "$WORK/tui.time"))"
awk -v t="$tui" -v h="$headless" 'BEGIN {
  printf "TUI / headless: %.3f (limit 1.100)\n", t / h
  exit !(t <= h * 1.10)
}'
