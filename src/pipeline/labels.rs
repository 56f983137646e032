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
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelOptions {
    pub scheme: LabelScheme,
    /// Segment number (0-based) -> label/action edits.
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

/// A segment's signals by feature name, ×4 (about −2..2), 0 when absent.
pub struct Signals<'a> {
    stats: &'a [FeatureStat],
    /// The segment's profile-only columns (a log's `new_in_log`).
    columns: &'a [ColumnStat],
}

/// Below this share of new customers in the whole log, "no new customers"
/// says nothing about a segment.
pub const NEW_IN_LOG_MIN_SHARE: f64 = 0.05;

impl Signals<'_> {
    pub fn get(&self, name: &str) -> f64 {
        match self.stats.iter().find(|f| f.feature == name) {
            Some(f) => 4.0 * f.signal,
            None if name == names::TENURE => self.established(),
            None => 0.0,
        }
    }
    /// A log has no Tenure (its window censors it) but says who is new:
    /// how far the segment's share of new customers `s` lies below
    /// everyone's `p`, as a part of `p` (all of the expected newcomers
    /// missing: +2, like a strong long tenure), or above it, as a part of
    /// `1 - p` (all new: −2).
    fn established(&self) -> f64 {
        let Some(c) = self.columns.iter().find(|c| c.column == NEW_IN_LOG) else {
            return 0.0;
        };
        let (s, p) = (c.mean, c.overall_mean);
        if !(s.is_finite() && p.is_finite() && (NEW_IN_LOG_MIN_SHARE..1.0).contains(&p)) {
            return 0.0;
        }
        2.0 * if s <= p {
            (p - s) / p
        } else {
            (p - s) / (1.0 - p)
        }
    }
    pub fn has(&self, name: &str) -> bool {
        self.stats.iter().any(|f| f.feature == name)
    }
    /// Mean signal of the features whose name matches a card concept.
    fn concept(&self, c: Concept) -> f64 {
        let v: Vec<f64> = self
            .stats
            .iter()
            .filter(|f| concept_of(&f.feature) == Some(c))
            .map(|f| 4.0 * f.signal)
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    }
    /// Mean of the present value features (Balance, Monetary).
    fn value(&self) -> f64 {
        let v: Vec<f64> = [names::BALANCE, names::MONETARY]
            .iter()
            .filter(|n| self.has(n))
            .map(|n| self.get(n))
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    }
    /// Not newer than average (tenure not low) when tenure is known.
    fn not_new(&self) -> bool {
        self.get(names::TENURE) > -4.0 * crate::pipeline::profile::TRAIT_SIGNAL
    }
    /// The condition of every churn label. With recency known: recency is
    /// high (a trait, not noise), the segment's median time since the last
    /// activity is at least 1.5 times everyone's and at least 30 days, so
    /// customers who all bought lately are never called lapsing. Else:
    /// frequency is low.
    fn lapsing(&self) -> bool {
        let trait_level = 4.0 * crate::pipeline::profile::TRAIT_SIGNAL;
        if self.has(names::RECENCY) {
            let long_ago = self
                .stats
                .iter()
                .find(|f| f.feature == names::RECENCY)
                .is_some_and(|f| {
                    f.median >= LAPSED_MIN_DAYS && f.ratio.is_none_or(|r| r >= LAPSED_RECENCY_RATIO)
                });
            self.get(names::RECENCY) >= trait_level && long_ago
        } else {
            self.get(names::FREQUENCY) <= -trait_level
        }
    }
}

/// One label of a set: its name, the built-in action, how well a segment
/// fits it and whether it can describe the segment at all.
pub struct LabelDef {
    pub name: &'static str,
    pub action: &'static str,
    pub score: fn(&Signals) -> f64,
    pub gate: fn(&Signals) -> bool,
}

