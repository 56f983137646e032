#!/usr/bin/env bash
# `custseg sql` checked in real engines: every customer's segment and label
# from the statement must equal `custseg score` on the same file.
#
# - DuckDB (Python package) and Spark SQL (pyspark, the machine's Java) run
#   the statement on every bundled sample: customers_en.csv, the messy
#   Chinese customers_cn_gbk.csv, the transaction log transactions.csv (also
#   with --as-of). The table is loaded as text columns, as custseg reads the
#   file's cells (examples/warehouse_table.rs); the statement casts them.
# - sqlglot parses the statement of every dialect that cannot run here
#   (oracle, sqlserver, teradata, bigquery, snowflake, trino, hive, mysql)
#   in its own dialect.
# SQLite and PostgreSQL are checked by tests/export/score_sql.rs.
#
# Usage: bench/score/verify.sh            (debug build; PROFILE=release for release)
# Environment: VENV (default bench/.venv), CARGO_TARGET_DIR, NO_BUILD=1 to use
# the binaries already built (`cargo test` builds both; .ci/run uses them).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
PROFILE=${PROFILE:-debug}
TARGET=${CARGO_TARGET_DIR:-target}
build=(cargo build --locked --quiet --bin custseg --example warehouse_table)
[ "$PROFILE" = release ] && build+=(--release)
[ -n "${NO_BUILD:-}" ] || "${build[@]}"
BIN=$TARGET/$PROFILE/custseg
TABLE=$TARGET/$PROFILE/examples/warehouse_table

VENV=${VENV:-bench/.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb, pyspark, sqlglot" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet duckdb pyspark sqlglot

# Spark needs Java 17 or later; install it where we may.
if ! command -v java >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if command -v java >/dev/null 2>&1; then
  java -version 2>&1 | head -1
else
  export SKIP_SPARK="no Java on this machine"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DIALECTS="duckdb spark oracle sqlserver teradata bigquery snowflake trino hive mysql"

# prepare NAME FILE TABLE [--as-of DATE]
prepare() {
  local name=$1 file=$2 table=$3
  shift 3
  local dir=$WORK/$name
  mkdir -p "$dir"
  "$BIN" --no-tui "$file" --out "$dir/run" >/dev/null 2>&1
  "$BIN" score --model "$dir/run/model.json" "$file" --out "$dir/scored.csv" "$@" >/dev/null 2>&1
  "$TABLE" "$file" "$dir/table.csv"
  printf '%s\n' "$table" >"$dir/table.txt"
  for d in $DIALECTS; do
    "$BIN" sql --model "$dir/run/model.json" --dialect "$d" --table "$table" "$@" >"$dir/$d.sql"
  done
  CASES+=("$dir")
}

CASES=()
prepare customers_en samples/customers_en.csv customers
prepare customers_cn_gbk samples/customers_cn_gbk.csv customers_cn
prepare transactions samples/transactions.csv transactions
prepare transactions_as_of_2023-06-30 samples/transactions.csv transactions --as-of 2023-06-30

echo "prepared $(( ${#CASES[@]} )) cases in $(( $(date +%s) - started )) s"
status=0
"$VENV/bin/python" bench/score/verify.py "$WORK" "${CASES[@]}" || status=$?
echo "verify.sh: $(( $(date +%s) - started )) s"
exit $status
