#!/usr/bin/env python3
"""Runs custseg --no-tui and the Python workflow on the same file, one after
the other in one run, and prints wall time, peak RSS and the ratios.
Usage: compare.py CSV CUSTSEG_BINARY PYTHON"""
import os, shutil, subprocess, sys, tempfile, time

def measure(cmd):
    # Flush other programs' pending writes (e.g. the build just before) so
    # that neither side pays for them when it syncs its own outputs.
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0

def main():
    csv, binary, python = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="custseg-e2e-")
    try:
        c_wall, c_rss = measure([binary, "--no-tui", csv, "--out", f"{work}/custseg"])
        p_wall, p_rss = measure([python, os.path.join(os.path.dirname(__file__), "python_workflow.py"), csv, f"{work}/python"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size = os.path.getsize(csv) / 1e6
    print(f"file: {csv} ({size:.1f} MB)")
    print(f"{'':10}{'wall s':>10}{'peak RSS MB':>14}")
    print(f"{'custseg':10}{c_wall:>10.1f}{c_rss:>14.1f}")
    print(f"{'python':10}{p_wall:>10.1f}{p_rss:>14.1f}")
    print(f"time ratio custseg/python:   {c_wall / p_wall:.3f}  (target <= 0.05)")
    print(f"memory ratio custseg/python: {c_rss / p_rss:.3f}  (target <= 0.5)")

if __name__ == "__main__":
    main()
