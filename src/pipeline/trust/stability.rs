//! Bootstrap stability of each segment (Hennig, 2007, "Cluster-wise
//! assessment of cluster stability"; R's `fpc::clusterboot`).
//!
//! Draw `B` bootstrap resamples of the customers (with replacement), fit
//! K-Means with the same K on each, and give each segment the Jaccard
//! similarity between it (restricted to the customers in the resample) and
//! the most similar segment of the resample's fit. A segment's stability is
//! the mean over the resamples; Hennig's reading:
//!
//! | mean Jaccard | reading |
//! |---|---|
//! | < 0.6 | do not trust: the segment dissolves when the data change a little |
//! | 0.6 – 0.75 | a pattern, but which customers belong to it is doubtful |
//! | ≥ 0.75 | stable |
//! | ≥ 0.85 | highly stable |
//!
//! Above the sweep's fit sample (`fit_sample`, 100,000 by default) the
//! resamples are drawn from a seeded sample of that many customers, as the
//! sweep's restarts are: Jaccard on that many customers is as exact as
//! anyone can read it, and the cost no longer grows with the file.
//!
//! Each resample refits K-Means with k-means++ and [`RESTARTS`] restarts,
//! as a user re-running the segmentation on slightly different data would.
//! Deterministic: resample `b` draws from its own seeded stream, each fit is
//! thread-count independent, and the means are summed in resample order.
//!
//! Stopping early. The resamples run in rounds: [`MIN_RESAMPLES`] first,
//! then [`ROUND`] at a time up to the most asked for. After each round, a
//! segment is settled when the 95% interval of its mean Jaccard
//! (`mean ± 1.96 sd / √n`) lies inside one band of the table above; once
//! every segment is settled more resamples could only narrow numbers
//! whose reading is already known, so the check stops (unless told to run
//! them all). Clearly stable segments settle after 20 resamples; a segment
//! near a band edge runs them all. The rounds do not depend on the thread
//! count, and stopping after `n` gives exactly the first `n` resamples of a
//! longer run.

use super::sample::{self, RESAMPLE_STREAM, STABILITY_SAMPLE_STREAM};
use crate::pipeline::cluster::{Init, KMeansConfig, SegmentIndex, Storage, kmeans};
use crate::pipeline::progress::{NoProgress, Progress};
use crate::{Error, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// Resamples by default (Hennig's `clusterboot` uses 100; 50 gives the
/// mean Jaccard to about ±0.02).
pub const DEFAULT_RESAMPLES: usize = 50;
/// K-Means restarts per resample.
pub const RESTARTS: usize = 3;
/// Resamples before the check may stop early (Hennig: 20 already give a
/// rough reading; the interval below tells how rough).
pub const MIN_RESAMPLES: usize = 20;
/// Resamples added between two looks at whether every band is settled.
pub const ROUND: usize = 10;
/// `z` of a two-sided 95% interval.
const Z95: f64 = 1.96;
/// Below this Jaccard a segment counts as dissolved in a resample
/// (Hennig's `dissolved`).
pub const DISSOLVED: f64 = 0.5;

/// How much to trust one segment, by its mean Jaccard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Below 0.6.
    DoNotTrust,
    /// 0.6 to 0.75.
    Pattern,
    /// 0.75 to 0.85.
    Stable,
    /// 0.85 and above.
    HighlyStable,
}

impl Band {
    pub fn of(jaccard: f64) -> Band {
        if jaccard >= 0.85 {
            Band::HighlyStable
        } else if jaccard >= 0.75 {
            Band::Stable
        } else if jaccard >= 0.6 {
            Band::Pattern
        } else {
            Band::DoNotTrust
        }
    }

