//! Cluster quality metrics, with scikit-learn's definitions and conventions:
//!
//! * silhouette: mean over rows of `(b − a) / max(a, b)`, `a` the mean
//!   distance to the other rows of its cluster, `b` the lowest mean distance
//!   to the rows of another cluster; a row alone in its cluster scores 0.
//!   Defined for 2 ≤ (non-empty clusters) ≤ rows − 1. Higher is better.
//! * Calinski–Harabasz: `[B / (L − 1)] / [W / (n − L)]` with `B` the
//!   between-cluster and `W` the within-cluster sum of squares, `L` the number
//!   of non-empty clusters. Defined for 2 ≤ L ≤ n − 1 and `W > 0` (scikit-learn
//!   returns 1.0 when `W = 0`; here it is `None`). Higher is better.
//! * Davies–Bouldin: mean over clusters of `max_{j≠i} (s_i + s_j) / ‖μ_i − μ_j‖`,
//!   `s_i` the mean distance of cluster `i`'s rows to its mean; coincident
//!   means are ignored (their ratio counts as 0), and 0 when all `s_i` or all
//!   mean distances are 0. Defined for L ≥ 2. Lower is better.
//!
//! Cluster means are recomputed from the labels. All sums are per chunk of
//! rows then in chunk order, so the values do not depend on the thread count.
//! The silhouette's pairwise distances are measured in `f32` (see
//! [`super::silhouette_tiles`]): its value is within about 1e-9 of an `f64`
//! computation in practice, 1e-5 at worst (tested on hostile shapes), and the
//! same on any thread count and CPU.
//! Metric functions return `Ok(None)` where the metric is undefined and
//! `Err(Error::Usage)` when the labels do not fit the matrix.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kmeans::sq_dist;
use super::silhouette_tiles::{BLOCK, tile_sums};
use super::{CHUNK_ROWS, SegmentIndex};
use crate::pipeline::linalg::row_major;
use crate::{Error, Result};
use ndarray::ArrayView2;

/// Stream of the silhouette sample's generator is `SILHOUETTE_STREAM + K`
/// (restarts of the fit use streams `0..n_init`).
pub const SILHOUETTE_STREAM: u64 = 1 << 32;

/// A silhouette value and whether it was computed on a sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SilhouetteScore {
    pub value: Option<f64>,
    /// True when computed on a stratified sample rather than on every row.
    pub sampled: bool,
    /// Rows the value was computed on.
    pub sample_size: usize,
}

/// The matrix has columns, one label per row, every label below `k`.
fn check_labels<L: SegmentIndex>(x: &ArrayView2<f64>, labels: &[L], k: usize) -> Result<()> {
    let (n, d) = x.dim();
    if d == 0 {
        return Err(Error::usage(format!(
            "the matrix has {n} rows but no columns"
        )));
    }
    if labels.len() != n {
        return Err(Error::usage(format!(
            "{} labels for {n} rows",
            labels.len()
        )));
    }
    if let Some(&l) = labels.iter().find(|&&l| l.index() >= k) {
        return Err(Error::usage(format!(
            "label {} out of range for K={k}",
            l.index()
        )));
    }
    Ok(())
}

/// Silhouette over every row (O(n² d), parallel; distances in `f32`).
pub fn silhouette<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
) -> Result<Option<f64>> {
    check_labels(&x, labels, k)?;
    let (data, d) = (&*row_major(&x), x.ncols());
    let groups = groups(labels, k);
    Ok(silhouette_groups(data, d, &groups))
}

