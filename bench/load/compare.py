#!/usr/bin/env python3
"""Side by side: custseg's loader vs pandas.read_csv on the same file, in one run.

Each contender runs in its own process (so peak memory is its own), N times;
we report the best wall time of the load itself and the peak RSS of the process.
Usage: compare.py FILE CUSTSEG_BENCH_BINARY [--repeat N]
"""
import json, os, subprocess, sys, time

def run_child(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode()}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024.0
    result["process_seconds"] = wall
    return result

PANDAS = r'''
import json, sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
secs = time.perf_counter() - t
print(json.dumps({"rows": len(df), "columns": df.shape[1], "seconds": round(secs, 4),
                  "table_bytes": int(df.memory_usage(deep=True).sum()), "types": [str(t) for t in df.dtypes]}))
'''

def main():
    path, binary = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    size_mb = os.path.getsize(path) / 1e6
    runs = {"custseg": [], "pandas": []}
    for _ in range(repeat):  # interleaved so both see the same machine state
        runs["custseg"].append(run_child([binary, path]))
        runs["pandas"].append(run_child([sys.executable, "-c", PANDAS, path]))
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items()}
    peak = {k: max(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    c, p = best["custseg"], best["pandas"]
    print(f"file: {path} ({size_mb:.1f} MB, {c['rows']} rows, {c['columns']} columns), best of {repeat}")
    print(f"custseg types: {c['types']}")
    print(f"pandas  types: {p['types']}")
    print(f"{'':10}{'load s':>10}{'peak RSS MB':>14}{'RSS/file':>10}")
    for k in ("custseg", "pandas"):
        print(f"{k:10}{best[k]['seconds']:>10.3f}{peak[k]:>14.1f}{peak[k] / size_mb:>10.2f}")
    print(f"speed-up (pandas time / custseg time): {p['seconds'] / c['seconds']:.2f}x  (target >= 3x)")
    print(f"custseg peak RSS / file size: {peak['custseg'] / size_mb:.2f}  (target <= 2)")

if __name__ == "__main__":
    main()
