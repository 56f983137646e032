//! The charts' own axis: linear, integer, category or symmetric-log, with
//! our ticks and compact labels, and the rule that picks a log scale for
//! skewed money columns.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

use super::numbers::{compact, min_max, quantile};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Linear,
    /// sign(v)·log10(1 + |v|/c): logarithmic for large values, linear near 0,
    /// so zeros and negative balances still have a place.
    SymLog {
        c: f64,
    },
    /// Integer ticks only (K on the elbow chart, categories).
    Integer,
}

/// A numeric axis with our own ticks and compact labels. `lo > hi` reverses it.
#[derive(Clone, Debug)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    scale: Scale,
    /// Category axis: labels come from a formatter; all integers are ticks.
    category: bool,
}

impl Axis {
    pub(super) fn linear(lo: f64, hi: f64) -> Self {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        Axis {
            lo,
            hi,
            scale: Scale::Linear,
            category: false,
        }
    }
    pub(super) fn integer(lo: f64, hi: f64) -> Self {
        Axis {
            lo,
            hi,
            scale: Scale::Integer,
            category: false,
        }
    }
    /// Categories 0..k, 0 at the top.
    pub(super) fn category(k: usize) -> Self {
        Axis {
            lo: k as f64 - 0.5,
            hi: -0.5,
            scale: Scale::Integer,
            category: true,
        }
    }
    fn symlog(lo: f64, hi: f64, c: f64) -> Self {
        Axis {
            lo,
            hi,
            scale: Scale::SymLog { c },
            category: false,
        }
    }
    /// The same scale over [lo, hi], padded by `pad` of its span (in the
    /// transformed space); a non-negative range never pads below zero.
    pub(super) fn fitted(&self, lo: f64, hi: f64, pad: f64) -> Axis {
        let (tl, th) = (self.t(lo), self.t(hi));
        let span = (th - tl).abs().max(1e-9);
        let mut a = self.clone();
        a.lo = self.inv(tl - span * pad);
        a.hi = self.inv(th + span * pad);
        if lo >= 0.0 && a.lo < 0.0 {
            a.lo = 0.0;
        }
        if a.hi <= a.lo {
            a.hi = a.lo + 1.0;
        }
        a
    }
    pub(super) fn is_log(&self) -> bool {
        matches!(self.scale, Scale::SymLog { .. })
    }
    fn t(&self, v: f64) -> f64 {
        match self.scale {
            Scale::SymLog { c } => v.signum() * (1.0 + v.abs() / c).log10(),
            _ => v,
        }
    }
    fn inv(&self, t: f64) -> f64 {
        match self.scale {
            Scale::SymLog { c } => t.signum() * (10f64.powf(t.abs()) - 1.0) * c,
            _ => t,
        }
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        let f = (self.t(*v) - a) / (b - a);
        (limit.0 as f64 + f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() && !self.category {
            // Light grid lines only on log axes: 2× and 5× each decade.
            return match self.scale {
                Scale::SymLog { c } => {
                    let (lo, hi) = (self.lo.min(self.hi), self.lo.max(self.hi));
                    let mut out = Vec::new();
                    let mut base = c;
                    while base <= hi.abs().max(lo.abs()) {
                        for m in [2.0, 5.0] {
                            for v in [m * base, -m * base] {
                                if v >= lo && v <= hi {
                                    out.push(v);
                                }
                            }
                        }
                        base *= 10.0;
                    }
                    out
                }
                _ => Vec::new(),
            };
        }
        let max = hint.max_num_points().max(2);
        let (lo, hi) = (self.lo.min(self.hi), self.lo.max(self.hi));
        match self.scale {
            Scale::Integer => {
                let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
                if self.category {
                    return (a..=b).map(|i| i as f64).collect();
                }
                let span = (b - a).max(1) as usize;
                let step = span.div_ceil(max).max(1) as i64;
                (a..=b)
                    .filter(|i| (i - a) % step == 0)
                    .map(|i| i as f64)
                    .collect()
            }
            Scale::Linear => {
                let raw = (hi - lo) / max as f64;
                let mag = 10f64.powf(raw.log10().floor());
                let step = [1.0, 2.0, 2.5, 5.0, 10.0]
                    .iter()
                    .map(|m| m * mag)
                    .find(|s| *s >= raw)
                    .unwrap_or(10.0 * mag);
                let mut v = (lo / step).ceil() * step;
                let mut out = Vec::new();
                while v <= hi + step * 1e-9 {
                    out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                    v += step;
                }
                out
            }
            Scale::SymLog { c } => {
                // Decades c·10^e on each side of zero, and zero itself.
                let mut out = Vec::new();
                let mut push_side = |sign: f64, end: f64| {
                    let mut e = 0;
                    while c * 10f64.powi(e) <= end * (1.0 + 1e-9) {
                        out.push(sign * c * 10f64.powi(e));
                        e += 1;
                    }
                };
                if hi > 0.0 {
                    push_side(1.0, hi);
                }
                if lo < 0.0 {
                    push_side(-1.0, -lo);
                }
                if lo <= 0.0 && hi >= 0.0 {
                    out.push(0.0);
                }
                out.sort_by(f64::total_cmp);
                out.retain(|v| *v >= lo && *v <= hi);
                // Thin to every 2nd/3rd decade if there are too many.
                let stride = out.len().div_ceil(max).max(1);
                if stride > 1 {
                    let zero = out.iter().position(|v| *v == 0.0).unwrap_or(0);
                    let mut kept: Vec<f64> = out
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| (*i as i64 - zero as i64).rem_euclid(stride as i64) == 0)
                        .map(|(_, v)| *v)
                        .collect();
                    kept.dedup();
                    return kept;
                }
                out
            }
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, v: &f64) -> String {
        match self.scale {
            Scale::Integer => format!("{}", v.round() as i64),
            _ => compact(*v),
        }
    }
}

/// Linear axis, or a symmetric-log one when the values are heavily skewed
/// (their 1st–99th percentile span is over 8× their interquartile range).
/// Only rows where `keep(i)` holds are looked at.
pub(super) fn choose_axis(values: &[f64], keep: impl Fn(usize) -> bool) -> Axis {
    // A strided look at up to ~50k values is plenty to choose a scale.
    let stride = (values.len() / 50_000).max(1);
    let mut v: Vec<f64> = (0..values.len())
        .step_by(stride)
        .filter(|&i| keep(i) && values[i].is_finite())
        .map(|i| values[i])
        .collect();
    if v.is_empty() {
        return Axis::linear(0.0, 1.0);
    }
    v.sort_unstable_by(f64::total_cmp);
    let (p01, p25, p75, p99) = (
        quantile(&v, 0.01),
        quantile(&v, 0.25),
        quantile(&v, 0.75),
        quantile(&v, 0.99),
    );
    let (lo, hi) = min_max(
        values
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, v)| *v),
    );
    let iqr = p75 - p25;
    let skewed = hi > 0.0
        && (p99 - p01) > 8.0 * iqr.max(f64::MIN_POSITIVE)
        && hi > 10.0 * p75.abs().max(1e-12);
    if !skewed {
        let pad = ((hi - lo) * 0.04).max(1e-9);
        let lo = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        return Axis::linear(lo, hi + pad);
    }
    // c: the decade at or below the 5th percentile of the positive values,
    // at most 1, so small values are not all squashed into the linear part.
    let pos: Vec<f64> = v.iter().copied().filter(|x| *x > 0.0).collect();
    let p05 = quantile(&pos, 0.05);
    let c = if p05.is_finite() && p05 > 0.0 {
        10f64.powf(p05.log10().floor()).clamp(1e-6, 1.0)
    } else {
        1.0
    };
    let a = Axis::symlog(0.0, 1.0, c);
    let (tl, th) = (a.t(lo.min(0.0)), a.t(hi));
    let pad = (th - tl) * 0.03;
    let lo = if lo >= 0.0 { 0.0 } else { a.inv(tl - pad) };
    Axis::symlog(lo, a.inv(th + pad), c)
}

pub(super) fn axis_desc(name: &str, a: &Axis) -> String {
    if a.is_log() {
        format!("{name} (log scale)")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::BoldPoints;

    #[test]
    fn symlog_ticks_are_decades() {
        let a = Axis::symlog(0.0, 2_000_000.0, 1.0);
        let t = a.key_points(BoldPoints(10));
        assert_eq!(t[0], 0.0);
        assert!(t.contains(&1000.0) && t.contains(&1_000_000.0));
    }
}
