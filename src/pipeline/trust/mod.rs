//! Can these segments be trusted? The checks a careful analyst runs before
//! acting on a segmentation: the gap statistic against structureless data
//! ([`gap`], computed with the sweep and read by the K rule), bootstrap
//! stability of each segment ([`stability`]), the structure verdict that
//! sums them up ([`verdict`]), and rules that explain each segment in
//! original units ([`crate::pipeline::rules`]).

pub mod gap;
pub mod sample;
pub mod stability;
pub mod verdict;

use crate::pipeline::cluster::SweepResult;
use crate::pipeline::features::Features;
use crate::pipeline::progress::Progress;
use crate::pipeline::rules::{self, Rules};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
pub use stability::{Band, Stability};
pub use verdict::{Structure, Verdict};

/// Customers per segment (on average) the stability check needs: with
/// fewer, a bootstrap resample barely differs from the data and every
/// segment looks "stable" whatever its shape.
pub const MIN_PER_SEGMENT: usize = 10;

/// Why the segments' stability was not measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum NotMeasured {
    /// Turned off (`stability_resamples = 0`).
    TurnedOff,
    /// A single segment: nothing to tell apart.
    OneSegment,
    /// Fewer than [`MIN_PER_SEGMENT`] customers per segment.
    TooFewCustomers { customers: usize, needed: usize },
}

/// Everything the checks found for the chosen K's segments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trust {
    pub k: usize,
    pub structure: Structure,
    /// `None` when not measured (see `stability_not_measured`).
    pub stability: Option<Stability>,
    /// Why `stability` is `None`.
    #[serde(default)]
    pub stability_not_measured: Option<NotMeasured>,
    /// `None` for a single segment.
    pub rules: Option<Rules>,
    /// The chosen K is the last of the swept range and segments still paid
    /// there (see [`crate::pipeline::k_choice`]).
    pub k_at_edge: bool,
}

impl Trust {
    /// The stability of segment `id`, when measured.
    pub fn stability_of(&self, id: usize) -> Option<&stability::SegmentStability> {
        self.stability.as_ref()?.segments.get(id)
    }
    /// The rule of segment `id`, when there are rules.
    pub fn rule_of(&self, id: usize) -> Option<&rules::SegmentRule> {
        self.rules.as_ref()?.rule(id)
    }
}

/// What the checks need besides the data and the sweep.
#[derive(Clone, Debug)]
pub struct TrustOptions {
    /// Bootstrap resamples at most (0: no stability check).
    pub resamples: usize,
    /// Stop once every segment's stability band is settled.
    pub stop_when_settled: bool,
    /// Customers the resamples are drawn from, at most (the sweep's fit
    /// sample; 0: all).
    pub sample: usize,
    pub seed: u64,
    pub max_iter: usize,
    pub tol: f64,
    pub storage: crate::pipeline::cluster::Storage,
    /// The chosen K is at the edge of the range (from the K rule).
    pub at_edge: bool,
}

/// Stability, rules and the verdict for the sweep's fit at `k`.
pub fn assess(
    features: &Features,
    sweep: &SweepResult,
    k: usize,
    opts: &TrustOptions,
    progress: &dyn Progress,
) -> Result<Trust> {
    let result = sweep
        .get(k)
        .ok_or_else(|| Error::usage(format!("K={k} was not computed by the sweep")))?;
    let fit = &result.fit;
    let not_measured = if opts.resamples == 0 {
        Some(NotMeasured::TurnedOff)
    } else if k < 2 {
        Some(NotMeasured::OneSegment)
    } else if features.n < MIN_PER_SEGMENT * k {
        Some(NotMeasured::TooFewCustomers {
            customers: features.n,
            needed: MIN_PER_SEGMENT * k,
        })
    } else {
        None
    };
    // The rules need only the fit: they grow while the resamples run.
    let measure_stability = || -> Result<Option<Stability>> {
        if not_measured.is_some() {
            return Ok(None);
        }
        let so = stability::StabilityOptions {
            resamples: opts.resamples,
            stop_when_settled: opts.stop_when_settled,
            sample: opts.sample,
            seed: opts.seed,
            max_iter: opts.max_iter,
            tol: opts.tol,
            storage: opts.storage,
        };
        stability::stability(features.view(), &fit.labels, k, &so, progress).map(Some)
    };
    let explain = || -> Result<Option<Rules>> {
        if k < 2 {
            return Ok(None);
        }
        rules::explain(features, &fit.labels, &fit.centres, k, opts.seed).map(Some)
    };
    let (stability, rules) = rayon::join(measure_stability, explain);
    let (stability, rules) = (stability?, rules?);
    let structure = verdict::judge(&verdict::Evidence {
        k,
        silhouette: result.metrics.silhouette,
        gap: sweep.gap.as_ref(),
        k_min: sweep.k_min,
        k_max: sweep.k_max,
        stability: stability.as_ref(),
        not_measured,
    });
    Ok(Trust {
        k,
        structure,
        stability,
        stability_not_measured: not_measured,
        rules,
        k_at_edge: opts.at_edge,
    })
}

/// A slice `[base, base + width]` of another progress bar, for a check that
/// runs inside a longer stage.
pub struct Scaled<'a> {
    inner: &'a dyn Progress,
    base: f64,
    width: f64,
}

impl<'a> Scaled<'a> {
    pub fn new(inner: &'a dyn Progress, base: f64, width: f64) -> Self {
        Scaled { inner, base, width }
    }
}

impl Progress for Scaled<'_> {
    fn report(&self, fraction: f64, message: &str) {
        let f = self.base + self.width * fraction.clamp(0.0, 1.0);
        self.inner.report(f.min(1.0), message);
    }
    fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
    fn k_fitted(&self, k: &crate::pipeline::progress::KFitted) {
        self.inner.k_fitted(k);
    }
}