    /// A mean Jaccard as shown beside its band: two decimals, or three
    /// where two would round it up onto the edge of the next band ("0.849",
    /// not a "0.85" that reads highly stable), cut rather than rounded
    /// where three would too (0.8496 shows "0.849").
    pub fn shown(jaccard: f64) -> String {
        let band = Band::of(jaccard);
        let stays = |text: &str| text.parse::<f64>().is_ok_and(|r| Band::of(r) == band);
        let two = format!("{jaccard:.2}");
        if stays(&two) {
            return two;
        }
        let three = format!("{jaccard:.3}");
        if stays(&three) {
            return three;
        }
        // Cut from the (nearly exact) decimal expansion.
        let long = format!("{jaccard:.17}");
        let cut = long.find('.').map_or(long.len(), |dot| dot + 4);
        long[..cut.min(long.len())].to_string()
    }

    /// In an analyst's words.
    pub fn words(self) -> &'static str {
        match self {
            Band::HighlyStable => "highly stable",
            Band::Stable => "stable",
            Band::Pattern => "a pattern, membership doubtful",
            Band::DoNotTrust => "do not trust",
        }
    }
}

/// The stability of one segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentStability {
    pub segment: usize,
    /// Mean Jaccard over the resamples that held any of its customers.
    pub jaccard: f64,
    /// Half-width of the mean's 95% interval (`1.96 sd / √n`; 0 with fewer
    /// than two resamples).
    #[serde(default)]
    pub margin: f64,
    pub band: Band,
    /// Resamples in which it dissolved (Jaccard below [`DISSOLVED`]).
    pub dissolved: usize,
    /// Resamples that held any of its customers.
    pub resamples: usize,
}

/// The stability of every segment of one K.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub k: usize,
    /// Resamples run.
    pub resamples: usize,
    /// The most resamples asked for (more than `resamples` when the check
    /// stopped early).
    #[serde(default)]
    pub planned: usize,
    /// Stopped before `planned` because every segment's band was settled.
    #[serde(default)]
    pub stopped_early: bool,
    /// Customers the resamples were drawn from.
    pub rows: usize,
    pub segments: Vec<SegmentStability>,
}

impl Stability {
    /// The lowest segment stability.
    pub fn lowest(&self) -> Option<&SegmentStability> {
        self.segments
            .iter()
            .min_by(|a, b| a.jaccard.total_cmp(&b.jaccard))
    }
}

/// What the check needs besides the data and labels.
#[derive(Clone, Debug)]
pub struct StabilityOptions {
    /// The most resamples.
    pub resamples: usize,
    /// Stop once every segment's band is settled (see the module docs).
    pub stop_when_settled: bool,
    /// Customers the resamples are drawn from, at most (0: all).
    pub sample: usize,
    pub seed: u64,
    pub max_iter: usize,
    pub tol: f64,
    pub storage: Storage,
}

/// The stability of the `k` segments `labels` of `x` (one label per row).
pub fn stability<L: SegmentIndex>(
    x: ArrayView2<f64>,
    labels: &[L],
    k: usize,
    opts: &StabilityOptions,
    progress: &dyn Progress,
) -> Result<Stability> {
    let (n, d) = x.dim();
    if labels.len() != n || n == 0 || k == 0 || opts.resamples == 0 {
        return Err(Error::usage(
            "the stability check needs one label per row, K ≥ 1 and at least one resample",
        ));
    }
    let data = &*crate::pipeline::linalg::row_major(&x);
    let rows = sample::rows_without_replacement(
        n,
        limit(opts.sample, n),
        opts.seed,
        STABILITY_SAMPLE_STREAM,
    );
    let base = sample::gather(data, d, &rows);
    let truth: Vec<u32> = rows.iter().map(|&r| labels[r].index() as u32).collect();
    // Counted and reported under one lock, so the fractions never go back.
    let done = Mutex::new(0usize);
    let planned = opts.resamples;
    let mut per_resample: Vec<Vec<Option<f64>>> = Vec::with_capacity(planned);
    let mut stopped_early = false;
    while per_resample.len() < planned {
        let start = per_resample.len();
        let end = if !opts.stop_when_settled {
            planned
        } else if start == 0 {
            MIN_RESAMPLES.min(planned)
        } else {
            (start + ROUND).min(planned)
        };
        let round: Vec<Vec<Option<f64>>> = (start..end)
            .into_par_iter()
            .map(|b| {
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let best = resample_jaccard(&base, d, &truth, k, b as u64, opts)?;
                let mut at = done.lock().unwrap_or_else(|e| e.into_inner());
                *at += 1;
                progress.report(
                    *at as f64 / planned as f64,
                    &format!("stability: resample {at} of at most {planned}"),
                );
                drop(at);
                Ok(best)
            })
            .collect::<Result<_>>()?;
        per_resample.extend(round);
        if opts.stop_when_settled
            && per_resample.len() < planned
            && (0..k).all(|c| summarise(&per_resample, c).settled())
        {
            stopped_early = true;
            progress.report(
                1.0,
                &format!(
                    "stability: every segment settled after {} resamples",
                    per_resample.len()
                ),
            );
            break;
        }
    }
    let segments = (0..k).map(|c| summarise(&per_resample, c)).collect();
    Ok(Stability {
        k,
        resamples: per_resample.len(),
        planned,
        stopped_early,
        rows: rows.len(),
        segments,
    })
}

