//! The structure verdict: are the segments natural groups, or a convenient
//! partition of customers who form one continuum?
//!
//! Three pieces of evidence, each with a published reading:
//!
//! - **gap statistic** (Tibshirani et al. 2001, [`super::gap`]): does any
//!   number of segments shrink the spread within segments more than
//!   cutting structureless data of the same shape would? If not, there is
//!   nothing to find: verdict `none`.
//! - **silhouette** of the chosen K (Kaufman & Rousseeuw 1990): at most
//!   [`SILHOUETTE_NONE`] "no substantial structure"; their "weak, could be
//!   artificial" band runs to 0.50. custseg calls the structure clear from
//!   [`SILHOUETTE_CLEAR`] up when the other two agree: skewed bank data
//!   with real groups rarely reach 0.5, but below 0.35 the segments overlap
//!   so much that a customer's segment is often a coin toss.
//! - **stability** (Hennig 2007, [`super::stability`]): every segment at
//!   least "stable" (≥ 0.75) for a clear verdict; most segments below 0.6
//!   means the partition dissolves when the data change a little.
//!
//! `clear`: gap structure, silhouette ≥ [`SILHOUETTE_CLEAR`], every segment
//! stable (when stability was measured). `none`: no gap structure, or a
//! silhouette ≤ [`SILHOUETTE_NONE`] with most segments unstable. `weak`:
//! everything between.

use super::gap::GapCurve;
use super::stability::{Band, Stability};
use crate::pipeline::k_choice;
use serde::{Deserialize, Serialize};

/// Kaufman & Rousseeuw: at or below this, no substantial structure.
pub const SILHOUETTE_NONE: f64 = 0.25;
/// From this silhouette on (with the other evidence) the structure is clear.
pub const SILHOUETTE_CLEAR: f64 = 0.35;
/// Every segment at least this stable for a clear verdict (Hennig's "stable").
pub const STABLE: f64 = 0.75;
/// Below this a segment is not to be trusted (Hennig).
pub const UNSTABLE: f64 = 0.6;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Natural groups: separated, stable, and more than structureless data give.
    Clear,
    /// Some grouping, but the segments overlap or some are unstable.
    Weak,
    /// No natural groups: the segments are a convenient partition.
    None,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Clear => "clear",
            Verdict::Weak => "weak",
            Verdict::None => "none",
        }
    }
}

/// The verdict and the evidence behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub verdict: Verdict,
    /// Each piece of evidence in words (no flags or keys: the faces add
    /// what to do).
    pub reasons: Vec<String>,
    /// Silhouette of the chosen K.
    pub silhouette: Option<f64>,
    /// Whether some K of the range beats structureless data (gap
    /// statistic); `None` without the gap statistic.
    pub gap_structure: Option<bool>,
    /// The lowest segment stability; `None` when not measured.
    pub lowest_stability: Option<f64>,
}

/// What the verdict reads.
pub struct Evidence<'a> {
    pub k: usize,
    pub silhouette: Option<f64>,
    pub gap: Option<&'a GapCurve>,
    pub k_min: usize,
    pub k_max: usize,
    pub stability: Option<&'a Stability>,
    /// Why there is no stability, when there is none.
    pub not_measured: Option<super::NotMeasured>,
}

/// The verdict from the evidence.
pub fn judge(e: &Evidence) -> Structure {
    let mut reasons = Vec::new();
    let gap_structure = e.gap.map(|g| gap_reason(g, e, &mut reasons));
    let silhouette = e.silhouette;
    match silhouette {
        Some(s) => reasons.push(silhouette_reason(e.k, s)),
        None => reasons.push(format!("no silhouette for K={}", e.k)),
    }
    let lowest_stability = e.stability.and_then(|s| {
        reasons.push(stability_reason(s));
        s.lowest().map(|l| l.jaccard)
    });
    if e.stability.is_none() {
        reasons.push(not_measured_reason(e.not_measured));
    }
    let unstable_majority = e.stability.is_some_and(|s| {
        2 * s.segments.iter().filter(|x| x.jaccard < UNSTABLE).count() > s.segments.len()
    });
    let sil = silhouette.unwrap_or(0.0);
    let verdict = if gap_structure == Some(false) || (sil <= SILHOUETTE_NONE && unstable_majority) {
        Verdict::None
    } else if sil >= SILHOUETTE_CLEAR
        && gap_structure != Some(false)
        && lowest_stability.is_none_or(|l| l >= STABLE)
    {
        Verdict::Clear
    } else {
        Verdict::Weak
    };
    Structure {
        verdict,
        reasons,
        silhouette,
        gap_structure,
        lowest_stability,
    }
}

/// Whether some K of the range beats structureless data, with the reason.
fn gap_reason(g: &GapCurve, e: &Evidence, reasons: &mut Vec<String>) -> bool {
    let strong: Vec<usize> = k_choice::strong_steps(g, e.k_min, e.k_max)
        .into_iter()
        .filter(|s| s.1)
        .map(|s| s.0)
        .collect();
    let Some((last, first)) = strong.split_last() else {
        reasons.push(
            "no number of segments separates the customers better than structureless data \
             of the same shape would (gap statistic)"
                .to_string(),
        );
        return false;
    };
    let steps = if first.is_empty() {
        format!("the step to K={last} separates")
    } else {
        let first: Vec<String> = first.iter().map(|k| k.to_string()).collect();
        format!(
            "the steps to K={} and {last} each separate",
            first.join(", ")
        )
    };
    reasons.push(format!(
        "the gap statistic finds grouping beyond structureless data: {steps} the customers \
         clearly"
    ));
    true
}

fn not_measured_reason(why: Option<super::NotMeasured>) -> String {
    use super::NotMeasured::*;
    match why {
        Some(TooFewCustomers { customers, needed }) => format!(
            "segment stability was not measured: {customers} customers are too few to resample \
             (it needs {needed}, {} per segment)",
            super::MIN_PER_SEGMENT
        ),
        Some(OneSegment) => "a single segment has no stability to measure".to_string(),
        Some(TurnedOff) | None => "segment stability was not measured".to_string(),
    }
}

fn silhouette_reason(k: usize, s: f64) -> String {
    let reading = if s > 0.5 {
        "segments well separated"
    } else if s >= SILHOUETTE_CLEAR {
        "segments separated but touching"
    } else if s > SILHOUETTE_NONE {
        "segments overlap a lot"
    } else {
        "no substantial separation between segments"
    };
    format!("silhouette {s:.2} at K={k}: {reading}")
}

fn stability_reason(s: &Stability) -> String {
    let count = |b: Band| s.segments.iter().filter(|x| x.band == b).count();
    let Some(low) = s.lowest() else {
        return "no segment to measure".to_string();
    };
    let parts: Vec<String> = [
        Band::HighlyStable,
        Band::Stable,
        Band::Pattern,
        Band::DoNotTrust,
    ]
    .into_iter()
    .filter(|&b| count(b) > 0)
    .map(|b| format!("{} {}", count(b), b.words()))
    .collect();
    format!(
        "stability over {} bootstrap resamples: {} (lowest: segment {} at {})",
        s.resamples,
        parts.join(", "),
        low.segment,
        Band::shown(low.jaccard)
    )
}