/// Silhouette on every row when `n <= sample_size`, otherwise on a sample of
/// `sample_size` rows stratified by cluster (each cluster gets its
/// proportional share, largest remainders rounded up; rows drawn without
/// replacement from `ChaCha8Rng::seed_from_u64(seed)`, stream
/// `SILHOUETTE_STREAM + k`).
pub fn silhouette_sampled<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
    sample_size: usize,
    seed: u64,
) -> Result<SilhouetteScore> {
    check_labels(&x, labels, k)?;
    let ((n, d), data) = (x.dim(), &*row_major(&x));
    let mut groups = groups(labels, k);
    if n <= sample_size {
        return Ok(SilhouetteScore {
            value: silhouette_groups(data, d, &groups),
            sampled: false,
            sample_size: n,
        });
    }
    let m = sample_size;
    // Proportional quotas with exact integer arithmetic.
    let mut quota: Vec<usize> = groups.iter().map(|g| g.len() * m / n).collect();
    let mut short = m - quota.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse((groups[c].len() * m) % n), c));
    for &c in order.iter().cycle().take(k * 2) {
        if short == 0 {
            break;
        }
        if quota[c] < groups[c].len() {
            quota[c] += 1;
            short -= 1;
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SILHOUETTE_STREAM + k as u64);
    for (g, &q) in groups.iter_mut().zip(&quota) {
        for i in 0..q {
            let j = rng.random_range(i as u64..g.len() as u64) as usize;
            g.swap(i, j);
        }
        g.truncate(q);
        g.sort_unstable();
    }
    Ok(SilhouetteScore {
        value: silhouette_groups(data, d, &groups),
        sampled: true,
        sample_size: m,
    })
}

/// Row indices of each cluster, ascending.
fn groups<L: SegmentIndex>(labels: &[L], k: usize) -> Vec<Vec<usize>> {
    let mut g = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        g[l.index()].push(i);
    }
    g
}

/// Distances are summed per tile (in [`super::silhouette_tiles`]), then added as
/// fixed-point numbers with this many fraction bits: integer sums do not
/// depend on the order, so the tiles can be shared out among threads freely
/// and the result is the same for any thread count.
const FIX_BITS: i32 = 64;

/// `(v · 2^64) as i128` for distance sums `0 ≤ v < 2^63` (those of
/// standardised features are far below), with two machine conversions of
/// the integer and fraction parts instead of a library call for `i128`
/// (which took a tenth of the silhouette's time). Both parts are exact.
fn to_fixed(v: f64) -> i128 {
    // `as i64` truncates (toward zero: v ≥ 0), and an integer below 2^63
    // taken from an `f64` converts back exactly.
    let whole = v as i64;
    let fraction = ((v - whole as f64) * 2f64.powi(FIX_BITS)) as u64;
    ((whole as i128) << FIX_BITS) + fraction as i128
}

/// The sampled rows grouped by cluster, in the layouts the tiles read.
struct Grouped {
    /// Rows and features.
    m: usize,
    d: usize,
    /// Column-major `m × d` values, rows grouped by cluster.
    cols: Vec<f64>,
    /// The same, each row minus its cluster's mean, in `f32` (the tiles'
    /// columns; see [`super::silhouette_tiles`] on why relative to the mean).
    centred: Vec<f32>,
    /// Cluster means, `l × d`.
    mu: Vec<f64>,
    cluster_of: Vec<usize>,
    sizes: Vec<usize>,
    /// Blocks of at most `BLOCK` rows of one cluster: start, end, cluster.
    blocks: Vec<(usize, usize, usize)>,
}

impl Grouped {
    /// `groups` are non-empty lists of row indices into the row-major `data`.
    fn new(data: &[f64], d: usize, groups: &[&Vec<usize>]) -> Self {
        let m: usize = groups.iter().map(|g| g.len()).sum();
        let mut cols = vec![0.0; m * d];
        let mut cluster_of = Vec::with_capacity(m);
        let mut blocks = Vec::new();
        let mut pos = 0;
        for (c, g) in groups.iter().enumerate() {
            let start = pos;
            for &i in g.iter() {
                for j in 0..d {
                    cols[j * m + pos] = data[i * d + j];
                }
                cluster_of.push(c);
                pos += 1;
            }
            blocks.extend(
                (start..pos)
                    .step_by(BLOCK)
                    .map(|b| (b, (b + BLOCK).min(pos), c)),
            );
        }
        let sizes: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let mu = cluster_means_of(&cols, m, d, &cluster_of, &sizes);
        let mut centred = vec![0.0f32; m * d];
        for f in 0..d {
            for (p, &c) in cluster_of.iter().enumerate() {
                centred[f * m + p] = (cols[f * m + p] - mu[c * d + f]) as f32;
            }
        }
        Grouped {
            m,
            d,
            cols,
            centred,
            mu,
            cluster_of,
            sizes,
            blocks,
        }
    }