pub const BANK_LABELS: [LabelDef; 5] = [
    LabelDef {
        name: "High-Value Customers (VIP)",
        action: "Assign a dedicated relationship manager; offer wealth-management, private-banking and premium card products.",
        score: |s| s.value() + 0.5 * s.get(names::PRODUCT_DEPTH),
        gate: |s| s.value() > 0.0,
    },
    LabelDef {
        name: "Potential Customers",
        action: "Cross-sell a credit card or personal loan and a regular savings plan; nurture with digital onboarding offers.",
        score: |s| {
            let act = (s.get(names::FREQUENCY) - s.get(names::RECENCY)) / 2.0;
            -0.5 * s.get(names::AGE) - 0.5 * s.get(names::TENURE) + act / 3.0 - s.value() / 3.0
        },
        gate: |s| s.get(names::AGE) < 0.0 || s.get(names::TENURE) < 0.0,
    },
    LabelDef {
        name: "Stable Customers",
        action: "Reward loyalty: term deposits, loyalty points and bundled fee waivers to keep balances in.",
        score: |s| {
            let act = (s.get(names::FREQUENCY) - s.get(names::RECENCY)) / 2.0;
            s.get(names::TENURE) + 0.5 * s.get(names::PRODUCT_DEPTH) - 0.5 * act.abs()
        },
        gate: |s| s.get(names::TENURE) > 0.0,
    },
    LabelDef {
        name: "Active Transaction Customers",
        action: "Offer transaction-fee packages, mobile-banking and payment upsells; promote cards with cash-back on spend.",
        score: |s| {
            s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY) - 0.5 * s.get(names::RECENCY)
        },
        gate: |s| s.get(names::FREQUENCY) > 0.0 || s.get(names::RECENCY) < 0.0,
    },
    LabelDef {
        name: "Dormant / Churn-Warning Customers",
        action: "Run a win-back and retention campaign: reactivation offers, a service call, and fee reviews before they leave.",
        score: |s| s.get(names::RECENCY) - s.get(names::FREQUENCY) - 0.5 * s.value(),
        gate: |s| s.lapsing() && s.not_new(),
    },
];

pub const RFM_LABELS: [LabelDef; 7] = [
    LabelDef {
        name: "Champions",
        action: "Reward them: early access to new products, VIP service and referral rewards; they need no discounts.",
        score: |s| -s.get(names::RECENCY) + s.get(names::FREQUENCY) + s.get(names::MONETARY),
        gate: |s| s.champion(),
    },
    LabelDef {
        name: "Loyal",
        action: "Upsell higher-value products and bundles; invite them to the loyalty programme and ask for reviews.",
        score: |s| {
            s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY)
                - 0.5 * s.get(names::RECENCY).max(0.0)
        },
        gate: |s| s.get(names::FREQUENCY) > 0.0 && !s.lapsing_strongly(),
    },
    LabelDef {
        name: "Potential Loyalists",
        action: "Recent buyers: offer membership and personalised recommendations to turn a few purchases into a habit.",
        score: |s| -s.get(names::RECENCY) - 0.5 * s.get(names::FREQUENCY).abs(),
        gate: |s| s.get(names::RECENCY) < 0.0,
    },
    LabelDef {
        name: "New Customers",
        action: "Onboard them: a welcome series, help with the first steps and an incentive for the second purchase.",
        score: |s| -s.get(names::RECENCY) - s.get(names::FREQUENCY) - 0.5 * s.get(names::TENURE),
        gate: |s| s.get(names::RECENCY) < 0.0 && s.get(names::FREQUENCY) < 0.0,
    },
    LabelDef {
        name: "At Risk",
        action: "They used to buy often or much: reach out personally with offers based on their past purchases before they lapse.",
        score: |s| {
            s.get(names::RECENCY) + 0.5 * s.get(names::FREQUENCY) + 0.5 * s.get(names::MONETARY)
        },
        gate: |s| {
            s.lapsing() && s.not_new() && s.get(names::FREQUENCY) + s.get(names::MONETARY) > 0.0
        },
    },
    LabelDef {
        name: "Hibernating",
        action: "Re-engage at low cost: reminders of popular products and a time-limited offer; keep spend per customer small.",
        score: |s| {
            0.5 * s.get(names::RECENCY)
                - 0.5 * s.get(names::FREQUENCY)
                - 0.5 * s.get(names::MONETARY)
        },
        gate: |s| s.lapsing() && s.not_new(),
    },
    LabelDef {
        name: "Lost",
        action: "One low-cost win-back attempt; if it fails, leave them out of regular campaigns.",
        score: |s| s.get(names::RECENCY) - s.get(names::FREQUENCY) - s.get(names::MONETARY),
        gate: |s| s.lapsing() && s.not_new(),
    },
];

