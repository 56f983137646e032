#!/usr/bin/env bash
# `custseg pmml` checked in the reference PMML engine: JPMML-Evaluator (the
# Python package jpmml_evaluator, which bundles its Java jars) on the
# machine's Java. For every customer of every case below, the document's
# segment, label and action must equal what `custseg score` writes for the
# same file and as-of date: 100% or the script fails.
#
# The engine gets the table as a warehouse holds it (examples/pmml_table):
# numbers and dates as custseg reads the file's cells; for a model trained
# on a transaction log, the per-customer table custseg aggregates it to
# (PMML cannot group rows). In the generated hostile table the text columns
# are the file's raw cells (padding, `n/a`, `NULL`, ideographic spaces), so
# the document's own trimming and missing markers are what is checked.
#
# Cases: customers_en.csv; customers_cn_gbk.csv (GBK, Chinese names,
# missing and invalid values, `1,234` amounts); transactions.csv (a log);
# a generated hostile table (invalid ages and counts, negative balances,
# dates before 1900 and in the future, a typo year 2099, odd column names
# with quotes, `&` and `<`, one-hot text); each also with an as-of date
# given to both sides (earlier: dates after it are invalid; later).
# Also: two centres at the same distance go to the first (custseg's tie
# rule is the lowest segment number, and clusters are written in order).
#
# Usage: bench/score/verify_pmml.sh [BIN [TABLE_TOOL]]
#   BIN         custseg binary (default: $CARGO_TARGET_DIR/debug/custseg)
#   TABLE_TOOL  examples/pmml_table binary (built when missing)
set -euo pipefail
started=$(date +%s)
cd "$(dirname "$0")/../.."
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${1:-$TARGET/debug/custseg}
TOOL=${2:-$TARGET/debug/examples/pmml_table}
[ -x "$BIN" ] || cargo build --locked --quiet
[ -x "$TOOL" ] || cargo build --locked --quiet --example pmml_table
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "verify_pmml: needs Java (java on PATH) for JPMML" >&2
    exit 1
  fi