    /// Rows `i0..i1` minus the mean of cluster `c`, row-major `f32`: a
    /// tile's rows in the frame of its columns' cluster.
    fn rows_relative_to(&self, (i0, i1): (usize, usize), c: usize, out: &mut Vec<f32>) {
        let (m, d) = (self.m, self.d);
        out.clear();
        for i in i0..i1 {
            out.extend((0..d).map(|f| (self.cols[f * m + i] - self.mu[c * d + f]) as f32));
        }
    }
}

impl Grouped {
    /// Orders the rows of each cluster by the clusters they need (`m × l`
    /// flags, reordered with them): a block's rows then mostly need the same
    /// clusters, and tiles that none of them needs are skipped. The sort is
    /// stable, so the order (and the result) is the same on every run.
    fn sort_by_needs(&mut self, needs: &mut Vec<bool>) {
        let (m, l) = (self.m, self.sizes.len());
        let key = |p: usize| (self.cluster_of[p], &needs[p * l..(p + 1) * l]);
        let mut order: Vec<usize> = (0..m).collect();
        // `cluster_of` ascends, so every cluster keeps its positions.
        order.sort_by(|&a, &b| key(a).cmp(&key(b)));
        self.cols = gather_columns(&self.cols, m, &order);
        self.centred = gather_columns(&self.centred, m, &order);
        *needs = order
            .iter()
            .flat_map(|&p| needs[p * l..(p + 1) * l].iter().copied())
            .collect();
    }
}

/// The column-major `v` (`m` rows per column) with its rows in `order`.
fn gather_columns<T: Copy>(v: &[T], m: usize, order: &[usize]) -> Vec<T> {
    v.chunks_exact(m)
        .flat_map(|c| order.iter().map(|&p| c[p]))
        .collect()
}

/// Means of the clusters of the cluster-grouped column-major `cols`, `l × d`.
fn cluster_means_of(
    cols: &[f64],
    m: usize,
    d: usize,
    cluster_of: &[usize],
    sizes: &[usize],
) -> Vec<f64> {
    let mut mu = vec![0.0; sizes.len() * d];
    for f in 0..d {
        for (p, &c) in cluster_of.iter().enumerate() {
            mu[c * d + f] += cols[f * m + p];
        }
    }
    for (c, &n) in sizes.iter().enumerate() {
        for v in &mut mu[c * d..(c + 1) * d] {
            *v /= n as f64;
        }
    }
    mu
}

/// Silhouette of the rows listed in `groups` (one list per cluster): every
/// pair measured (in `f32`), no approximation beyond that.
///
/// Each pair of rows is measured once: the rows are blocked by cluster and
/// only tiles (I, J) with I ≤ J are computed; an off-diagonal tile adds each
/// distance both to its row's sum for J's cluster and to its column's sum for
/// I's cluster. Tiles no row needs (see [`candidate_clusters`]) are skipped.
fn silhouette_groups(data: &[f64], d: usize, groups: &[Vec<usize>]) -> Option<f64> {
    let groups: Vec<&Vec<usize>> = groups.iter().filter(|g| !g.is_empty()).collect();
    let m: usize = groups.iter().map(|g| g.len()).sum();
    let l = groups.len();
    if l < 2 || l + 1 > m {
        return None;
    }
    let mut g = Grouped::new(data, d, &groups);
    let mut needs = candidate_clusters(&g);
    g.sort_by_needs(&mut needs);
    // Whether any row of a block needs its sum for a cluster.
    let mut block_needs = vec![false; g.blocks.len() * l];
    for (b, &(b0, b1, _)) in g.blocks.iter().enumerate() {
        for p in b0..b1 {
            for (o, &need) in block_needs[b * l..(b + 1) * l]
                .iter_mut()
                .zip(&needs[p * l..(p + 1) * l])
            {
                *o |= need;
            }
        }
    }
    // Tile rows shared out round-robin (the first rows have the most tiles).
    let lanes = (rayon::current_num_threads() * 4).clamp(1, g.blocks.len());
    let sums = (0..lanes)
        .into_par_iter()
        .map(|lane| lane_sums(&g, &block_needs, lane, lanes))
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                *x = x.saturating_add(y);
            }
            a
        })
        .expect("at least one lane");
    let s: Vec<f64> = (0..m)
        .into_par_iter()
        .map(|p| row_silhouette(&g, &sums[p * l..(p + 1) * l], &needs[p * l..(p + 1) * l], p))
        .collect();
    Some(s.iter().fold(0.0, |a, &v| a + v) / m as f64)
}