pub const CARD_LABELS: [LabelDef; 5] = [
    LabelDef {
        name: "Transactors",
        action: "They spend and pay in full: reward spend with cash-back or points and offer a premium card; interest offers will not land.",
        score: |s| {
            s.concept(Concept::Purchases) + s.concept(Concept::FullPayment)
                - 0.5 * s.concept(Concept::CashAdvance)
                - 0.5 * s.concept(Concept::Balance)
        },
        gate: |s| s.concept(Concept::Purchases) > 0.0,
    },
    LabelDef {
        name: "Revolvers",
        action: "They carry a balance: offer a balance-transfer or lower-rate plan and watch the credit risk; promote autopay.",
        score: |s| {
            s.concept(Concept::Balance)
                - s.concept(Concept::FullPayment)
                - 0.5 * s.concept(Concept::CashAdvance)
        },
        gate: |s| s.concept(Concept::Balance) > 0.0,
    },
    LabelDef {
        name: "Cash-Advance Users",
        action: "They draw cash on the card: offer a personal loan or credit line at a lower cost than cash advances, and review their risk.",
        score: |s| s.concept(Concept::CashAdvance) + 0.5 * s.concept(Concept::Balance),
        gate: |s| s.concept(Concept::CashAdvance) > 0.0,
    },
    LabelDef {
        name: "Instalment Buyers",
        action: "They buy in instalments: promote 0% instalment plans with partner merchants and pre-approved limits for big purchases.",
        score: |s| s.concept(Concept::Instalments) - 0.5 * s.concept(Concept::CashAdvance),
        gate: |s| s.concept(Concept::Instalments) > 0.0,
    },
    LabelDef {
        name: "Inactive Cardholders",
        action: "They barely use the card: an activation offer (spend-and-get bonus); close or downgrade cards that stay unused to cut cost and risk.",
        score: |s| -s.concept(Concept::Purchases) - s.concept(Concept::CashAdvance),
        gate: |s| s.concept(Concept::Purchases) < 0.0 && s.concept(Concept::CashAdvance) <= 0.0,
    },
];

impl Signals<'_> {
    fn lapsing_strongly(&self) -> bool {
        self.get(names::RECENCY) > 1.0
    }
    /// Champions bought recently (a trait, not noise), are not low on
    /// frequency or spend, and stand out on at least one of them: a
    /// segment that only spends a little more than average is no champion.
    fn champion(&self) -> bool {
        let t = 4.0 * crate::pipeline::profile::TRAIT_SIGNAL;
        let (f, m) = (self.get(names::FREQUENCY), self.get(names::MONETARY));
        self.get(names::RECENCY) <= -t && f >= 0.0 && m >= 0.0 && (f >= t || m >= t)
    }
}

/// What a credit-card column measures, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Concept {
    Purchases,
    Instalments,
    CashAdvance,
    CreditLimit,
    Payments,
    FullPayment,
    Balance,
}

fn concept_of(name: &str) -> Option<Concept> {
    let n = normalise(name);
    if n.contains("cashadvance") || (n.contains("cash") && n.contains("advance")) {
        Some(Concept::CashAdvance)
    } else if n.contains("install") || n.contains("instal") {
        Some(Concept::Instalments)
    } else if n.contains("purchase") && !n.contains("freq") && !n.contains("trx") {
        Some(Concept::Purchases)
    } else if n.contains("creditlimit") || n.ends_with("limit") {
        Some(Concept::CreditLimit)
    } else if n.contains("fullpayment") || n.contains("prcfull") {
        Some(Concept::FullPayment)
    } else if n.contains("payment") && !n.contains("minimum") {
        Some(Concept::Payments)
    } else if n.contains("balance") && !n.contains("freq") {
        Some(Concept::Balance)
    } else {
        None
    }
}

fn has(features: &[String], wanted: &str) -> bool {
    features.iter().any(|n| n == wanted)
}

/// The label set for these features, and why (see the module docs).
pub fn resolve_scheme(scheme: LabelScheme, features: &[String]) -> (LabelScheme, String) {
    if scheme != LabelScheme::Auto {
        return (scheme, format!("set by the user ({})", scheme.name()));
    }
    let rfm = [names::RECENCY, names::FREQUENCY, names::MONETARY];
    let rfm_only = features.iter().all(|f| rfm.contains(&f.as_str()));
    let value = has(features, names::BALANCE) || has(features, names::MONETARY);
    let activity = has(features, names::FREQUENCY) || has(features, names::RECENCY);
    let card: Vec<Concept> = [
        Concept::CashAdvance,
        Concept::CreditLimit,
        Concept::Payments,
        Concept::Purchases,
    ]
    .into_iter()
    .filter(|c| {
        features.iter().any(|f| {
            let got = concept_of(f);
            got == Some(*c) || (*c == Concept::Purchases && got == Some(Concept::Instalments))
        })
    })
    .collect();
    if rfm_only && has(features, names::RECENCY) && features.len() >= 2 {
        (
            LabelScheme::Rfm,
            "the features are Recency, Frequency and Monetary only: RFM labels".into(),
        )
    } else if value && activity {
        (
            LabelScheme::Bank,
            "bank template features (a value and an activity feature): bank labels".into(),
        )
    } else if card.len() >= 3 {
        (
            LabelScheme::Card,
            "credit-card usage columns (purchases, cash advance, credit limit, payments): card labels"
                .into(),
        )
    } else {
        (
            LabelScheme::Descriptive,
            "no label set fits these features: segments are named after their traits".into(),
        )
    }
}

