#!/usr/bin/env bash
# Load benchmark: custseg vs pandas.read_csv on a 1M-customer file, side by side.
# Usage: bench/load/run.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
DATA=bench/data
mkdir -p "$DATA"
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet pandas numpy scikit-learn matplotlib
fi
cargo build --release --quiet --bin custseg --example bench_load
FILE="$DATA/customers_${ROWS}.csv"
[ -f "$FILE" ] || "${CARGO_TARGET_DIR:-target}"/release/custseg sample --rows "$ROWS" --seed 7 --out "$FILE"
bench/.venv/bin/python bench/load/compare.py "$FILE" "${CARGO_TARGET_DIR:-target}"/release/examples/bench_load --repeat 3