/// Fixed-point sums of distances (`m × l`: row, cluster) of the tiles in
/// block rows `lane, lane + lanes, …`. A block row's sums against one
/// cluster are added in `f64` over that cluster's blocks (always in the same
/// order, by one lane, whatever the number of lanes), then converted once.
fn lane_sums(g: &Grouped, block_needs: &[bool], lane: usize, lanes: usize) -> Vec<i128> {
    let (m, d, l, nb) = (g.m, g.d, g.sizes.len(), g.blocks.len());
    let mut acc = vec![0i128; m * l];
    let (mut row, mut col) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
    let mut rows = Vec::with_capacity(BLOCK * d);
    let mut run = vec![0.0; BLOCK];
    for bi in (lane..nb).step_by(lanes) {
        let (i0, i1, ci) = g.blocks[bi];
        let run = &mut run[..i1 - i0];
        // The cluster the rows' frame and running sums are for, and whether
        // the sums hold anything.
        let (mut frame, mut pending) = (None, false);
        for (bj, &(j0, j1, cj)) in g.blocks.iter().enumerate().skip(bi) {
            let row_side = block_needs[bi * l + cj];
            let col_side = bj != bi && block_needs[bj * l + ci];
            if !row_side && !col_side {
                continue;
            }
            if frame != Some(cj) {
                if let Some(c) = frame.filter(|_| pending) {
                    add_fixed(&mut acc, l, (i0, c), run);
                }
                g.rows_relative_to((i0, i1), cj, &mut rows);
                run.fill(0.0);
                (frame, pending) = (Some(cj), false);
            }
            let (row, col) = (&mut row[..i1 - i0], &mut col[..j1 - j0]);
            col.fill(0.0);
            let col_out = col_side.then_some(&mut *col);
            tile_sums(&g.centred, m, d, &rows, (j0, j1), row, col_out);
            if row_side {
                for (r, &v) in run.iter_mut().zip(row.iter()) {
                    *r += v;
                }
                pending = true;
            }
            if col_side {
                add_fixed(&mut acc, l, (j0, ci), col);
            }
        }
        if let Some(c) = frame.filter(|_| pending) {
            add_fixed(&mut acc, l, (i0, c), run);
        }
    }
    acc
}

/// Adds `sums` (of rows `p0..`, against cluster `c`) to the fixed-point `acc`.
fn add_fixed(acc: &mut [i128], l: usize, (p0, c): (usize, usize), sums: &[f64]) {
    for (p, &v) in (p0..).zip(sums) {
        let a = &mut acc[p * l + c];
        *a = a.saturating_add(to_fixed(v));
    }
}

/// Silhouette of row `p` from its fixed-point sums per cluster.
fn row_silhouette(g: &Grouped, sums: &[i128], need: &[bool], p: usize) -> f64 {
    let scale = 2f64.powi(-FIX_BITS);
    let own = g.cluster_of[p];
    let n_own = g.sizes[own];
    if n_own <= 1 {
        return 0.0;
    }
    let a = sums[own] as f64 * scale / (n_own - 1) as f64;
    let mut b = f64::INFINITY;
    for (c, (&sum, &size)) in sums.iter().zip(&g.sizes).enumerate() {
        if c != own && need[c] {
            let v = sum as f64 * scale / size as f64;
            if v < b {
                b = v;
            }
        }
    }
    let den = if a > b { a } else { b };
    if den > 0.0 { (b - a) / den } else { 0.0 }
}

