#!/usr/bin/env bash
# Byte-identical check of the headless outputs on the bundled samples.
#
#   bench/outputs/run.sh snapshot BIN DIR   run BIN --no-tui on every sample into DIR/<sample>/
#   bench/outputs/run.sh compare DIR_A DIR_B  compare the results CSV, summary CSV,
#                                           report, model.json and run.toml of each sample
#
# Typical use around a refactor:
#   git stash; cargo build --release; bench/outputs/run.sh snapshot target/release/custseg /tmp/before
#   git stash pop; cargo build --release; bench/outputs/run.sh snapshot target/release/custseg /tmp/after
#   bench/outputs/run.sh compare /tmp/before /tmp/after
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES="segmentation_results.csv cluster_summary.csv segmentation_report.md model.json run.toml"

snapshot() {
  local bin="$1" dir="$2"
  mkdir -p "$dir"
  for sample in samples/customers_en.csv samples/customers_cn_gbk.csv samples/customers.xlsx samples/transactions.csv; do
    local name
    name="$(basename "$sample")"
    "$bin" --no-tui "$sample" --out "$dir/$name" --force >"$dir/$name.stdout" 2>"$dir/$name.stderr"
  done
  echo "outputs of $bin in $dir"
}

compare() {
  local a="$1" b="$2" same=0 differ=0
  for out in "$a"/*/; do
    local name
    name="$(basename "$out")"
    for f in $FILES; do
      if cmp -s "$a/$name/$f" "$b/$name/$f"; then
        same=$((same + 1))
      else
        echo "DIFFERS: $name/$f"
        differ=$((differ + 1))
      fi
    done
    # The summary on stdout, with each snapshot's own folder written as DIR
    # (the "Written:" list names it).
    if cmp -s <(sed "s|$a|DIR|g" "$a/$name.stdout") <(sed "s|$b|DIR|g" "$b/$name.stdout"); then
      same=$((same + 1))
    else
      echo "DIFFERS: $name stdout summary"
      differ=$((differ + 1))
    fi
  done
  echo "$same identical, $differ different"
  [ "$differ" -eq 0 ]
}

case "${1:-}" in
  snapshot) snapshot "$2" "$3" ;;
  compare) compare "$2" "$3" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
