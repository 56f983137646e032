//! K-Means kernel, K sweep, quality metrics and the choice of K.
//!
//! Everything works on a scaled `n × d` matrix of `f64`, an
//! [`ArrayView2`](ndarray::ArrayView2) (one row per customer), whose shape
//! the type carries. The kernels walk its rows as one contiguous row-major
//! slice (borrowed: the feature matrix is in standard layout; any other
//! layout is copied first). No clustering crate is used; the work is parallel
//! with rayon (whatever pool is current: the global one, or one the caller
//! `install`s).
//!
//! # Public API
//!
//! ```text
//! kmeans(x, &KMeansConfig, &dyn Progress) -> Result<KMeansResult>
//! sweep(x, feature_names, &SweepConfig, &dyn Progress) -> Result<SweepResult>
//! assign_nearest(x, centres) -> Result<Vec<u32>>                    // scoring new rows
//! silhouette / silhouette_sampled / calinski_harabasz / davies_bouldin  // metrics
//! find_knee(ks, sse) / kneedle(x, y, s)                              // choice of K
//! ```
//!
//! # Semantics (same as scikit-learn's `KMeans(algorithm="lloyd")`)
//!
//! * The data are centred (column means subtracted) into a private copy; the
//!   returned centres are in the caller's units again.
//! * Seeding: greedy k-means++ with `2 + floor(ln k)` candidates per step, the
//!   candidate that lowers the potential most is kept (scikit-learn's
//!   `_kmeans_plusplus`), or [`Init::Given`] centres.
//! * Lloyd iterations up to `max_iter`. Stop when the labels do not change
//!   (strict convergence) or when the sum of squared centre shifts is
//!   `<= tol * mean(column variances)` (scikit-learn's `_tolerance`). Then one
//!   final assignment pass so the labels match the returned centres; the
//!   inertia is computed in that pass with the direct `‖x − c‖²` form.
//! * A cluster that becomes empty is re-seeded from the points farthest from
//!   their centre (ties: lower row first), exactly as scikit-learn does.
//! * `n_init` restarts; the run with the lowest inertia is kept (a later run
//!   replaces the best only with a strictly lower inertia and a different
//!   partition, as scikit-learn). With `Init::Given`, one run is made
//!   (`n_init` is reported as 1 and a warning says so).
//!
//! # Determinism
//!
//! Rows are processed in fixed chunks of [`CHUNK_ROWS`] rows; every sum is
//! made per chunk and the per-chunk partial results are reduced in chunk
//! order, so labels, centres and inertia are bit-for-bit identical whatever the
//! number of threads. Restart `r` draws from `ChaCha8Rng::seed_from_u64(seed)`
//! with `set_stream(r)`. The same seed therefore gives the same result in a
//! sweep and in a single `kmeans` call with the same K. The silhouette sample
//! for K uses `ChaCha8Rng::seed_from_u64(seed)` with
//! `set_stream(SILHOUETTE_STREAM + K)`.
//!
//! # Bad input
//!
//! * options (K = 0, empty K range, `n_init = 0`, `max_iter = 0`, negative or
//!   NaN `tol`, wrong length of given centres, centres with another number of
//!   columns than the data): [`Error::Usage`](crate::Error::Usage);
//! * data (n = 0, d = 0, NaN/infinity — the message names the row, column and,
//!   in `sweep`, the feature —, fewer rows than K, fewer distinct rows than K,
//!   all rows identical): [`Error::Data`](crate::Error::Data).
//! * `kmeans` with K larger than the number of distinct rows is an error.
//!   `sweep` caps its K range at the number of distinct rows and records a
//!   warning; a user-fixed K larger than that is an error.

pub mod canonical;
mod init;
mod kmeans;
mod knee;
mod metrics;
mod silhouette_tiles;
mod sweep;

pub use kmeans::{Init, KMeansConfig, KMeansResult, MAX_CLUSTERS, Storage, assign_nearest, kmeans};