/// For each row of `g`, which clusters' mean distances it needs (`m × l`
/// flags): its own, and every other cluster that can hold the lowest mean
/// distance `b`. The mean distance from `x` to a cluster lies between
/// `‖x − μ‖` (the mean of norms is at least the norm of the mean) and
/// `√(‖x − μ‖² + σ²)` (the root mean square, σ² the cluster's mean squared
/// distance to μ); a cluster whose lower bound exceeds another's upper bound
/// cannot be the nearest and is skipped. The silhouette is unchanged by this:
/// only sums that cannot matter are left out.
fn candidate_clusters(g: &Grouped) -> Vec<bool> {
    let (m, d, l) = (g.m, g.d, g.sizes.len());
    let (cols, mu) = (&g.cols, &g.mu);
    let sq_to = |p: usize, c: usize| -> f64 {
        (0..d)
            .map(|f| (cols[f * m + p] - mu[c * d + f]).powi(2))
            .sum()
    };
    let mut spread = vec![0.0; l];
    for (p, &c) in g.cluster_of.iter().enumerate() {
        spread[c] += sq_to(p, c);
    }
    for (v, &n) in spread.iter_mut().zip(&g.sizes) {
        *v /= n as f64;
    }
    let mut needs = vec![false; m * l];
    needs.par_chunks_mut(l).enumerate().for_each(|(p, need)| {
        let own = g.cluster_of[p];
        let sq: Vec<f64> = (0..l).map(|c| sq_to(p, c)).collect();
        let upper = (0..l)
            .filter(|&c| c != own)
            .map(|c| (sq[c] + spread[c]).sqrt())
            .fold(f64::INFINITY, f64::min);
        // A wide margin for rounding: skipping must never be wrong.
        let limit = upper * (1.0 + 1e-9) + 1e-12;
        for (c, o) in need.iter_mut().enumerate() {
            *o = c == own || sq[c].sqrt() <= limit;
        }
    });
    needs
}

/// Per-cluster sums (`k × d`) and counts from the labels, in chunk order.
fn cluster_sums<L: SegmentIndex>(
    data: &[f64],
    d: usize,
    labels: &[L],
    k: usize,
) -> (Vec<f64>, Vec<usize>) {
    let parts = data
        .par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(x, lab)| {
            let mut s = vec![0.0; k * d];
            let mut c = vec![0usize; k];
            for (row, &l) in x.chunks_exact(d).zip(lab) {
                let l = l.index();
                c[l] += 1;
                for (a, &v) in s[l * d..(l + 1) * d].iter_mut().zip(row) {
                    *a += v;
                }
            }
            (s, c)
        })
        .collect::<Vec<_>>();
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (s, c) in &parts {
        for (a, &v) in sums.iter_mut().zip(s) {
            *a += v;
        }
        for (a, &v) in counts.iter_mut().zip(c) {
            *a += v;
        }
    }
    (sums, counts)
}

/// Cluster means (zero for empty clusters) and counts.
fn cluster_means<L: SegmentIndex>(
    data: &[f64],
    d: usize,
    labels: &[L],
    k: usize,
) -> (Vec<f64>, Vec<usize>) {
    let (mut sums, counts) = cluster_sums(data, d, labels, k);
    for (row, &c) in sums.chunks_exact_mut(d).zip(&counts) {
        if c > 0 {
            for v in row.iter_mut() {
                *v /= c as f64;
            }
        }
    }
    (sums, counts)
}

/// What the Calinski–Harabasz and Davies–Bouldin indexes read from one
/// labelling: two passes over the rows (the means, then each row's
/// distance to its mean), shared by both.
struct Spread {
    n: usize,
    d: usize,
    means: Vec<f64>,
    counts: Vec<usize>,
    /// Σ‖x − μ(label)‖², per chunk then in chunk order.
    within: f64,
    /// Per cluster, its rows' mean distance to its mean.
    scatter: Vec<f64>,
}