fi
VENV=${VENV:-bench/.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import jpmml_evaluator, pandas" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet "jpmml_evaluator==0.16.0" pandas
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The hostile table: seeded, so every run checks the same rows.
"$VENV/bin/python" - "$WORK/hostile.csv" <<'PY'
import datetime, random, sys
rnd = random.Random(7)
cols = ['客户 "编号"', "age", "性别", "branch", '余额 <"¥"> & co', "txn_count",
        "txn_amount", "last_txn", "opened", "products"]
genders = ["M", "F", " F ", "n/a", "", "NULL", "女", "m", "\u3000男 ", "-", "None"]
branches = ["North", "South", "East", "West", " east", "NA", "\tWest\u00a0"]
def day(base, n):
    return (datetime.date(2000, 1, 1) + datetime.timedelta(days=base + n)).isoformat()
def pick(r, cases, otherwise):
    return cases.get(r, otherwise)
q = lambda s: '"' + s.replace('"', '""') + '"'
lines = [",".join(q(c) for c in cols)]
for i in range(1200):
    age = pick(rnd.randrange(100), {0: "", 1: "", 2: "230", 3: "-4", 4: "NULL", 5: "120", 6: "0"},
               str(18 + rnd.randrange(70)))
    bal = pick(rnd.randrange(50), {0: "-1250.5", 1: "", 2: "98765432.1", 3: "-0.01"},
               f"{rnd.randrange(400000)}.{rnd.randrange(100):02d}")
    cnt = pick(rnd.randrange(40), {0: "-3", 1: "N/A"}, str(rnd.randrange(300)))
    amt = f"{rnd.randrange(2000000)}.{rnd.randrange(100):02d}"
    last = pick(rnd.randrange(200), {1: "1850-03-01", 2: "", 3: "", 4: "1900-01-01"},
                day(8700, rnd.randrange(500)))
    last = "2099-12-31" if i == 17 else last
    opened = pick(rnd.randrange(60), {0: ""}, day(0, rnd.randrange(8900)))
    opened = "2031-05-05" if i in (40, 41) else "2000-02-29" if i % 97 == 0 else opened
    prod = pick(rnd.randrange(30), {0: "-1"}, str(1 + rnd.randrange(8)))
    row = [f"H{i:05d}", age, rnd.choice(genders), rnd.choice(branches), bal, cnt, amt,
           last, opened, prod]
    lines.append(",".join(q(v) for v in row))
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY

HOSTILE_FLAGS=(--one-hot --max-missing 0.5 --map 'balance=余额 <"¥"> & co'
  --map last_date=last_txn --map open_date=opened)
CASES=$WORK/cases.tsv
: >"$CASES"

# fit NAME FILE [FLAGS...]: train a model on FILE.
fit() {
  local name=$1 file=$2
  shift 2
  "$BIN" --no-tui "$file" --out "$WORK/$name" "$@" >/dev/null 2>"$WORK/$name.log" \
    || { cat "$WORK/$name.log" >&2; exit 1; }
}

# check CASE NAME FILE RAW_TEXT [AS_OF]: the document, `custseg score` and
# the engine's table for one model, file and as-of date.
check() {
  local case=$1 name=$2 file=$3 raw=$4 given=${5:-}
  local model=$WORK/$name/model.json as_of
  as_of=${given:-$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["clean"]["as_of"])' "$model")}
  local extra=()
  [ -n "$given" ] && extra=(--as-of "$given")
  "$BIN" pmml --model "$model" --out "$WORK/$case.pmml" "${extra[@]}" >/dev/null
  "$BIN" score --model "$model" "$file" --out "$WORK/$case.scored.csv" --as-of "$as_of" \
    >/dev/null 2>&1
  "$TOOL" "$model" "$file" "$WORK/$case.table.csv" "$as_of"
  printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$(basename "$file")" "$as_of" "${given:+given}" "$raw" >>"$CASES"
}

fit en samples/customers_en.csv
check en en samples/customers_en.csv -
check en-later en samples/customers_en.csv - 2025-03-31
fit cn samples/customers_cn_gbk.csv
check cn cn samples/customers_cn_gbk.csv -
check cn-earlier cn samples/customers_cn_gbk.csv - 2024-06-10
fit log samples/transactions.csv
check log log samples/transactions.csv -
check log-earlier log samples/transactions.csv - 2024-05-31
fit hostile "$WORK/hostile.csv" "${HOSTILE_FLAGS[@]}"
check hostile hostile "$WORK/hostile.csv" "$WORK/hostile.csv"
check hostile-earlier hostile "$WORK/hostile.csv" "$WORK/hostile.csv" 2024-06-03

"$VENV/bin/python" - "$WORK" "$CASES" <<'PY'
import csv, glob, os, subprocess, sys
import jpmml_evaluator
import pandas as pd
from jpmml_evaluator import make_evaluator

work, cases = sys.argv[1:3]
jars = glob.glob(os.path.join(os.path.dirname(jpmml_evaluator.__file__), "dependencies", "pmml-evaluator-[0-9]*.jar"))
engine = os.path.basename(jars[0])[len("pmml-evaluator-"):-len(".jar")] if jars else "?"
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print(f"JPMML-Evaluator {engine} (jpmml_evaluator {jpmml_evaluator.__version__}), {java}")

def table(case, raw, inputs):
    df = pd.read_csv(f"{work}/{case}.table.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    if raw != "-":
        # Text columns as the file holds them: the document trims and reads markers.
        src = pd.read_csv(raw, dtype=str, keep_default_na=False, encoding="utf-8")
        for f in inputs:
            if f.getDataType() == "string":
                df[f.getName()] = src[f.getName()]
    names = [f.getName() for f in inputs]
    cells = df[names].astype(object)
    return df["custseg:customer_id"].tolist(), cells.where(cells != "", None)

failed = False
for line in open(cases, encoding="utf-8"):
    case, file, as_of, given, raw = line.rstrip("\n").split("\t")
    ev = make_evaluator(f"{work}/{case}.pmml").verify()
    ids, args = table(case, raw, ev.getInputFields())
    got = ev.evaluateAll(args)
    want = list(csv.DictReader(open(f"{work}/{case}.scored.csv", encoding="utf-8")))
    agree, first = 0, []
    for i, w in enumerate(want):
        mine = (w["customer_id"], int(w["segment"]), w["label"], w["action"])
        theirs = (ids[i], int(got["segment"][i]), got["label"][i], got["action"][i])
        if mine == theirs and got["distance"][i] >= 0:
            agree += 1
        elif len(first) < 3:
            first.append(f"row {i + 1}: custseg {mine[:3]}, JPMML {theirs[:3]}")
    ok = agree == len(want) == len(got)
    failed |= not ok
    source = "given" if given else "the model's"
    print(f"  {case:<16} {file:<22} as-of {as_of} ({source}): {agree} of {len(want)} customers agree"
          + ("" if ok else "  MISMATCH " + "; ".join(first)))

# Ties: equal distances go to the first cluster in the document.
tie = f"""<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary><DataField name="x" optype="continuous" dataType="double"/></DataDictionary>
<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="3">
<MiningSchema><MiningField name="x"/></MiningSchema>
<Output><OutputField name="segment" optype="categorical" dataType="integer" feature="predictedValue"/></Output>
<ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
<ClusteringField field="x" compareFunction="absDiff"/>
<Cluster id="0"><Array n="1" type="real">-1.0</Array></Cluster>
<Cluster id="1"><Array n="1" type="real">1.0</Array></Cluster>
<Cluster id="2"><Array n="1" type="real">1.0</Array></Cluster>
</ClusteringModel></PMML>"""
open(f"{work}/tie.pmml", "w").write(tie)
segs = make_evaluator(f"{work}/tie.pmml").verify().evaluateAll(pd.DataFrame({"x": [0.0, 1.0, -1.0]}))["segment"].tolist()
tie_ok = segs == [0, 1, 0]
failed |= not tie_ok
print(f"  ties: x=0 between centres 0 and 1 -> {segs[0]}, x=1 on centres 1 and 2 -> {segs[1]}"
      + ("" if tie_ok else "  MISMATCH (expected the lowest segment)"))
sys.exit(1 if failed else 0)
PY
echo "verify_pmml: done in $(($(date +%s) - started)) s"