/// The label set of a scheme (empty for descriptive names).
pub fn label_set(scheme: LabelScheme) -> &'static [LabelDef] {
    match scheme {
        LabelScheme::Bank | LabelScheme::Auto => &BANK_LABELS,
        LabelScheme::Rfm => &RFM_LABELS,
        LabelScheme::Card => &CARD_LABELS,
        LabelScheme::Descriptive => &[],
    }
}

/// One segment's automatic label, before the user's edits.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub name: String,
    pub action: String,
    pub reason: String,
}

/// Labels every segment (`stats[c]` are segment c's feature statistics,
/// `columns[c]` its profile-only columns, which may be empty).
pub fn assign(
    scheme: LabelScheme,
    stats: &[Vec<FeatureStat>],
    columns: &[Vec<ColumnStat>],
    sizes: &[usize],
) -> Vec<Labelled> {
    let set = label_set(scheme);
    let k = stats.len();
    let signals: Vec<Signals> = stats
        .iter()
        .enumerate()
        .map(|(c, s)| Signals {
            stats: s,
            columns: columns.get(c).map_or(&[], Vec::as_slice),
        })
        .collect();
    // score, or None when the gate fails or the fit is below FIT_MIN.
    let fit: Vec<Vec<Option<f64>>> = signals
        .iter()
        .map(|s| {
            set.iter()
                .map(|l| {
                    let v = (l.score)(s);
                    ((l.gate)(s) && v >= FIT_MIN && v.is_finite()).then_some(v)
                })
                .collect()
        })
        .collect();
    let mut chosen: Vec<Option<usize>> = vec![None; k];
    let top = top_segment(scheme, stats, sizes);
    if let Some(c) = top
        && fit[c].first().copied().flatten().is_some()
    {
        chosen[c] = Some(0);
    }
    let rows: Vec<usize> = (0..k).filter(|&c| chosen[c].is_none()).collect();
    let cols: Vec<usize> = (0..set.len())
        .filter(|l| !chosen.contains(&Some(*l)))
        .collect();
    for (r, col) in hungarian_labels(&rows, &cols, &fit).into_iter().enumerate() {
        chosen[rows[r]] = col;
    }
    let mut reuse: BTreeMap<usize, usize> = BTreeMap::new();
    (0..k)
        .map(|c| {
            let scores = scores_text(set, &signals[c]);
            match chosen[c] {
                Some(l) => Labelled {
                    name: set[l].name.to_string(),
                    action: set[l].action.to_string(),
                    reason: if top == Some(c) && l == 0 {
                        format!(
                            "highest median value of all segments, and it fits the top label; fit {scores}"
                        )
                    } else {
                        format!("best overall fit (optimal assignment); fit {scores}")
                    },
                },
                None => second_holder(set, &fit[c], &mut reuse, &stats[c], &scores),
            }
        })
        .collect()
}