impl Spread {
    fn of<L: SegmentIndex>(data: &[f64], d: usize, labels: &[L], k: usize) -> Spread {
        let (means, counts) = cluster_means(data, d, labels, k);
        let parts = data
            .par_chunks(CHUNK_ROWS * d)
            .zip(labels.par_chunks(CHUNK_ROWS))
            .map(|(x, lab)| {
                let mut within = 0.0;
                let mut s = vec![0.0; k];
                for (row, &l) in x.chunks_exact(d).zip(lab) {
                    let l = l.index();
                    let sq = sq_dist(row, &means[l * d..(l + 1) * d]);
                    within += sq;
                    s[l] += sq.sqrt();
                }
                (within, s)
            })
            .collect::<Vec<_>>();
        let mut within = 0.0;
        let mut scatter = vec![0.0; k];
        for (w, s) in &parts {
            within += w;
            for (a, &v) in scatter.iter_mut().zip(s) {
                *a += v;
            }
        }
        for (s, &c) in scatter.iter_mut().zip(&counts) {
            if c > 0 {
                *s /= c as f64;
            }
        }
        Spread {
            n: data.len() / d,
            d,
            means,
            counts,
            within,
            scatter,
        }
    }

    /// Calinski–Harabasz, `overall` being the rows' column means.
    fn calinski_harabasz(&self, overall: &[f64]) -> Option<f64> {
        let (n, d) = (self.n, self.d);
        let l = self.counts.iter().filter(|&&c| c > 0).count();
        if l < 2 || l >= n {
            return None;
        }
        let mut between = 0.0;
        for (mu, &c) in self.means.chunks_exact(d).zip(&self.counts) {
            if c > 0 {
                between += c as f64 * sq_dist(mu, overall);
            }
        }
        if self.within <= 0.0 {
            return None;
        }
        Some(between * (n - l) as f64 / (self.within * (l - 1) as f64))
    }

    fn davies_bouldin(&self) -> Option<f64> {
        let d = self.d;
        let (means, scatter) = (&self.means, &self.scatter);
        let live: Vec<usize> = (0..self.counts.len())
            .filter(|&c| self.counts[c] > 0)
            .collect();
        if live.len() < 2 {
            return None;
        }
        let centroid_dist = |a: usize, b: usize| {
            sq_dist(&means[a * d..(a + 1) * d], &means[b * d..(b + 1) * d]).sqrt()
        };
        let all_scatter_zero = live.iter().all(|&c| scatter[c] == 0.0);
        let all_dist_zero = live
            .iter()
            .all(|&a| live.iter().all(|&b| centroid_dist(a, b) == 0.0));
        if all_scatter_zero || all_dist_zero {
            return Some(0.0);
        }
        let mut total = 0.0;
        for &a in &live {
            let mut worst: f64 = 0.0;
            for &b in &live {
                let dist = centroid_dist(a, b);
                if b != a && dist > 0.0 {
                    worst = worst.max((scatter[a] + scatter[b]) / dist);
                }
            }
            total += worst;
        }
        Some(total / live.len() as f64)
    }
}

/// Column means of row-major `data`, per chunk then in chunk order.
pub(crate) fn column_means(data: &[f64], d: usize) -> Vec<f64> {
    let n = data.len() / d.max(1);
    super::kmeans::column_sums(data, d)
        .into_iter()
        .map(|s| s / n as f64)
        .collect()
}

/// The [`Spread`] of one labelling of `x`.
fn spread_of<L: SegmentIndex>(x: ArrayView2<f64>, labels: &[L], k: usize) -> Result<Spread> {
    check_labels(&x, labels, k)?;
    Ok(Spread::of(&row_major(&x), x.ncols(), labels, k))
}

/// Calinski–Harabasz and Davies–Bouldin of one labelling of `x`, from the
/// same passes over the rows; `overall` is [`column_means`] of `x` (the
/// same for every K of a sweep).
pub(crate) fn calinski_harabasz_and_davies_bouldin<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
    overall: &[f64],
) -> Result<(Option<f64>, Option<f64>)> {
    let spread = spread_of(x, labels, k)?;
    Ok((spread.calinski_harabasz(overall), spread.davies_bouldin()))
}

