//! How well a segment fits a label: its signals by feature name, and the
//! credit-card concepts read from column names.

use super::*;

/// A segment's signals by feature name, ×4 (about −2..2), 0 when absent.
pub struct Signals<'a> {
    pub(super) stats: &'a [FeatureStat],
    /// The segment's profile-only columns (a log's `new_in_log`).
    pub(super) columns: &'a [ColumnStat],
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
    pub(super) fn established(&self) -> f64 {
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
    pub(super) fn concept(&self, c: Concept) -> f64 {
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
    pub(super) fn value(&self) -> f64 {
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
    pub(super) fn not_new(&self) -> bool {
        self.get(names::TENURE) > -4.0 * crate::pipeline::profile::TRAIT_SIGNAL
    }
    /// The condition of every churn label. With recency known: recency is
    /// high (a trait, not noise), the segment's median time since the last
    /// activity is at least 1.5 times everyone's and at least 30 days, so
    /// customers who all bought lately are never called lapsing. Else:
    /// frequency is low.
    pub(super) fn lapsing(&self) -> bool {
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

impl Signals<'_> {
    pub(super) fn lapsing_strongly(&self) -> bool {
        self.get(names::RECENCY) > 1.0
    }
    /// Champions bought recently (a trait, not noise), are not low on
    /// frequency or spend, and stand out on at least one of them: a
    /// segment that only spends a little more than average is no champion.
    pub(super) fn champion(&self) -> bool {
        let t = 4.0 * crate::pipeline::profile::TRAIT_SIGNAL;
        let (f, m) = (self.get(names::FREQUENCY), self.get(names::MONETARY));
        self.get(names::RECENCY) <= -t && f >= 0.0 && m >= 0.0 && (f >= t || m >= t)
    }
}

/// What a credit-card column measures, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Concept {
    Purchases,
    Instalments,
    CashAdvance,
    CreditLimit,
    Payments,
    FullPayment,
    Balance,
}

pub(super) fn concept_of(name: &str) -> Option<Concept> {
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
