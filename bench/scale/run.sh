#!/usr/bin/env bash
# The whole headless job at two sizes, side by side: time per stage, peak
# resident memory (/usr/bin/time -v) and its ratio to the CSV's size, and how
# much each stage grows from the small size to the big one (10x the rows
# should cost about 10x the time: more means a stage grows worse than
# linearly). Not a test: run it on a quiet machine and read the figures.
#
#   bench/scale/run.sh                          1M and 10M customers
#   SMALL=200000 BIG=2000000 bench/scale/run.sh  smaller sizes
#   WORK=/tmp/scale bench/scale/run.sh          where files go (deleted after)
#   NO_BUILD=1 bench/scale/run.sh               use the release binary as built
set -euo pipefail
cd "$(dirname "$0")/../.."
SMALL="${SMALL:-1000000}"
BIG="${BIG:-10000000}"
WORK="${WORK:-$(mktemp -d /tmp/custseg-scale.XXXXXX)}"
TARGET="${CARGO_TARGET_DIR:-target}"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked --bin custseg >&2
BIN="$TARGET/release/custseg"

run() {
  local rows=$1
  "$BIN" sample --rows "$rows" --out "$WORK/c$rows.csv" --force 2>/dev/null
  /usr/bin/time -v "$BIN" --no-tui "$WORK/c$rows.csv" --out "$WORK/out$rows" --force \
    >/dev/null 2>"$WORK/run$rows.log"
  rm -rf "$WORK/out$rows"
}
stage_secs() { grep -E '^\[[a-z]+\] done in' "$1" | sed -E 's/^\[([a-z]+)\] done in ([0-9.]+) s/\1 \2/'; }
peak_kb() { grep 'Maximum resident set size' "$1" | awk '{print $NF}'; }
wall() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}'; }

run "$SMALL"
run "$BIG"
for rows in "$SMALL" "$BIG"; do
  bytes=$(stat -c %s "$WORK/c$rows.csv")
  kb=$(peak_kb "$WORK/run$rows.log")
  awk -v r="$rows" -v b="$bytes" -v k="$kb" -v w="$(wall "$WORK/run$rows.log")" 'BEGIN {
    printf "%d customers: CSV %.0f MB, wall %s, peak RSS %.0f MiB = %.2fx the CSV\n",
      r, b / 1e6, w, k / 1024, k * 1024 / b }'
done
echo "stage        ${SMALL}    ${BIG}   growth (rows x$((BIG / SMALL)))"
join <(stage_secs "$WORK/run$SMALL.log" | sort) <(stage_secs "$WORK/run$BIG.log" | sort) |
  awk '{ printf "%-10s %7.2f s %7.2f s   %5.1fx\n", $1, $2, $3, ($2 > 0 ? $3 / $2 : 0) }'
