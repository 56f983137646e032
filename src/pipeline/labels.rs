//! Segment labels and actions that fit the data.
//!
//! # Which set of labels
//!
//! The set follows what the features are ([`resolve_scheme`]):
//! - RFM only (Recency with Frequency and/or Monetary and nothing else):
//!   Champions, Loyal, Potential Loyalists, New, At Risk, Hibernating, Lost;
//! - the bank template (a value feature, Balance or Monetary, and an
//!   activity feature, Frequency or Recency): the five bank labels;
//! - credit-card usage (three of purchases, cash advance, credit limit,
//!   payments): Transactors, Revolvers, Cash-Advance Users, Instalment
//!   Buyers, Inactive;
//! - anything else: descriptive names from the segment's traits.
//!
//! # Which segment gets which label
//!
//! Each label has a fit score, a weighted sum of the segment's *signals*
//! ([`crate::pipeline::profile`]; ×4, so about −2..2 per feature, decided
//! in original units), and a gate that keeps it from segments it cannot
//! describe: churn labels (Dormant, At Risk, Hibernating, Lost) need a
//! segment less recent than average and never go to new customers (short
//! tenure); Champions and Loyal need recent-enough customers; and so on.
//! A label is given only when its score is at least [`FIT_MIN`] and its
//! gate holds; otherwise the segment gets a descriptive name and the
//! reason says which label came closest.
//!
//! The segment with the highest median value (Balance, else Monetary) gets
//! the top label (VIP, Champions) when it fits it. The other labels go to
//! segments by an optimal one-to-one assignment (Hungarian algorithm,
//! O(k³)) maximising the total fit, where "no label" is always allowed, so
//! a healthy segment is never forced into "At Risk" just to use the label.
//! A segment left without a label of its own takes the best label that
//! fits it again with a numeral ("Lost II"), else a descriptive name.

use crate::pipeline::log_tenure::NEW_IN_LOG;
use crate::pipeline::mapping::normalise;
use crate::pipeline::profile::{ColumnStat, Direction, FeatureStat};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod assign;
mod descriptive;
mod fit;
pub mod identity;
mod sets;

use fit::*;

pub use assign::{Labelled, assign, hungarian};
pub use descriptive::{descriptive_action, descriptive_name};
pub use fit::Signals;
pub use sets::{BANK_LABELS, CARD_LABELS, LabelDef, RFM_LABELS, label_set, resolve_scheme};

/// Template feature names the scoring rules look for.
pub mod names {
    pub const RECENCY: &str = "Recency";
    pub const FREQUENCY: &str = "Frequency";
    pub const MONETARY: &str = "Monetary";
    pub const TENURE: &str = "Tenure";
    pub const PRODUCT_DEPTH: &str = "Product_Depth";
    pub const AGE: &str = "Age";
    pub const BALANCE: &str = "Balance";
}

/// Which family of labels to use.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_label_scheme
)]
pub enum LabelScheme {
    /// Chosen from the features (see the module docs).
    #[default]
    #[strum(to_string = "auto")]
    Auto,
    #[strum(to_string = "bank")]
    Bank,
    #[strum(to_string = "rfm")]
    Rfm,
    #[strum(
        to_string = "card",
        serialize = "credit-card",
        serialize = "credit_card"
    )]
    Card,
    #[strum(to_string = "descriptive", serialize = "generic")]
    Descriptive,
}

fn unknown_label_scheme(s: &str) -> String {
    format!("unknown label scheme '{s}' (auto, bank, rfm, card, descriptive)")
}

impl LabelScheme {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// A user's edit of one segment's label or action (TUI rename, RunConfig).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelOverride {
    pub label: Option<String>,
    pub action: Option<String>,
    /// The label the segment had when the edit was made (for the reader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_on: Option<String>,
    /// The segment's identity: its centre in original units, by feature.
    /// With it the edit follows its segment to another number after a
    /// refit ([`identity`]); without it (a hand-written edit) it applies
    /// to the segment number it is saved under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub centre: Option<BTreeMap<String, f64>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelOptions {
    pub scheme: LabelScheme,
    /// Segment number (0-based) when the edit was made -> label/action
    /// edits (applied by identity when they carry one, see [`identity`]).
    pub overrides: BTreeMap<u32, LabelOverride>,
    /// Label -> action, replacing the built-in recommendation for that label.
    pub actions: BTreeMap<String, String>,
}

/// A segment counts as lapsing only when its median recency is at least
/// this many times everyone's ...
pub const LAPSED_RECENCY_RATIO: f64 = 1.5;
/// ... and at least this many days.
pub const LAPSED_MIN_DAYS: f64 = 30.0;

/// Smallest fit score for a label.
pub const FIT_MIN: f64 = 0.5;

