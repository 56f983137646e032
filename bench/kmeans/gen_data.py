"""Writes the benchmark data once: planted Gaussian blobs, standardised.

Output (raw little-endian float64, row-major, no header):
  <out>/blobs_<rows>x<cols>.f64        the matrix
  <out>/blobs_<rows>x<cols>_init8.f64  8 initial centres (scikit-learn's
                                       kmeans_plusplus, random_state=1) for the
                                       same-initial-centres mode
"""
import argparse
import os

import numpy as np
from sklearn.cluster import kmeans_plusplus

ap = argparse.ArgumentParser()
ap.add_argument("--rows", type=int, default=1_000_000)
ap.add_argument("--cols", type=int, default=8)
ap.add_argument("--out", default="bench/data")
a = ap.parse_args()

os.makedirs(a.out, exist_ok=True)
path = os.path.join(a.out, f"blobs_{a.rows}x{a.cols}.f64")
init_path = os.path.join(a.out, f"blobs_{a.rows}x{a.cols}_init8.f64")
if os.path.exists(path) and os.path.exists(init_path):
    print(f"data already there: {path}")
else:
    rng = np.random.default_rng(42)
    k_true = 8
    centres = rng.normal(0.0, 3.0, (k_true, a.cols))
    labels = rng.integers(0, k_true, a.rows)
    X = centres[labels] + rng.normal(0.0, 1.5, (a.rows, a.cols))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X = np.ascontiguousarray(X, dtype="<f8")
    X.tofile(path)
    init, _ = kmeans_plusplus(X, 8, random_state=1)
    np.ascontiguousarray(init, dtype="<f8").tofile(init_path)
    print(f"wrote {path} ({a.rows} x {a.cols}) and {init_path}")
