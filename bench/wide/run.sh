#!/usr/bin/env bash
# Wide generic tables: the whole headless run (export included) on tables of
# 200 customers with 1,000 and 10,000 numeric columns, timed per stage.
# Before the subspace-iteration PCA and the tiled correlation, 200 x 1,000
# spent minutes in export and 200 x 10,000 never finished (and needed
# 2.4 GB for three d x d buffers). Not a timed test: prints the figures.
# Usage: bench/wide/run.sh [COLUMNS...]   (default 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet --bin custseg
BIN="${CARGO_TARGET_DIR:-target}/release/custseg"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for D in "${@:-1000 10000}"; do
  for d in $D; do
    python3 - "$WORK/wide_$d.csv" "$d" <<'PY'
import random, sys
path, d = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
with open(path, "w") as f:
    f.write(",".join(f"c{j}" for j in range(d)) + "\n")
    for i in range(200):
        f.write(",".join(f"{rng.gauss(0, 1) + (i % 3) * 2:.4f}" for _ in range(d)) + "\n")
PY
    echo "== 200 customers x $d columns"
    /usr/bin/time -f "wall %e s, peak RSS %M KB" \
      "$BIN" --no-tui "$WORK/wide_$d.csv" --out "$WORK/out_$d" --k 3 2>&1 >/dev/null |
      grep -E "done in|wall"
  done
done
