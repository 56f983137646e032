#!/usr/bin/env bash
# End-to-end benchmark: custseg --no-tui vs the same workflow in Python
# (pandas + scikit-learn + matplotlib) on a 1M-customer file, side by side.
# Usage: bench/e2e/run.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
mkdir -p bench/data
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c "import pandas, sklearn, matplotlib" 2>/dev/null ||
  bench/.venv/bin/pip install --quiet pandas numpy scikit-learn matplotlib
cargo build --release --quiet --bin custseg
FILE="bench/data/customers_${ROWS}.csv"
[ -f "$FILE" ] || "${CARGO_TARGET_DIR:-target}"/release/custseg sample --rows "$ROWS" --seed 7 --out "$FILE"
export OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2
bench/.venv/bin/python bench/e2e/compare.py "$FILE" "${CARGO_TARGET_DIR:-target}"/release/custseg bench/.venv/bin/python
