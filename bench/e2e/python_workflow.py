#!/usr/bin/env python3
"""The same workflow as `custseg --no-tui`, written the way a data scientist
would in Python: pandas, scikit-learn, matplotlib. Used by bench/e2e/run.sh.
Usage: python_workflow.py CSV OUTDIR"""
import json, os, sys, time
t0 = time.perf_counter()
import numpy as np
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.preprocessing import StandardScaler
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score, calinski_harabasz_score, davies_bouldin_score

path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
df = pd.read_csv(path)

# Clean: median for numbers, mode for categories, drop > 30% missing.
missing = df.isna().mean()
df = df.drop(columns=missing[missing > 0.3].index)
for c in df.columns:
    if df[c].dtype.kind in "if":
        df[c] = df[c].fillna(df[c].median())
    else:
        df[c] = df[c].fillna(df[c].mode().iloc[0])

# Features: the bank template.
last = pd.to_datetime(df["LastTxnDate"])
opened = pd.to_datetime(df["OpenDate"])
as_of = last.max()
feat = pd.DataFrame({
    "Recency": (as_of - last).dt.days,
    "Frequency": df["TxnCount12M"],
    "Monetary": df["TxnAmount12M"],
    "Tenure": (as_of.year - opened.dt.year) * 12 + (as_of.month - opened.dt.month),
    "Product_Depth": df["ProductCount"],
    "Age": df["Age"],
    "Balance": df["AccountBalance"],
})
for c in feat.columns:
    if feat[c].min() >= 0 and feat[c].skew() > 1.0:
        feat[c] = np.log1p(feat[c])
X = StandardScaler().fit_transform(feat.values)

# Sweep K = 2..10, n_init = 10, with metrics (silhouette on a 10,000-row sample).
rng = np.random.default_rng(42)
sample = rng.choice(len(X), size=min(10_000, len(X)), replace=False)
rows = []
for k in range(2, 11):
    km = KMeans(n_clusters=k, n_init=10, random_state=42).fit(X)
    rows.append({"k": k, "sse": km.inertia_,
                 "silhouette": silhouette_score(X[sample], km.labels_[sample]),
                 "ch": calinski_harabasz_score(X, km.labels_),
                 "db": davies_bouldin_score(X, km.labels_)})
best = max(rows, key=lambda r: r["silhouette"])["k"]
final = KMeans(n_clusters=best, n_init=10, random_state=42).fit(X)
df["segment"] = final.labels_

# Charts.
fig, ax = plt.subplots(); ax.plot([r["k"] for r in rows], [r["sse"] for r in rows], "o-"); fig.savefig(f"{out}/elbow.png"); plt.close(fig)
fig, ax = plt.subplots(); df["segment"].value_counts().sort_index().plot.bar(ax=ax); fig.savefig(f"{out}/sizes.png"); plt.close(fig)
fig, ax = plt.subplots(); s = df.sample(min(20_000, len(df)), random_state=1)
ax.scatter(s["AccountBalance"], s["TxnCount12M"], c=s["segment"], s=2); ax.set_xscale("log"); fig.savefig(f"{out}/scatter.png"); plt.close(fig)

# Outputs.
out_df = pd.concat([df[["CustomerID", "segment"]], feat], axis=1)
out_df.to_csv(f"{out}/segmentation_results.csv", index=False)
feat.assign(segment=df["segment"]).groupby("segment").agg(["mean", "median"]).to_csv(f"{out}/cluster_summary.csv")
print(json.dumps({"seconds": time.perf_counter() - t0, "k": int(best)}))
