#!/usr/bin/env bash
# K-Means benchmark: custseg vs scikit-learn on the same data, side by side,
# 2 threads each. Usage: bench/kmeans/run.sh [--rows N] [--threads T] [--modes fit,sweep,given,per-iter,fit-f32,per-iter-f32]
# Not a test: it prints timings and ratios. Needs python3 (venv + pip from PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=1000000
COLS=8
THREADS=2
MODES=fit,sweep,given,per-iter,fit-f32,per-iter-f32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

VENV=bench/.venv
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import sklearn, numpy, threadpoolctl" 2>/dev/null; then
  echo "== creating $VENV (scikit-learn, numpy)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet scikit-learn numpy threadpoolctl
fi
PY="$VENV/bin/python"

DATA="bench/data/blobs_${ROWS}x${COLS}.f64"
INIT="bench/data/blobs_${ROWS}x${COLS}_init8.f64"
"$PY" bench/kmeans/gen_data.py --rows "$ROWS" --cols "$COLS" --out bench/data >&2

CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
export CARGO_TARGET_DIR
cargo build --release --quiet --example kmeans_bench
BIN="$CARGO_TARGET_DIR/release/examples/kmeans_bench"

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "== $("$PY" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'), $(rustc --version)" >&2
echo "== data: $ROWS x $COLS, threads: $THREADS, machine: $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for mode in ${MODES//,/ }; do
  echo "== $mode: custseg" >&2
  RAYON_NUM_THREADS=$THREADS "$BIN" --data "$DATA" --rows "$ROWS" --cols "$COLS" --init "$INIT" --modes "$mode" >> "$OUT/custseg.jsonl"
  [[ $mode == *-f32 ]] && continue  # custseg only, compared with scikit-learn's f64 run
  echo "== $mode: scikit-learn" >&2
  OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
    "$PY" bench/kmeans/sklearn_bench.py --data "$DATA" --rows "$ROWS" --cols "$COLS" --init "$INIT" \
    --threads "$THREADS" --modes "$mode" >> "$OUT/sklearn.jsonl"
done

"$PY" - "$OUT/custseg.jsonl" "$OUT/sklearn.jsonl" <<'PYEOF'
import json, sys
cs = {r["mode"]: r for r in map(json.loads, open(sys.argv[1]))}
sk = {r["mode"]: r for r in map(json.loads, open(sys.argv[2]))}
ok = True
def rel(a, b):
    return abs(a - b) / abs(b)
print(f"{'mode':<12} {'custseg s':>10} {'sklearn s':>10} {'ratio':>7}  check")
for mode in cs:
    c, s = cs[mode], sk[mode.removesuffix("-f32")]
    ratio = c["seconds"] / s["seconds"]
    if mode == "fit-f32":
        d = (c["inertia"] - s["inertia"]) / s["inertia"]
        good = True
        note = f"custseg with --storage f32 vs scikit-learn's f64 fit: inertia rel. diff {d:+.2e} (information, no target)"
    elif mode == "fit":
        d = (c["inertia"] - s["inertia"]) / s["inertia"]
        good = ratio <= 0.5 and d <= 1e-6
        note = f"inertia {c['inertia']:.10g} vs {s['inertia']:.10g} (custseg worse by {d:+.2e}, target <= 1e-6)"
    elif mode == "sweep":
        worst = max((a - b) / b for a, b in zip(c["sse"], s["sse"]))
        good = ratio <= 0.5
        note = f"SSE K=1..10, custseg worse by at most {worst:+.2e} relative"
    elif mode.startswith("per-iter"):
        good = True
        note = (f"ms per Lloyd iteration ({c['seconds'] * 1e3:.2f} vs {s['seconds'] * 1e3:.2f}); "
                f"reading the {'f32 ' if mode.endswith('f32') else ''}matrix once takes {c['floor_seconds'] * 1e3:.2f} ms here "
                f"(custseg at {c['seconds'] / c['floor_seconds']:.1f}x that floor)")
    else:
        d = rel(c["inertia"], s["inertia"])
        good = c["n_iter"] == s["n_iter"] and d <= 1e-9
        note = f"n_iter {c['n_iter']} vs {s['n_iter']}, inertia rel. diff {d:.2e} (target <= 1e-9)"
    ok &= good
    print(f"{mode:<12} {c['seconds']:>10.3f} {s['seconds']:>10.3f} {ratio:>7.3f}  {'OK ' if good else 'MISS'} {note}")
print("all targets met" if ok else "some targets missed")
PYEOF