/// Segment `c`'s stability over the resamples so far.
fn summarise(per_resample: &[Vec<Option<f64>>], c: usize) -> SegmentStability {
    let seen: Vec<f64> = per_resample.iter().filter_map(|v| v[c]).collect();
    let n = seen.len() as f64;
    let jaccard = if seen.is_empty() {
        0.0
    } else {
        seen.iter().sum::<f64>() / n
    };
    let margin = if seen.len() < 2 {
        0.0
    } else {
        let var = seen.iter().map(|j| (j - jaccard).powi(2)).sum::<f64>() / (n - 1.0);
        Z95 * (var / n).sqrt()
    };
    SegmentStability {
        segment: c,
        jaccard,
        margin,
        band: Band::of(jaccard),
        dissolved: seen.iter().filter(|&&j| j < DISSOLVED).count(),
        resamples: seen.len(),
    }
}

impl SegmentStability {
    /// Whether more resamples could still change the band: settled when the
    /// 95% interval of the mean lies inside one band (and was measured on at
    /// least two resamples).
    pub fn settled(&self) -> bool {
        self.resamples >= 2
            && Band::of((self.jaccard - self.margin).max(0.0))
                == Band::of((self.jaccard + self.margin).min(1.0))
    }
}

/// `sample` rows of `n`, 0 meaning all of them.
fn limit(sample: usize, n: usize) -> usize {
    if sample == 0 { n } else { sample.min(n) }
}

