//! The pipeline as a library: clean and features, K-Means, the sweep and the
//! choice of K, metrics, trust (stability, structure, rules), profiles and
//! labels, charts and segment colours.
//!
//! One test binary for the modules below (each file was a binary of its
//! own; every one linked the whole library, so 48 binaries cost minutes of
//! linking and gigabytes of disk). Run this group, or one module of it:
//!
//! ```sh
//! cargo test --locked --test pipeline
//! cargo test --locked --test pipeline cluster_sweep::
//! ```

#[path = "../cluster_util/mod.rs"]
mod cluster_util;

mod charts;
mod clean_features;
mod cluster_bad_input;
mod cluster_kmeans;
mod cluster_knee;
mod cluster_metrics;
mod cluster_sweep;
mod feature_hygiene;
mod profiles_and_labels;
mod segment_colours;
mod silhouette_precision;
mod trust;
mod trust_hostile;
