"""scikit-learn side of the k-means benchmark (see run.sh). Prints one JSON
object per mode on stdout."""
import argparse
import json
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--rows", type=int, required=True)
ap.add_argument("--cols", type=int, required=True)
ap.add_argument("--init", required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--modes", default="fit,sweep,given")
a = ap.parse_args()

X = np.fromfile(a.data, dtype="<f8").reshape(a.rows, a.cols)
init = np.fromfile(a.init, dtype="<f8").reshape(-1, a.cols)


def fit():
    t = time.perf_counter()
    km = KMeans(8, n_init=10, max_iter=300, tol=1e-4, random_state=a.seed, algorithm="lloyd").fit(X)
    dt = time.perf_counter() - t
    print(json.dumps({"mode": "fit", "seconds": dt, "inertia": km.inertia_, "n_iter": int(km.n_iter_)}), flush=True)


def sweep():
    t = time.perf_counter()
    sse = []
    for k in range(1, 11):
        km = KMeans(k, n_init=10, max_iter=300, tol=1e-4, random_state=a.seed, algorithm="lloyd").fit(X)
        sse.append(km.inertia_)
    dt = time.perf_counter() - t
    print(json.dumps({"mode": "sweep", "seconds": dt, "sse": sse}), flush=True)


def given():
    t = time.perf_counter()
    km = KMeans(init.shape[0], init=init, n_init=1, max_iter=300, tol=1e-4, algorithm="lloyd").fit(X)
    dt = time.perf_counter() - t
    print(json.dumps({"mode": "given", "seconds": dt, "inertia": km.inertia_, "n_iter": int(km.n_iter_)}), flush=True)


def per_iter():
    # Same method as the custseg side: capped at 1 and at 1 + STEPS iterations
    # from the given centres, best of 3 each; the difference over STEPS.
    steps = 5

    def timed(max_iter):
        best = None
        for _ in range(3):
            t = time.perf_counter()
            km = KMeans(init.shape[0], init=init, n_init=1, max_iter=max_iter, tol=0.0, algorithm="lloyd").fit(X)
            dt = time.perf_counter() - t
            if best is None or dt < best[0]:
                best = (dt, int(km.n_iter_))
        return best

    one, n1 = timed(1)
    many, nm = timed(1 + steps)
    assert nm - n1 == steps, "the run stopped early"
    print(json.dumps({"mode": "per-iter", "seconds": (many - one) / steps}), flush=True)


with threadpool_limits(limits=a.threads):
    # Warm-up (OpenMP pool, page faults) on a small slice, not timed.
    KMeans(8, n_init=1, random_state=0).fit(X[:10_000])
    for m in a.modes.split(","):
        {"fit": fit, "sweep": sweep, "given": given, "per-iter": per_iter}[m]()