/// For each original segment, the best Jaccard with a segment of the fit on
/// bootstrap resample `b` (`None` when the resample holds none of it).
fn resample_jaccard(
    base: &[f64],
    d: usize,
    truth: &[u32],
    k: usize,
    b: u64,
    opts: &StabilityOptions,
) -> Result<Vec<Option<f64>>> {
    let m = truth.len();
    let picks = sample::bootstrap(m, opts.seed, RESAMPLE_STREAM + b);
    let drawn = sample::gather(base, d, &picks);
    let view = ArrayView2::from_shape((m, d), &drawn).expect("m × d rows");
    let distinct = {
        let mut p = picks.clone();
        p.dedup();
        p.len()
    };
    if distinct < k {
        return Ok(vec![None; k]);
    }
    let cfg = KMeansConfig {
        k,
        n_init: RESTARTS,
        max_iter: opts.max_iter,
        tol: opts.tol,
        seed: opts
            .seed
            .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        init: Init::KMeansPlusPlus,
        storage: opts.storage,
    };
    let fit = match kmeans(view, &cfg, &NoProgress) {
        Ok(fit) => fit,
        // Fewer distinct rows than K in this resample: no verdict from it.
        Err(Error::Data(_) | Error::DataWithRemedy { .. }) => return Ok(vec![None; k]),
        Err(e) => return Err(e),
    };
    // Contingency of original × new segments over the distinct customers
    // of the resample (a row drawn twice is one customer).
    let kn = fit.k;
    let mut table = vec![0usize; k * kn];
    let mut previous = None;
    for (i, &row) in picks.iter().enumerate() {
        if previous == Some(row) {
            continue;
        }
        previous = Some(row);
        table[truth[row] as usize * kn + fit.labels[i] as usize] += 1;
    }
    let new_sizes: Vec<usize> = (0..kn)
        .map(|j| (0..k).map(|c| table[c * kn + j]).sum())
        .collect();
    Ok((0..k)
        .map(|c| {
            let row = &table[c * kn..(c + 1) * kn];
            let size: usize = row.iter().sum();
            (size > 0).then(|| {
                row.iter()
                    .zip(&new_sizes)
                    .map(|(&both, &other)| both as f64 / (size + other - both) as f64)
                    .fold(0.0, f64::max)
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shown stability never reads as the next band up.
    #[test]
    fn a_shown_jaccard_stays_in_its_band() {
        assert_eq!(Band::shown(0.849), "0.849");
        assert_eq!(Band::shown(0.8496), "0.849");
        assert_eq!(Band::shown(0.8451), "0.845");
        assert_eq!(Band::shown(0.85f64.next_down()), "0.849");
        assert_eq!(Band::shown(0.7499), "0.749");
        assert_eq!(Band::shown(0.5951), "0.595");
        assert_eq!(Band::shown(0.85), "0.85");
        assert_eq!(Band::shown(0.8549), "0.85");
        assert_eq!(Band::shown(0.97), "0.97");
        assert_eq!(Band::shown(0.844), "0.84");
        for i in 0..=100_000 {
            let j = i as f64 / 100_000.0;
            let shown: f64 = Band::shown(j).parse().unwrap();
            assert_eq!(Band::of(shown), Band::of(j), "{j}");
            assert!((shown - j).abs() <= 0.005 + 1e-12, "{j}");
        }
    }

    #[test]
    fn a_band_is_settled_only_when_its_interval_stays_inside_it() {
        let seg = |jaccard: f64, margin: f64, resamples: usize| SegmentStability {
            segment: 0,
            jaccard,
            margin,
            band: Band::of(jaccard),
            dissolved: 0,
            resamples,
        };
        assert!(seg(0.97, 0.01, 20).settled());
        assert!(seg(1.0, 0.0, 20).settled());
        assert!(seg(0.70, 0.04, 20).settled());
        // The interval crosses 0.75 or 0.6: more resamples could change the reading.
        assert!(!seg(0.76, 0.02, 20).settled());
        assert!(!seg(0.61, 0.02, 30).settled());
        assert!(!seg(0.86, 0.02, 50).settled());
        // One resample has no interval.
        assert!(!seg(0.97, 0.0, 1).settled());
    }

    #[test]
    fn the_margin_is_the_95_percent_half_width_of_the_mean() {
        let runs: Vec<Vec<Option<f64>>> = [0.8, 0.9, 1.0, 0.9]
            .iter()
            .map(|&j| vec![Some(j), None])
            .collect();
        let s = summarise(&runs, 0);
        assert!((s.jaccard - 0.9).abs() < 1e-12);
        // sd = sqrt(0.02 / 3); margin = 1.96 sd / 2.
        let want = 1.96 * (0.02f64 / 3.0).sqrt() / 2.0;
        assert!((s.margin - want).abs() < 1e-12, "{}", s.margin);
        let absent = summarise(&runs, 1);
        assert_eq!(
            (absent.resamples, absent.margin, absent.settled()),
            (0, 0.0, false)
        );
    }

    #[test]
    fn bands_follow_hennig() {
        assert_eq!(Band::of(0.59), Band::DoNotTrust);
        assert_eq!(Band::of(0.6), Band::Pattern);
        assert_eq!(Band::of(0.75), Band::Stable);
        assert_eq!(Band::of(0.85), Band::HighlyStable);
    }
}
