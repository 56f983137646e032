//! The tree's cuts as each segment's rule, in original units and words:
//! "Balance ≥ 250,000 and Recency < 31 days".

use super::Node;
use crate::pipeline::features::{FeatureKind, FeatureSource, Features};
use serde::{Deserialize, Serialize};

/// One feature's bounds in a segment's rule (original units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub feature: String,
    /// The customer's value is at least this.
    pub at_least: Option<f64>,
    /// The customer's value is below this.
    pub below: Option<f64>,
    /// The condition in words ("Recency < 31 days", "Gender is F").
    pub text: String,
}

/// A segment's rule: every condition must hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRule {
    pub segment: usize,
    pub conditions: Vec<Condition>,
    /// The conditions joined with "and" ("everyone else" for none).
    pub text: String,
}

/// The roundest number `t` with `low < t <= high` (the coarsest power of
/// ten it is a multiple of; then the smallest such), so that "value < t"
/// keeps everything up to `low` on one side and everything from `high` on
/// the other.
pub fn round_between(low: f64, high: f64) -> f64 {
    match (low.is_finite(), high.is_finite()) {
        (false, false) => return 0.0,
        (false, true) => return high,
        (true, false) => return low + 1.0,
        _ if low >= high => return high,
        _ => {}
    }
    let magnitude = low.abs().max(high.abs()).log10().floor() as i32;
    for exp in (magnitude - 16..=magnitude + 1).rev() {
        let step = 10f64.powi(exp);
        // Rounding of the step may land a hair off; tidy the digits.
        let mut t = tidy(((low / step).floor() + 1.0) * step, exp);
        if t <= low {
            // low / step fell a hair short of a whole number.
            t = tidy(t + step, exp);
        }
        if t > low && t <= high {
            return t;
        }
    }
    high
}

/// `t` rounded to `10^exp` exactly as printed.
fn tidy(t: f64, exp: i32) -> f64 {
    if exp >= 0 {
        t.round()
    } else {
        let places = (-exp).min(17) as usize;
        format!("{t:.places$}").parse().unwrap_or(t)
    }
}

/// Each segment's rule from the tree.
pub fn segment_rules(tree: &Node, f: &Features, k: usize) -> Vec<SegmentRule> {
    let mut bounds = Vec::new();
    let mut out: Vec<SegmentRule> = Vec::with_capacity(k);
    walk(tree, &mut bounds, &mut |segment, path| {
        out.push(rule_of(segment as usize, path, f));
    });
    out.sort_by_key(|r| r.segment);
    out
}

/// A cut on the way to a leaf: feature, threshold, and whether the path
/// took the "at least" side.
pub(super) type Step = (usize, f64, bool);

/// Calls `leaf` with each leaf's segment and the cuts on the way to it,
/// left ("below") branch first.
pub(super) fn walk(node: &Node, path: &mut Vec<Step>, leaf: &mut dyn FnMut(u32, &[Step])) {
    match node {
        Node::Leaf { segment } => leaf(*segment, path),
        Node::Split {
            feature,
            threshold,
            left,
            right,
        } => {
            path.push((*feature, *threshold, false));
            walk(left, path, leaf);
            path.pop();
            path.push((*feature, *threshold, true));
            walk(right, path, leaf);
            path.pop();
        }
    }
}

fn rule_of(segment: usize, path: &[Step], f: &Features) -> SegmentRule {
    let mut features: Vec<usize> = path.iter().map(|s| s.0).collect();
    features.sort_unstable();
    features.dedup();
    let conditions: Vec<Condition> = features
        .into_iter()
        .map(|j| {
            let steps = path.iter().filter(|s| s.0 == j);
            let at_least = steps
                .clone()
                .filter(|s| s.2)
                .map(|s| s.1)
                .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))));
            let below = steps
                .filter(|s| !s.2)
                .map(|s| s.1)
                .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))));
            condition(f, j, at_least, below)
        })
        .collect();
    let text = if conditions.is_empty() {
        "everyone".to_string()
    } else {
        conditions
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    SegmentRule {
        segment,
        conditions,
        text,
    }
}

fn condition(f: &Features, j: usize, at_least: Option<f64>, below: Option<f64>) -> Condition {
    let name = f.names[j].clone();
    let info = f.report.features.get(j);
    let spec = f.params.features.get(j);
    let text = match (info.map(|i| &i.kind), spec.map(|s| &s.source)) {
        (Some(FeatureKind::Indicator { column }), Some(FeatureSource::OneHot { level, .. })) => {
            let is = below.is_none();
            format!("{column} {} {level}", if is { "is" } else { "is not" })
        }
        (Some(FeatureKind::Flag), _) => {
            format!("{name} = {}", if below.is_none() { 1 } else { 0 })
        }
        (_, source) => {
            let unit = match source {
                Some(FeatureSource::DaysSince { .. }) => " days",
                Some(FeatureSource::MonthsSince { .. }) => " months",
                Some(FeatureSource::YearsSince { .. }) => " years",
                _ => "",
            };
            match (at_least, below) {
                (Some(a), Some(b)) => format!("{} ≤ {name} < {}{unit}", number(a), number(b)),
                (Some(a), None) => format!("{name} ≥ {}{unit}", number(a)),
                (None, Some(b)) => format!("{name} < {}{unit}", number(b)),
                (None, None) => name.clone(),
            }
        }
    };
    Condition {
        feature: name,
        at_least,
        below,
        text,
    }
}

/// A threshold as written in a rule: the shortest digits that read back
/// as the same number, thousands separated; in scientific notation below
/// 0.0001 and from 10^15 on (so 1.5e-95 never reads as 0).
pub fn number(x: f64) -> String {
    let x = x + 0.0; // no "-0"
    if x != 0.0 && !(1e-4..1e15).contains(&x.abs()) {
        return format!("{x:e}");
    }
    let s = format!("{x}");
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roundest_number_between_two_values() {
        assert_eq!(round_between(249_873.0, 251_002.0), 250_000.0);
        assert_eq!(round_between(30.0, 31.0), 31.0);
        assert_eq!(round_between(0.0, 1.0), 1.0);
        assert_eq!(round_between(12.34, 12.36), 12.35);
        assert_eq!(round_between(-5.5, -1.2), -5.0);
        assert_eq!(round_between(99.0, 1000.0), 1000.0);
        assert_eq!(round_between(-0.3, 0.2), 0.0);
        assert_eq!(round_between(0.0012, 0.0013), 0.0013);
        // Whatever it picks lies strictly above low and at most high.
        for (lo, hi) in [(1.0, 1.0 + 1e-9), (123_456.7, 123_456.8), (-0.3, 0.2)] {
            let t = round_between(lo, hi);
            assert!(t > lo && t <= hi, "{lo} {hi} -> {t}");
        }
    }

    #[test]
    fn numbers_are_grouped_and_trimmed() {
        assert_eq!(number(250_000.0), "250,000");
        assert_eq!(number(-1_234_567.5), "-1,234,567.5");
        assert_eq!(number(31.0), "31");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        // Tiny and huge thresholds keep their digits.
        assert_eq!(number(1.465748e-95), "1.465748e-95");
        assert_eq!(number(-2.5e20), "-2.5e20");
        assert_eq!(number(0.00012345678), "0.00012345678");
        for x in [
            1e-300,
            3.3e-5,
            0.1 + 0.2,
            123_456.789_012,
            9.99e14,
            1e15,
            7e99,
        ] {
            let back: f64 = number(x).replace(',', "").parse().unwrap();
            assert_eq!(back, x, "{}", number(x));
        }
    }
}
