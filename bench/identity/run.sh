#!/usr/bin/env bash
# What segment identity costs on ROWS customers (default 1,000,000), issue
# 16: a release headless run writes a model.json, then
# examples/identity_cost.rs times, on that model's centres with ROWS
# customer labels, the canonical renumbering of one fit, following the
# model as --previous (centre matching + relabelling) and applying label
# edits by identity (median of REPS). Then the whole run again with
# --previous, to set the figures against the cluster stage (per K of the
# sweep the run renumbers and follows once).
#
#   bench/identity/run.sh
#   ROWS=200000 REPS=5 WORK=/tmp/id bench/identity/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-1000000}"
REPS="${REPS:-5}"
WORK="${WORK:-$(mktemp -d /tmp/custseg-identity.XXXXXX)}"
TARGET="${CARGO_TARGET_DIR:-target}"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"

cargo build --release --locked --bin custseg --example identity_cost >&2
BIN="$TARGET/release/custseg"
"$BIN" sample --rows "$ROWS" --seed 7 --out "$WORK/customers.csv" --force 2>/dev/null
"$BIN" --no-tui "$WORK/customers.csv" --out "$WORK/a" --force --json >"$WORK/a.json" 2>/dev/null
"$TARGET/release/examples/identity_cost" "$WORK/a/model.json" "$ROWS" "$REPS"
"$BIN" --no-tui "$WORK/customers.csv" --out "$WORK/b" --force --json --seed 11 \
  --previous "$WORK/a/model.json" >"$WORK/b.json" 2>/dev/null
python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
for name in ("a", "b"):
    v = json.load(open(f"{w}/{name}.json"))
    s = v["seconds"]
    print(f"run {name}{' (--previous)' if name == 'b' else ''}: cluster stage {s.get('cluster', float('nan')):.2f} s, whole run {sum(s.values()):.2f} s")
PY