/// The final label, action and reason of segment `id`: the automatic ones
/// with the user's edits applied.
pub fn finish(
    auto: &Labelled,
    id: u32,
    _features: &[FeatureStat],
    opts: &LabelOptions,
) -> (String, String, String) {
    let mut label = auto.name.clone();
    let mut action = opts
        .actions
        .get(&label)
        .cloned()
        .unwrap_or_else(|| auto.action.clone());
    if let Some(o) = opts.overrides.get(&id) {
        if let Some(l) = &o.label {
            label = l.clone();
            if let Some(a) = opts.actions.get(l) {
                action = a.clone();
            }
        }
        if let Some(a) = &o.action {
            action = a.clone();
        }
    }
    (label, action, auto.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::profile::direction_of;

    /// A segment's stats from signals (effect units, −0.5..0.5); means and
    /// medians follow the sign so the signals hold.
    fn seg(features: &[&str], signals: &[f64], median_value: f64) -> Vec<FeatureStat> {
        features
            .iter()
            .zip(signals)
            .map(|(f, &s)| FeatureStat {
                feature: f.to_string(),
                mean: 100.0 + s,
                median: if *f == names::BALANCE || *f == names::MONETARY {
                    median_value
                } else {
                    100.0 + s
                },
                overall_mean: 100.0,
                overall_median: 100.0,
                ratio: None,
                percentile: 50.0 + 100.0 * s,
                effect: s,
                signal: s,
                direction: direction_of(s),
                z: 4.0 * s,
                z_scale: Default::default(),
                binary: false,
            })
            .collect()
    }

    fn labels(scheme: LabelScheme, segs: &[Vec<FeatureStat>]) -> Vec<String> {
        let sizes = vec![100; segs.len()];
        assign(scheme, segs, &[], &sizes)
            .into_iter()
            .map(|l| l.name)
            .collect()
    }

    /// A segment's `new_in_log` column: `share` new against `overall`.
    fn new_share(share: f64, overall: f64) -> Vec<ColumnStat> {
        vec![ColumnStat {
            column: NEW_IN_LOG.to_string(),
            flag: true,
            mean: share,
            median: share.round(),
            overall_mean: overall,
            overall_median: overall.round(),
            present: 100,
        }]
    }

    #[test]
    fn a_logs_new_in_log_share_stands_in_for_tenure() {
        let stats: &[FeatureStat] = &[];
        let signal = |columns: &[ColumnStat]| Signals { stats, columns }.get(names::TENURE);
        // All new where 20% are: as short a tenure as there is.
        assert_eq!(signal(&new_share(1.0, 0.2)), -2.0);
        // None new where 20% are: long-standing.
        assert_eq!(signal(&new_share(0.0, 0.2)), 2.0);
        // Half the usual share of newcomers: half as strong.
        assert!((signal(&new_share(0.1, 0.2)) - 1.0).abs() < 1e-12);
        // Too few newcomers in the log to say anything, or no column.
        assert_eq!(signal(&new_share(0.0, 0.01)), 0.0);
        assert_eq!(signal(&[]), 0.0);
        // A Tenure feature, when there is one, wins.
        let tenure = seg(&["Tenure"], &[0.25], 100.0);
        let s = Signals {
            stats: &tenure,
            columns: &new_share(1.0, 0.2),
        };
        assert_eq!(s.get(names::TENURE), 1.0);
    }

    const BANK: [&str; 7] = [
        "Recency",
        "Frequency",
        "Monetary",
        "Tenure",
        "Product_Depth",
        "Age",
        "Balance",
    ];

    #[test]
    fn bank_labels_go_to_the_segments_they_describe() {
        let z = |v: [f64; 7], bal: f64| seg(&BANK, &v.map(|x| x / 4.0), bal);
        let segs = vec![
            z([2.0, -1.2, -0.8, 0.0, -0.5, 0.2, -0.7], 50.0), // dormant
            z([-0.3, 0.3, 1.0, 0.8, 1.5, 0.9, 2.2], 900.0),   // vip
            z([-0.9, 2.0, 1.2, 0.0, 0.2, -0.2, 0.1], 120.0),  // active
            z([-0.2, 0.2, -0.5, -1.3, -0.8, -1.4, -0.6], 60.0), // potential
            z([0.1, -0.3, -0.2, 1.2, 0.4, 0.6, 0.2], 130.0),  // stable
        ];
        assert_eq!(
            labels(LabelScheme::Bank, &segs),
            [
                "Dormant / Churn-Warning Customers",
                "High-Value Customers (VIP)",
                "Active Transaction Customers",
                "Potential Customers",
                "Stable Customers"
            ]
        );
    }

    #[test]
    fn hungarian_is_optimal_not_greedy() {
        // Greedy (row 0 takes its cheapest column first) would give 0->0,
        // 1->1 = -10 - 1; optimal: 0->1, 1->0 = -9 - 9.
        let c = [[-10.0, -9.0], [-9.0, -1.0]];
        assert_eq!(hungarian(2, 2, |i, j| c[i][j]), [1, 0]);
        // Rectangular: 2 rows, 3 columns.
        let c = [[5.0, 1.0, 3.0], [2.0, 4.0, 0.5]];
        assert_eq!(hungarian(2, 3, |i, j| c[i][j]), [1, 2]);
    }

    #[test]
    fn hungarian_matches_brute_force_on_random_matrices() {
        let mut state = 12345u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 1000) as f64 / 100.0
        };
        for n in 1..=5 {
            for m in n..=6 {
                let c: Vec<Vec<f64>> = (0..n).map(|_| (0..m).map(|_| rnd()).collect()).collect();
                let got = hungarian(n, m, |i, j| c[i][j]);
                let total: f64 = got.iter().enumerate().map(|(i, &j)| c[i][j]).sum();
                let best = brute(&c, 0, &mut vec![false; m]);
                assert!((total - best).abs() < 1e-9, "{n}x{m}: {total} vs {best}");
            }
        }
    }

    fn brute(c: &[Vec<f64>], i: usize, used: &mut Vec<bool>) -> f64 {
        if i == c.len() {
            return 0.0;
        }
        let mut best = f64::INFINITY;
        for j in 0..used.len() {
            if !used[j] {
                used[j] = true;
                best = best.min(c[i][j] + brute(c, i + 1, used));
                used[j] = false;
            }
        }
        best
    }

    #[test]
    fn two_hundred_segments_are_labelled_at_once() {
        let segs: Vec<Vec<FeatureStat>> = (0..200)
            .map(|c| {
                let r = f64::from(c % 9) / 10.0 - 0.4;
                let f = f64::from((c * 7) % 9) / 10.0 - 0.4;
                seg(&BANK, &[r, f, -f, 0.1, 0.0, 0.0, f], 100.0 + f64::from(c))
            })
            .collect();
        let start = std::time::Instant::now();
        let got = labels(LabelScheme::Bank, &segs);
        assert_eq!(got.len(), 200);
        // Generous even for a debug build on a busy machine; the old
        // exhaustive search never finished.
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn a_healthy_segment_is_not_forced_into_a_churn_label() {
        // Two recent, regular segments and a champion: nobody is lapsing,
        // so no churn label is used.
        let f = ["Recency", "Frequency", "Monetary"];
        let segs = vec![
            seg(&f, &[-0.3, 0.3, 0.35], 900.0),
            seg(&f, &[-0.15, 0.05, 0.0], 100.0),
            seg(&f, &[-0.2, -0.05, -0.1], 80.0),
        ];
        let got = labels(LabelScheme::Rfm, &segs);
        assert_eq!(got[0], "Champions");
        for l in &got {
            assert!(
                !["At Risk", "Hibernating", "Lost"]
                    .iter()
                    .any(|c| l.starts_with(c)),
                "{got:?}"
            );
        }
    }

    #[test]
    fn new_customers_are_never_dormant() {
        // Low frequency, less recent than average, but a short tenure.
        let segs = vec![
            seg(&BANK, &[0.3, -0.3, -0.2, -0.4, -0.2, -0.1, -0.2], 50.0),
            seg(&BANK, &[-0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.2], 500.0),
        ];
        let got = labels(LabelScheme::Bank, &segs);
        assert!(!got[0].starts_with("Dormant"), "{got:?}");
    }

    #[test]
    fn the_highest_value_segment_gets_the_top_label() {
        // Segment 1 has the highest balance but a lower fit sum than a
        // maximal assignment would give it elsewhere.
        let segs = vec![
            seg(&BANK, &[-0.2, 0.45, 0.45, 0.0, 0.3, 0.0, 0.3], 300.0),
            seg(&BANK, &[-0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.4], 2000.0),
        ];
        let got = labels(LabelScheme::Bank, &segs);
        assert_eq!(got[1], "High-Value Customers (VIP)", "{got:?}");
    }

    #[test]
    fn schemes_follow_the_features() {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = |f: &[&str]| resolve_scheme(LabelScheme::Auto, &names(f)).0;
        assert_eq!(s(&["Recency", "Frequency", "Monetary"]), LabelScheme::Rfm);
        assert_eq!(s(&BANK), LabelScheme::Bank);
        assert_eq!(
            s(&[
                "BALANCE",
                "PURCHASES",
                "CASH_ADVANCE",
                "CREDIT_LIMIT",
                "PAYMENTS"
            ]),
            LabelScheme::Card
        );
        assert_eq!(s(&["x", "y"]), LabelScheme::Descriptive);
    }

    #[test]
    fn descriptive_names_and_actions_come_from_the_traits() {
        let f = ["BALANCE", "CASH_ADVANCE", "PRC_FULL_PAYMENT"];
        let stats = seg(&f, &[0.02, 0.35, -0.2], 100.0);
        assert_eq!(
            descriptive_name(&stats),
            "High cash advance, Low prc full payment"
        );
        let a = descriptive_action(&stats);
        assert!(a.contains("cheaper credit line"), "{a}");
        assert_eq!(
            descriptive_name(&seg(&f, &[0.01, 0.02, -0.03], 100.0)),
            "Average profile"
        );
    }
}
