#!/usr/bin/env python3
"""A/B of the Clean, Features and Aggregate stages between two builds, side by side.

    python3 bench/refactor/ab_stages.py BENCH_A BENCH_B [--rounds N] [--quick] [--cases c1,c2]

BENCH_A and BENCH_B are `bench_features` example binaries (examples/bench_features.rs)
built at the two commits, e.g.

    git worktree add /tmp/base <commit> && (cd /tmp/base && cargo build --release --example bench_features)
    cp "$CARGO_TARGET_DIR/release/examples/bench_features" /tmp/bench-a   # then the same at the other commit

Each round runs every case once with each binary, alternating which goes first,
so both see the same load on a shared machine. Per stage it prints the median
over rounds of each binary's median wall time (and of the aggregation's CPU
time), and the ratio B / A: 1.00 is the same speed, above 1 is B slower.
"""
import re
import statistics
import subprocess
import sys

CASES = ["customers", "agg5m1m", "agg1m100k"]
LINE = re.compile(r"^\s+(clean \+ features|clean|features|aggregate|aggregate CPU time \(all threads\))\s+"
                  r"([\d.]+) (ms|s) / ([\d.]+) (ms|s)\s*$")


def millis(value, unit):
    return float(value) * (1000.0 if unit == "s" else 1.0)


def run(binary, case, quick):
    """Median times (ms) per stage line of one run of `binary` on `case`."""
    args = [binary, f"--only={case}"] + (["--quick"] if quick else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            found[f"{case}: {m.group(1)}"] = millis(m.group(4), m.group(5))
    return found


def main():
    argv = sys.argv[1:]
    if len(argv) < 2:
        print(__doc__)
        sys.exit(2)
    a, b = argv[0], argv[1]
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    cases = argv[argv.index("--cases") + 1].split(",") if "--cases" in argv else CASES
    quick = "--quick" in argv
    times = {}  # stage -> {"A": [...], "B": [...]}
    for r in range(rounds):
        for case in cases:
            order = [("A", a), ("B", b)] if r % 2 == 0 else [("B", b), ("A", a)]
            for name, binary in order:
                for stage, ms in run(binary, case, quick).items():
                    times.setdefault(stage, {"A": [], "B": []})[name].append(ms)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    print(f"{'stage (median of per-run medians)':<52} {'A ms':>9} {'B ms':>9} {'B/A':>6}")
    for stage, t in times.items():
        ma, mb = statistics.median(t["A"]), statistics.median(t["B"])
        print(f"{stage:<52} {ma:>9.1f} {mb:>9.1f} {mb / ma:>6.3f}")
    # The per-round ratio shows the spread the machine's load adds.
    for stage, t in times.items():
        ratios = [y / x for x, y in zip(t["A"], t["B"])]
        print(f"  {stage}: per-round B/A {', '.join(f'{q:.2f}' for q in ratios)}")


if __name__ == "__main__":
    main()
