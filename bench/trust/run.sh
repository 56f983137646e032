#!/usr/bin/env bash
# What the trust checks cost (issue 15): the default headless run on ROWS
# generated customers (default 1,000,000) against the same run with the gap
# statistic and the stability check turned off (--gap-references 0
# --stability-resamples 0), side by side, REPS times each, alternating.
# Prints the median wall time of each, the per-stage medians from --json,
# and the ratio; fails when the checks add more than 50%.
#
#   bench/trust/run.sh                 build, generate, measure
#   ROWS=200000 REPS=5 bench/trust/run.sh
#   WORK=/tmp/trust bench/trust/run.sh    where the file and outputs go (deleted after)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-1000000}"
REPS="${REPS:-3}"
WORK="${WORK:-$(mktemp -d /tmp/custseg-trust.XXXXXX)}"
TARGET="${CARGO_TARGET_DIR:-target}"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"

cargo build --release --locked --bin custseg >&2
BIN="$TARGET/release/custseg"
"$BIN" sample --rows "$ROWS" --seed 7 --out "$WORK/customers.csv" --force 2>/dev/null

run() { # name, extra flags...
  local name=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$BIN" --no-tui "$WORK/customers.csv" --out "$WORK/out-$name" --force --json "$@" \
    >"$WORK/$name.$rep.json" 2>/dev/null
  end=$(date +%s.%N)
  echo "$start $end" >"$WORK/$name.$rep.wall"
}

for rep in $(seq 1 "$REPS"); do
  run off --gap-references 0 --stability-resamples 0
  run on
done

python3 - "$WORK" "$REPS" "$ROWS" <<'PY'
import json, statistics, sys
work, reps, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    def wall(r):
        start, end = map(float, open(f"{work}/{name}.{r}.wall").read().split())
        return end - start
    walls = [wall(r) for r in range(1, reps + 1)]
    stages = [json.load(open(f"{work}/{name}.{r}.json"))["seconds"] for r in range(1, reps + 1)]
    med = {s: statistics.median(x[s] for x in stages) for s in stages[0]}
    return statistics.median(walls), med, json.load(open(f"{work}/{name}.1.json"))
off_wall, off_st, _ = load("off")
on_wall, on_st, on = load("on")
print(f"customers: {rows:,}, {reps} runs each (median)")
print(f"{'stage':<10}{'checks off':>12}{'default':>12}")
for s in off_st:
    print(f"{s:<10}{off_st[s]:>11.2f}s{on_st[s]:>11.2f}s")
print(f"{'wall':<10}{off_wall:>11.2f}s{on_wall:>11.2f}s")
ratio = on_wall / off_wall
print(f"default / checks off: {ratio:.2f}x (the checks add {100 * (ratio - 1):.0f}%)")
print(f"verdict {on['structure']['verdict']}, K={on['k']}, stability "
      + ", ".join(f"{s['stability']:.2f}" for s in on["segments"])
      + f"; rules agreement {on['rules']['agreement']:.3f}, cost ratio {on['rules']['cost_ratio']:.3f}")
sys.exit(0 if ratio <= 1.5 else 1)
PY
