#!/usr/bin/env python3
"""Side-by-side A/B of whole commands between two builds, for refactors.

    python3 bench/refactor/ab_commands.py DIR_A DIR_B [--rounds N] [--cases load,kmeans,e2e]

DIR_A and DIR_B each hold `custseg`, `bench_load` and `kmeans_bench` release
binaries built at the two commits (see outputs.sh for building one at an old
commit in a worktree). Each round runs every case once with each build,
alternating which goes first, so both see the same load on a shared machine.
Prints, per case, the median wall time of each build and the ratio B / A
(1.00 = same speed, above 1 = B slower), and the spread of the per-round
ratios so a reader can tell noise from a change.

Cases (the data is made by bench/load/run.sh and bench/kmeans/run.sh):
  load     bench_load on bench/data/customers_1000000.csv
  kmeans   kmeans_bench fit on bench/data/blobs_1000000x8.f64 (k = 8)
  e2e      custseg --no-tui on bench/data/customers_1000000.csv, all outputs
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DATA = "bench/data"


def cases(bin_dir, out_dir):
    return {
        "load": [f"{bin_dir}/bench_load", f"{DATA}/customers_1000000.csv"],
        "kmeans": [f"{bin_dir}/kmeans_bench", "--data", f"{DATA}/blobs_1000000x8.f64",
                   "--rows", "1000000", "--cols", "8",
                   "--init", f"{DATA}/blobs_1000000x8_init8.f64", "--modes", "fit"],
        "e2e": [f"{bin_dir}/custseg", "--no-tui", f"{DATA}/customers_1000000.csv",
                "--out", out_dir, "--force"],
    }


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    args = sys.argv[1:]
    rounds = 5
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    only = None
    if "--cases" in args:
        i = args.index("--cases")
        only = args[i + 1].split(",")
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    dir_a, dir_b = args
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    out = tempfile.mkdtemp(prefix="custseg-ab-")
    try:
        times = {}
        for r in range(rounds):
            for name in cases(dir_a, out):
                if only and name not in only:
                    continue
                order = [("A", dir_a), ("B", dir_b)]
                if r % 2:
                    order.reverse()
                for tag, d in order:
                    t = timed(cases(d, f"{out}/{tag}")[name])
                    times.setdefault(name, {"A": [], "B": []})[tag].append(t)
        print(f"{'case':8} {'A median':>10} {'B median':>10} {'B/A':>6}  per-round B/A")
        for name, t in times.items():
            a, b = statistics.median(t["A"]), statistics.median(t["B"])
            per_round = [y / x for x, y in zip(t["A"], t["B"])]
            spread = f"{min(per_round):.2f}..{max(per_round):.2f}"
            print(f"{name:8} {a:9.3f}s {b:9.3f}s {b / a:6.2f}  {spread}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
