#!/usr/bin/env bash
# Byte-identical check of everything custseg writes, for refactors that must
# not change a byte: every file of the headless output folder (CSVs, report,
# PNG charts, model, run.toml, manifest) and the stdout summary, on the bundled
# samples plus a few option variants, and the `custseg sample` generator.
#
#   bench/refactor/outputs.sh snapshot BIN DIR    run BIN into DIR/<case>/
#   bench/refactor/outputs.sh compare DIR_A DIR_B  report every file that differs
#
# Typical use:
#   cp "$CARGO_TARGET_DIR/release/custseg" /tmp/custseg-before   # built at the old commit
#   bench/refactor/outputs.sh snapshot /tmp/custseg-before /tmp/before
#   cargo build --release && bench/refactor/outputs.sh snapshot "$CARGO_TARGET_DIR/release/custseg" /tmp/after
#   bench/refactor/outputs.sh compare /tmp/before /tmp/after
set -euo pipefail
cd "$(dirname "$0")/../.."

run() { # name, then arguments after the binary
  local dir="$1" name="$2"
  shift 2
  "$BIN" "$@" >"$dir/$name.stdout" 2>"$dir/$name.stderr" || echo "exit $?" >>"$dir/$name.stdout"
}

snapshot() {
  BIN="$1"
  local dir="$2"
  mkdir -p "$dir"
  for sample in samples/customers_en.csv samples/customers_cn_gbk.csv samples/customers.xlsx samples/transactions.csv; do
    local name
    name="$(basename "$sample")"
    run "$dir" "$name" --no-tui "$sample" --out "$dir/$name" --force
  done
  run "$dir" k3-f32 --no-tui samples/customers_en.csv --k 3 --storage f32 --one-hot --out "$dir/k3-f32" --force
  run "$dir" generic --no-tui samples/customers_en.csv --features generic --labels descriptive --out "$dir/generic" --force
  mkdir -p "$dir/sample"
  run "$dir" sample-en sample --rows 2000 --seed 7 --messy --out "$dir/sample/en.csv"
  run "$dir" sample-cn sample --rows 2000 --chinese --encoding gbk --out "$dir/sample/cn.csv"
  run "$dir" sample-tx sample --rows 5000 --transactions --out "$dir/sample/tx.csv"
  run "$dir" sample-xlsx sample --rows 500 --out "$dir/sample/x.xlsx"
  # One fixed input path: the input's absolute path is written into model.json,
  # run.toml and (by their hashes) the manifest.
  local fixed=/tmp/custseg-refactor-sample-en.csv
  cp "$dir/sample/en.csv" "$fixed"
  run "$dir" sample-run --no-tui "$fixed" --out "$dir/sample-run" --force
  rm -f "$fixed"
  echo "outputs of $BIN in $dir"
}

mask() { sed -E -e "s#$1#DIR#g" -e 's/[0-9]+\.[0-9]+ s\b/T s/g'; }

compare() {
  local a="$1" b="$2" same=0 differ=0 rel
  while IFS= read -r rel; do
    if [[ "$rel" == *.stdout || "$rel" == *.stderr ]]; then
      # The snapshot folders' paths and the timings differ; compare with them masked.
      if diff -q <(mask "$a" <"$a/$rel") <(mask "$b" <"$b/$rel") >/dev/null; then
        same=$((same + 1)); continue
      fi
    elif cmp -s "$a/$rel" "$b/$rel"; then
      same=$((same + 1)); continue
    fi
    echo "DIFFERS: $rel"
    differ=$((differ + 1))
  done < <(cd "$a" && find . -type f | sort)
  echo "$same identical, $differ different"
  [ "$differ" -eq 0 ]
}

case "${1:-}" in
  snapshot) snapshot "$2" "$3" ;;
  compare) compare "$2" "$3" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
