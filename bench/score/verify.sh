#!/usr/bin/env bash
# custseg sql --dialect duckdb checked in DuckDB (Python package): every
# customer's segment and label must equal `custseg score`.
# Scope (first slice): the English sample, whose cells DuckDB's read_csv
# types as custseg does. The Chinese/hostile tables need custseg's reading of
# messy cells; tests/score_sql.rs covers those in SQLite and PostgreSQL.
# Usage: bench/score/verify.sh [BIN]   (default: $CARGO_TARGET_DIR/debug/custseg)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/custseg}
VENV=${VENV:-bench/.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb" 2>/dev/null || "$VENV/bin/pip" install --quiet duckdb
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SAMPLE=samples/customers_en.csv
"$BIN" --no-tui "$SAMPLE" --out "$WORK/run" >/dev/null 2>&1
"$BIN" score --model "$WORK/run/model.json" "$SAMPLE" --out "$WORK/scored.csv" >/dev/null 2>&1
"$BIN" sql --model "$WORK/run/model.json" --dialect duckdb --table customers >"$WORK/score.sql"
"$VENV/bin/python" - "$SAMPLE" "$WORK/score.sql" "$WORK/scored.csv" <<'PY'
import csv, sys, duckdb
sample, sql, scored = sys.argv[1:]
con = duckdb.connect()
con.execute("CREATE TABLE customers AS SELECT * FROM read_csv(?, header=true)", [sample])
rows = con.execute(open(sql, encoding="utf-8").read()).fetchall()
want = {r["customer_id"]: (int(r["segment"]), r["label"]) for r in csv.DictReader(open(scored, encoding="utf-8"))}
agree = sum(1 for r in rows if want.get(r[0]) == (r[1], r[2]))
print(f"duckdb {duckdb.__version__} {sample}: {agree} of {len(want)} customers agree with custseg score ({len(rows)} rows)")
sys.exit(0 if agree == len(want) == len(rows) else 1)
PY