/// A segment number as it is stored: one byte in a fit's labels, `u32`
/// where labels come from elsewhere (a file, a test's ground truth).
pub trait SegmentIndex: Copy + Send + Sync {
    fn index(self) -> usize;
}

impl SegmentIndex for u8 {
    #[inline]
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl SegmentIndex for u32 {
    #[inline]
    fn index(self) -> usize {
        self as usize
    }
}
pub use knee::{MIN_KNEE_DIFFERENCE, find_knee, kneedle};
pub use metrics::{
    SILHOUETTE_STREAM, SilhouetteScore, calinski_harabasz, davies_bouldin, silhouette,
    silhouette_sampled,
};
pub use sweep::{Choice, KResult, Metrics, SweepConfig, SweepResult, sweep};

use crate::pipeline::linalg::row_major;
use crate::{Error, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Rows per chunk. Fixed (never derived from the thread count) so that every
/// reduction, and therefore every result, is independent of the thread count.
pub const CHUNK_ROWS: usize = 256;

/// Chunks per parallel task, at least (2,048 rows): a pass over the 10,000
/// rows of a gap reference set is then a few tasks, not forty, so rayon's
/// splitting and the per-task buffers cost little next to the work. The
/// results are per chunk, combined in chunk order, so this changes no
/// number.
pub const TASK_CHUNKS: usize = 8;

/// Checks that the matrix has rows and columns and that every value is
/// finite. The first offending value (lowest row, then lowest column) is
/// reported.
pub(crate) fn check_matrix(x: ArrayView2<f64>, names: &[String]) -> Result<()> {
    let (n, d) = x.dim();
    if n == 0 {
        return Err(Error::data(
            "no rows to cluster (the feature matrix is empty)",
        ));
    }
    if d == 0 {
        return Err(Error::data("no features to cluster on (0 columns)"));
    }
    let data = row_major(&x);
    let bad = data
        .par_chunks(CHUNK_ROWS * d)
        .enumerate()
        .find_map_first(|(c, chunk)| {
            chunk
                .iter()
                .position(|v| !v.is_finite())
                .map(|p| (c * CHUNK_ROWS * d + p, chunk[p]))
        });
    if let Some((pos, v)) = bad {
        let (row, col) = (pos / d, pos % d);
        let what = if v.is_nan() { "NaN" } else { "infinite" };
        let feature = match names.get(col) {
            Some(name) => format!("feature '{name}' (column {col})"),
            None => format!("column {col}"),
        };
        return Err(Error::data(format!(
            "{what} value in {feature} at row {row} of the feature matrix (0-based); \
             clean or impute it before clustering"
        )));
    }
    Ok(())
}

/// Number of distinct rows, counting only up to `limit` (stops early).
/// `-0.0` and `0.0` count as the same value.
pub(crate) fn count_distinct_rows(data: &[f64], d: usize, limit: usize) -> usize {
    let mut seen = std::collections::HashSet::new();
    for row in data.chunks_exact(d) {
        let key: Vec<u64> = row
            .iter()
            .map(|&v| if v == 0.0 { 0 } else { v.to_bits() })
            .collect();
        seen.insert(key);
        if seen.len() >= limit {
            break;
        }
    }
    seen.len()
}

/// Error for "K is too large for this data"; `distinct` counted up to `k`.
pub(crate) fn too_few_rows(n: usize, distinct: usize, k: usize) -> Error {
    use crate::remedy::Remedy;
    if n < k {
        Error::with_remedy(
            format!("K={k} clusters asked but the data has only {n} row(s)"),
            Remedy::SmallerK { at_most: n },
        )
    } else if distinct <= 1 {
        Error::with_remedy(
            format!("all {n} rows are identical; there is nothing to cluster (K={k} asked)"),
            Remedy::Select { column: None },
        )
    } else {
        Error::with_remedy(
            format!("K={k} clusters asked but the data has only {distinct} distinct row(s)"),
            Remedy::SmallerK { at_most: distinct },
        )
    }
}