/// Calinski–Harabasz index (variance ratio criterion).
pub fn calinski_harabasz<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
) -> Result<Option<f64>> {
    let spread = spread_of(x, labels, k)?;
    Ok(spread.calinski_harabasz(&column_means(&row_major(&x), x.ncols())))
}

/// Davies–Bouldin index.
pub fn davies_bouldin<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
) -> Result<Option<f64>> {
    Ok(spread_of(x, labels, k)?.davies_bouldin())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sweep's shared passes give both indexes as the plain
    /// definitions do (and as the one-index functions, bit for bit).
    #[test]
    fn shared_passes_give_both_indexes_by_definition() {
        let (n, d, k) = (9_000usize, 3usize, 4usize);
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut next = || rng.random::<f64>();
        let labels: Vec<u32> = (0..n).map(|i| (i % k) as u32).collect();
        let data: Vec<f64> = (0..n * d)
            .map(|v| next() + 3.0 * (labels[v / d] as f64) * ((v % d) as f64 - 1.0))
            .collect();
        let x = ArrayView2::from_shape((n, d), &data).unwrap();
        let overall = column_means(&data, d);
        let (ch, db) = calinski_harabasz_and_davies_bouldin(x, &labels, k, &overall).unwrap();
        assert_eq!(ch, calinski_harabasz(x, &labels, k).unwrap());
        assert_eq!(db, davies_bouldin(x, &labels, k).unwrap());
        // By definition, in plain loops.
        let mut mu = vec![0.0; k * d];
        let mut size = vec![0.0; k];
        for i in 0..n {
            let l = labels[i] as usize;
            size[l] += 1.0;
            for j in 0..d {
                mu[l * d + j] += data[i * d + j];
            }
        }
        for l in 0..k {
            for j in 0..d {
                mu[l * d + j] /= size[l];
            }
        }
        let dist =
            |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum::<f64>();
        let (mut within, mut scatter) = (0.0, vec![0.0; k]);
        for i in 0..n {
            let l = labels[i] as usize;
            let sq = dist(&data[i * d..(i + 1) * d], &mu[l * d..(l + 1) * d]);
            within += sq;
            scatter[l] += sq.sqrt() / size[l];
        }
        let between: f64 = (0..k)
            .map(|l| size[l] * dist(&mu[l * d..(l + 1) * d], &overall))
            .sum();
        let ch_def = between * (n - k) as f64 / (within * (k - 1) as f64);
        let db_def = (0..k)
            .map(|a| {
                (0..k)
                    .filter(|&b| b != a)
                    .map(|b| {
                        (scatter[a] + scatter[b])
                            / dist(&mu[a * d..(a + 1) * d], &mu[b * d..(b + 1) * d]).sqrt()
                    })
                    .fold(0.0, f64::max)
            })
            .sum::<f64>()
            / k as f64;
        let (ch, db) = (ch.unwrap(), db.unwrap());
        assert!((ch - ch_def).abs() <= 1e-9 * ch_def, "{ch} vs {ch_def}");
        assert!((db - db_def).abs() <= 1e-9 * db_def, "{db} vs {db_def}");
    }

    /// The fast conversion equals the plain one on sums of every size.
    #[test]
    fn to_fixed_is_the_plain_conversion() {
        let plain = |v: f64| (v * 2f64.powi(FIX_BITS)) as i128;
        let mut v = f64::MIN_POSITIVE;
        while v < 2f64.powi(62) {
            for w in [v, v * 1.000_000_1, v * 1.5 + 0.1, v.next_up(), v.trunc()] {
                assert_eq!(to_fixed(w), plain(w), "{w:e}");
            }
            v *= 1.37;
        }
        for w in [0.0, 0.5, 1.0, 1.0 - f64::EPSILON / 2.0, 3.0e9 + 0.25] {
            assert_eq!(to_fixed(w), plain(w), "{w:e}");
        }
    }
}
