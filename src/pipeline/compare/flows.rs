//! The movements between segments, biggest first, each with what it means
//! for a CRM team and what to do about it. A segment's standing is read
//! from its label (the label sets of [`crate::pipeline::labels`], and the
//! same words in Chinese); where the labels say nothing (descriptive
//! names), from the segment's mean balance or spend in original units.

use super::{Comparison, Side};

/// Where a segment stands, as its label says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Top,
    Core,
    Growing,
    Lapsing,
    Unknown,
}

fn standing(label: &str) -> Standing {
    let l = label.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
    if has(&[
        "dormant", "churn", "at risk", "hibernat", "lost", "inactive", "沉睡", "流失", "休眠",
        "预警", "风险",
    ]) {
        Standing::Lapsing
    } else if has(&[
        "potential",
        "new customer",
        "instalment",
        "潜力",
        "新客",
        "成长",
    ]) {
        Standing::Growing
    } else if has(&[
        "vip",
        "high-value",
        "high value",
        "champion",
        "loyal",
        "高价值",
        "贵宾",
        "高净值",
        "忠诚",
    ]) {
        Standing::Top
    } else if has(&[
        "stable",
        "active",
        "transactor",
        "revolver",
        "cash-advance",
        "稳定",
        "活跃",
    ]) {
        Standing::Core
    } else {
        Standing::Unknown
    }
}

/// What a movement means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Valuable customers going quiet.
    RetentionCall,
    /// Regular customers lapsing.
    WinBack,
    /// Valuable customers holding or spending less.
    ValueSlipping,
    /// Lapsed customers active again.
    Reactivated,
    /// Customers grown into a more valuable segment.
    Upgraded,
    /// Newer customers settling into regular use.
    Converting,
    /// Lapsed customers still lapsed, in another form.
    StillLapsed,
    /// A change of profile without a clear change in value.
    Sideways,
}

impl FlowKind {
    pub fn meaning(self) -> &'static str {
        match self {
            FlowKind::RetentionCall => "valuable customers going quiet",
            FlowKind::WinBack => "regular customers lapsing",
            FlowKind::ValueSlipping => "valuable customers holding or spending less",
            FlowKind::Reactivated => "lapsed customers active again",
            FlowKind::Upgraded => "customers grown into a more valuable segment",
            FlowKind::Converting => "newer customers settling into regular use",
            FlowKind::StillLapsed => "lapsed customers, still lapsed",
            FlowKind::Sideways => "a change of profile without a clear change in value",
        }
    }

    pub fn action(self) -> &'static str {
        match self {
            FlowKind::RetentionCall => {
                "retention call: their relationship manager calls this week to learn why (fees, a better rate elsewhere, a life event) and offers a retention package"
            }
            FlowKind::WinBack => {
                "win-back campaign: remind them what they use, a time-limited offer to transact again; check recent complaints first"
            }
            FlowKind::ValueSlipping => {
                "relationship review: check whether balances or spending moved to another bank, and make a personal offer before they lapse"
            }
            FlowKind::Reactivated => {
                "welcome back: a thank-you and a nudge to set up salary deposit, a card or the app, so the return lasts"
            }
            FlowKind::Upgraded => {
                "upgrade: introduce a relationship manager or premium package and thank them"
            }
            FlowKind::Converting => "cross-sell the next product while their use is growing",
            FlowKind::StillLapsed => {
                "low-cost channels only (app, e-mail); review whether to keep contacting them"
            }
            FlowKind::Sideways => "refresh their offers to match their new segment's action",
        }
    }
}

/// Customers who moved from one segment to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
    pub count: usize,
    /// Share of the `from` segment's OLD customers.
    pub share: f64,
    pub kind: FlowKind,
}

/// Every movement between two different segments, biggest first.
pub fn flows(c: &Comparison) -> Vec<Flow> {
    let value_old = values(&c.old, &c.old_identity, c.k());
    let value_new = values(&c.new, &c.new_identity, c.k());
    let mut out = Vec::new();
    for (from, row) in c.counts.iter().enumerate() {
        for (to, &count) in row.iter().enumerate() {
            if from == to || count == 0 {
                continue;
            }
            let value = match (&value_old, &value_new) {
                (Some(o), Some(n)) => Some((o[from], n[to])),
                _ => None,
            };
            out.push(Flow {
                from,
                to,
                count,
                share: count as f64 / c.old_sizes[from].max(1) as f64,
                kind: kind_of(
                    standing(c.identities[from].label()),
                    standing(c.identities[to].label()),
                    value,
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((a.from, a.to).cmp(&(b.from, b.to)))
    });
    out
}

fn kind_of(from: Standing, to: Standing, value: Option<(f64, f64)>) -> FlowKind {
    use Standing::*;
    match (from, to) {
        (Lapsing, Lapsing) => FlowKind::StillLapsed,
        (Top, Lapsing) => FlowKind::RetentionCall,
        (_, Lapsing) => FlowKind::WinBack,
        (Lapsing, _) => FlowKind::Reactivated,
        (Top, Top) => FlowKind::Sideways,
        (Top, _) => FlowKind::ValueSlipping,
        (_, Top) => FlowKind::Upgraded,
        (Growing, Core) => FlowKind::Converting,
        _ => match value {
            Some((a, b)) if b < a * 0.8 => FlowKind::ValueSlipping,
            Some((a, b)) if b > a * 1.25 => FlowKind::Upgraded,
            _ => FlowKind::Sideways,
        },
    }
}

/// Mean of the side's value column (balance, else spend) per identity.
fn values(side: &Side, ids: &[usize], m: usize) -> Option<Vec<f64>> {
    let names = ["balance", "余额", "资产", "monetary", "金额", "spend"];
    let j = names.iter().find_map(|w| {
        side.feature_names
            .iter()
            .position(|f| f.to_lowercase().contains(w))
    })?;
    let (mut sum, mut n) = (vec![0.0; m], vec![0usize; m]);
    for (i, &s) in side.segments.iter().enumerate() {
        let v = side.value(i, j);
        if v.is_finite() {
            sum[ids[s as usize]] += v;
            n[ids[s as usize]] += 1;
        }
    }
    Some(
        sum.iter()
            .zip(&n)
            .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standings_are_read_from_english_and_chinese_labels() {
        assert_eq!(standing("High-Value Customers (VIP)"), Standing::Top);
        assert_eq!(
            standing("Dormant / Churn-Warning Customers"),
            Standing::Lapsing
        );
        assert_eq!(standing("Potential Loyalists"), Standing::Growing);
        assert_eq!(standing("高价值客户"), Standing::Top);
        assert_eq!(standing("沉睡客户"), Standing::Lapsing);
        assert_eq!(standing("High cash advance"), Standing::Unknown);
        assert_eq!(
            kind_of(Standing::Top, Standing::Lapsing, None),
            FlowKind::RetentionCall
        );
        assert_eq!(
            kind_of(Standing::Unknown, Standing::Unknown, Some((100.0, 50.0))),
            FlowKind::ValueSlipping
        );
    }
}