/// A segment without a label of its own: its best fitting label again
/// with a numeral, else a descriptive name.
fn second_holder(
    set: &[LabelDef],
    fit: &[Option<f64>],
    reuse: &mut BTreeMap<usize, usize>,
    stats: &[FeatureStat],
    scores: &str,
) -> Labelled {
    let best = (0..fit.len())
        .filter_map(|l| fit[l].map(|v| (l, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    match best {
        Some((l, _)) => {
            let n = reuse.entry(l).or_insert(1);
            *n += 1;
            Labelled {
                name: format!("{} {}", set[l].name, roman(*n)),
                action: set[l].action.to_string(),
                reason: format!(
                    "fits '{}', which a segment that fits it better holds; fit {scores}",
                    set[l].name
                ),
            }
        }
        None => Labelled {
            name: descriptive_name(stats),
            action: descriptive_action(stats),
            reason: if set.is_empty() {
                "named after its most distinctive traits".to_string()
            } else {
                format!(
                    "no label fits (each needs a fit of at least {FIT_MIN} and its conditions); fit {scores}; named after its traits"
                )
            },
        },
    }
}

/// "VIP=+1.85, Potential=-0.40 (no), ..." for the reason.
fn scores_text(set: &[LabelDef], s: &Signals) -> String {
    if set.is_empty() {
        return String::new();
    }
    set.iter()
        .map(|l| {
            let v = (l.score)(s);
            format!(
                "{}={v:+.2}{}",
                short_label(l.name),
                if (l.gate)(s) { "" } else { " (ruled out)" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The segment with the highest median Balance (else Monetary), for the
/// top label of the bank and RFM sets.
fn top_segment(scheme: LabelScheme, stats: &[Vec<FeatureStat>], sizes: &[usize]) -> Option<usize> {
    if !matches!(scheme, LabelScheme::Bank | LabelScheme::Rfm) {
        return None;
    }
    let value_of = |c: usize, name: &str| {
        stats[c]
            .iter()
            .find(|f| f.feature == name)
            .map(|f| f.median)
    };
    let name = [names::BALANCE, names::MONETARY].into_iter().find(|n| {
        stats
            .first()
            .is_some_and(|s| s.iter().any(|f| f.feature == *n))
    })?;
    (0..stats.len())
        .filter(|&c| sizes[c] > 0)
        .filter_map(|c| value_of(c, name).filter(|v| v.is_finite()).map(|v| (c, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(c, _)| c)
}

/// Optimal one-to-one assignment of `rows` (segments) to `cols` (labels)
/// or to no label, maximising the summed fit; `fit[row][label]` is None
/// where the label is not allowed. Returns the label of each row.
fn hungarian_labels(
    rows: &[usize],
    cols: &[usize],
    fit: &[Vec<Option<f64>>],
) -> Vec<Option<usize>> {
    let (n, m) = (rows.len(), cols.len() + rows.len());
    if n == 0 {
        return Vec::new();
    }
    // Columns: the labels, then one "no label" slot per row (cost 0).
    // A label that is not allowed costs more than any assignment can save.
    let forbidden = 1e9;
    let cost = |r: usize, c: usize| -> f64 {
        if c < cols.len() {
            fit[rows[r]][cols[c]].map_or(forbidden, |v| -v)
        } else {
            0.0
        }
    };
    hungarian(n, m, cost)
        .into_iter()
        .zip(rows)
        .map(|(c, &r)| cols.get(c).copied().filter(|&l| fit[r][l].is_some()))
        .collect()
}

/// Minimum-cost assignment of n rows to distinct columns among m >= n
/// (Hungarian algorithm with potentials, O(n²m)). Returns each row's column.
pub fn hungarian(n: usize, m: usize, cost: impl Fn(usize, usize) -> f64) -> Vec<usize> {
    assert!(n <= m, "hungarian: more rows than columns");
    let inf = f64::INFINITY;
    // 1-based as in the classic formulation; p[j] = row matched to column j.
    let (mut u, mut v) = (vec![0.0; n + 1], vec![0.0; m + 1]);
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0usize;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![0usize; n];
    for j in 1..=m {
        if p[j] > 0 {
            out[p[j] - 1] = j - 1;
        }
    }
    out
}

/// "VIP" for "High-Value Customers (VIP)", "Stable" for "Stable
/// Customers", "At Risk" (not "At") for "At Risk".
fn short_label(label: &str) -> &str {
    if let Some(inner) = label.split_once('(').and_then(|(_, r)| r.split_once(')')) {
        return inner.0;
    }
    let first = label.split([' ', '/']).next().unwrap_or(label);
    if first.len() > 3 {
        return first;
    }
    // A short first word needs the second one.
    match label.match_indices([' ', '/']).nth(1) {
        Some((end, _)) => &label[..end],
        None => label,
    }
}

fn roman(n: usize) -> String {
    const R: [&str; 15] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV",
    ];
    R.get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// The two strongest traits of a segment, strongest first.
fn top_traits(stats: &[FeatureStat]) -> Vec<&FeatureStat> {
    let mut v: Vec<&FeatureStat> = stats
        .iter()
        .filter(|f| f.direction != Direction::Typical)
        .collect();
    v.sort_by(|a, b| b.signal.abs().total_cmp(&a.signal.abs()));
    v.truncate(2);
    v
}

/// "High cash advance, Low prc full payment", from the raw comparisons.
pub fn descriptive_name(stats: &[FeatureStat]) -> String {
    let parts: Vec<String> = top_traits(stats).iter().map(|f| trait_words(f)).collect();
    if parts.is_empty() {
        "Average profile".to_string()
    } else {
        parts.join(", ")
    }
}

/// A trait in words: "High cash advance"; for a 0/1 feature its share:
/// "Mostly job retired", "More HasCrCard", "Few contact unknown".
fn trait_words(f: &FeatureStat) -> String {
    let high = f.direction == Direction::High;
    if f.binary {
        let what = humanise(&f.feature.replacen('=', " ", 1));
        let lead = match (high, f.mean >= 0.5) {
            (true, true) => "Mostly",
            (true, false) => "More",
            (false, _) => "Few",
        };
        return format!("{lead} {what}");
    }
    format!(
        "{} {}",
        if high { "High" } else { "Low" },
        humanise(&f.feature)
    )
}

/// "CASH_ADVANCE" -> "cash advance"; mixed-case names stay as written.
/// At most 48 characters: a label goes into every scored row and must fit
/// the saved model's bound on labels (`model_check::MAX_LABEL_CHARS`).
fn humanise(name: &str) -> String {
    let name: String = match name.char_indices().nth(48) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    };
    let spaced: String = name.replace(['_', '-'], " ");
    if spaced.chars().any(|c| c.is_lowercase()) || !spaced.is_ascii() {
        spaced
    } else {
        spaced.to_lowercase()
    }
}

/// An action for a segment named after its traits: what each of its two
/// strongest traits suggests.
pub fn descriptive_action(stats: &[FeatureStat]) -> String {
    let traits = top_traits(stats);
    if traits.is_empty() {
        return "Typical customers with no stand-out trait: keep them in the regular programme and watch for movement into other segments.".into();
    }
    let ideas: Vec<String> = traits.iter().map(|f| trait_idea(f)).collect();
    let what: Vec<String> = traits
        .iter()
        .map(|f| trait_words(f).to_lowercase())
        .collect();
    format!(
        "Set apart by {}: {}. Try it on a sample with a control group before a full rollout.",
        what.join(" and "),
        ideas.join("; ")
    )
}

fn trait_idea(f: &FeatureStat) -> String {
    let n = normalise(&f.feature);
    let high = f.direction == Direction::High;
    let any = |words: &[&str]| words.iter().any(|w| n.contains(w));
    let pick = |h: &'static str, l: &'static str| if high { h } else { l };
    if f.binary {
        let what = humanise(&f.feature.replacen('=', " ", 1));
        return if high {
            format!("shape the offer for the many with {what}")
        } else {
            format!("few have {what}: leave offers built on it out")
        };
    }
    let idea = if any(&["cashadvance"]) {
        pick(
            "offer a cheaper credit line or instalment plan instead of cash advances",
            "no cash-advance needs: keep credit offers to purchases",
        )
    } else if any(&["recency", "dayssince", "lastvisit", "inactive"]) {
        pick(
            "re-engage them before they lapse (reminders, a win-back offer)",
            "they are active now: follow up while they are engaged",
        )
    } else if crate::pipeline::hygiene::tokens(&f.feature)
        .iter()
        .any(|t| t == "age")
        || any(&["年龄"])
    {
        pick(
            "offer retirement, pension and wealth-preservation products",
            "offer digital-first starter products (a first card, a savings plan)",
        )
    } else if any(&["creditscore", "fico", "creditrating", "信用"]) {
        pick(
            "offer pre-approved credit at better rates",
            "offer credit-builder products and review the risk before lending",
        )
    } else if any(&["tenure", "since", "vintage", "months"]) {
        pick(
            "thank long-standing customers (loyalty rewards, service priority)",
            "onboard them well (welcome journey, first-product offers)",
        )
    } else if any(&["freq", "count", "trx", "txn", "visits", "transactions"]) {
        pick(
            "reward their frequent use (points, fee waivers)",
            "encourage more frequent use with reminders and incentives",
        )
    } else if any(&["product", "holding"]) {
        pick(
            "keep their product bundle competitive",
            "cross-sell a second product",
        )
    } else if any(&[
        "balance", "amount", "spend", "purchase", "payment", "monetary", "income", "salary",
        "wage", "limit", "deposit", "value", "金额", "余额", "收入",
    ]) {
        pick(
            "protect and grow these high-value relationships (priority service, premium offers)",
            "grow value with entry-level products and usage incentives",
        )
    } else {
        return format!(
            "find out what their {} {} means for them before choosing an offer",
            f.direction.word(),
            humanise(&f.feature)
        );
    };
    idea.to_string()
}

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
