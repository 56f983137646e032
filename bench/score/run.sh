#!/usr/bin/env bash
# Scoring 1M customers: `custseg score` against DuckDB running the statement
# `custseg sql --dialect duckdb` writes, side by side (release build).
#
# The model is fitted on the bundled 3,000-customer sample (fit on a sample
# on one server); the 1M customers come from the same generator
# (`custseg sample`). Both sides write one CSV row per customer; both are
# timed as the best of RUNS. DuckDB is timed twice: the statement on a
# table already loaded (a warehouse's case) and load + statement (custseg's
# case: it reads the CSV file every time). Every customer's segment is
# compared at the end.
#
# Usage: bench/score/run.sh      Environment: ROWS (1000000), RUNS (3), VENV.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --locked --quiet --bin custseg
BIN=$TARGET/release/custseg
VENV=${VENV:-bench/.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb" 2>/dev/null || "$VENV/bin/pip" install --quiet duckdb

WORK=$(mktemp -d /tmp/custseg-score-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BIN" sample --rows "$ROWS" --out "$WORK/customers.csv" >/dev/null 2>&1
"$BIN" --no-tui samples/customers_en.csv --out "$WORK/run" >/dev/null 2>&1
"$BIN" sql --model "$WORK/run/model.json" --dialect duckdb --table customers >"$WORK/score.sql"

times=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s.%N)
  "$BIN" score --model "$WORK/run/model.json" "$WORK/customers.csv" --out "$WORK/scored.csv" --force >/dev/null 2>&1
  t1=$(date +%s.%N)
  times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
done
best=$(printf '%s\n' "${times[@]}" | sort -g | head -1)
echo "custseg score $("$BIN" --version 2>/dev/null | head -1): ${best} s (best of ${times[*]})"

"$VENV/bin/python" - "$WORK" "$RUNS" "$best" "$ROWS" <<'PY'
import csv, os, sys, time
import duckdb
work, runs, custseg_s, rows = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
sql = open(os.path.join(work, "score.sql"), encoding="utf-8").read().strip().rstrip(";")
out = os.path.join(work, "duckdb.csv")
src = os.path.join(work, "customers.csv")

def once(load):
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute("CREATE TABLE customers AS SELECT * FROM read_csv(?, header = true)", [src])
    t1 = time.perf_counter()
    con.execute(f"COPY ({sql}) TO '{out}' (HEADER)")
    t2 = time.perf_counter()
    con.close()
    return (t2 - t0) if load else (t2 - t1)

query = min(once(False) for _ in range(runs))
both = min(once(True) for _ in range(runs))
print(f"DuckDB {duckdb.__version__}, the statement on a loaded table: {query:.2f} s")
print(f"DuckDB {duckdb.__version__}, load the CSV + the statement:    {both:.2f} s")
print(f"{rows} customers   custseg score {custseg_s:.2f} s | DuckDB statement {query:.2f} s "
      f"(custseg/DuckDB {custseg_s / query:.2f}) | DuckDB load+statement {both:.2f} s "
      f"(custseg/DuckDB {custseg_s / both:.2f})")
with open(os.path.join(work, "scored.csv"), encoding="utf-8") as f:
    want = {r[0]: r[1] for r in csv.reader(f)}
with open(out, encoding="utf-8") as f:
    got = {r[0]: r[1] for r in csv.reader(f)}
want.pop("customer_id", None); got.pop("customer_id", None)
agree = sum(1 for k, v in want.items() if got.get(k) == v)
print(f"agreement: {agree} of {len(want)} customers in the same segment")
sys.exit(0 if agree == len(want) else 1)
PY
