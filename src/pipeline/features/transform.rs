//! The per-value steps of a feature: winsorising bounds, the transform
//! (log1p or signed log1p, and which one a feature gets), and z-scoring.
//! Training and scoring share these functions, so the same input gives the
//! same bits.

use super::options::{FeatureOptions, Transform, TransformMode, Winsorize};
use super::report::{FeatureKind, fmt_num};
use crate::error::{Error, Result};
use crate::pipeline::stats::{percentile, pow2_above};
use crate::remedy::Remedy;

/// Largest share of negative values a skewed money feature may have and
/// still be log-transformed (with the signed log1p).
pub const MAX_NEGATIVE_SHARE_FOR_LOG: f64 = 0.05;

/// Default winsorising percentiles of skewed money features.
pub const MONEY_WINSOR: Winsorize = Winsorize {
    lower: 0.01,
    upper: 0.99,
};

/// `work` = `original` clipped to the percentiles of `w` (when given):
/// the bounds and how many values moved.
pub(super) fn winsorise(
    original: &[f64],
    w: Option<Winsorize>,
    work: &mut Vec<f64>,
) -> (Option<[f64; 2]>, usize) {
    let clip = w.map(|w| {
        work.clear();
        work.extend_from_slice(original);
        winsor_bounds(work, w)
    });
    work.clear();
    let mut clipped = 0usize;
    match clip {
        Some([lo, hi]) => work.extend(original.iter().map(|&x| {
            clipped += usize::from(x < lo || x > hi);
            clip_to(x, lo, hi)
        })),
        None => work.extend_from_slice(original),
    }
    (clip, clipped)
}

/// `x` moved into `[lo, hi]`; unlike `f64::clamp` it never panics (bounds
/// read from a damaged model may be inverted or NaN).
#[inline]
pub(super) fn clip_to(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// Winsorising bounds of finite values: ordered, finite, never NaN, so
/// that `clamp` cannot panic.
fn winsor_bounds(work: &mut [f64], w: Winsorize) -> [f64; 2] {
    let lo = percentile(work, w.lower.clamp(0.0, 1.0));
    let hi = percentile(work, w.upper.clamp(0.0, 1.0));
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    [lo, hi]
}

/// Largest |z| emitted; keeps squared distances finite for absurd new values.
const Z_LIMIT: f64 = 1e150;

/// `(x - mean) / std`, finite for any finite input. Training and scoring use
/// this same function, so the same input gives the same bits.
#[inline]
pub fn scale_value(x: f64, mean: f64, std: f64) -> f64 {
    let mut z = (x - mean) / std;
    if !z.is_finite() {
        // x - mean overflowed: redo in quarter units (exact scaling).
        z = (x * 0.25 - mean * 0.25) / (std * 0.25);
    }
    if z.is_nan() {
        0.0
    } else {
        z.clamp(-Z_LIMIT, Z_LIMIT)
    }
}

#[inline]
pub(super) fn apply_transform(x: f64, t: Transform) -> f64 {
    match t {
        Transform::None => x,
        Transform::Log1p => x.max(0.0).ln_1p(),
        Transform::SignedLog1p => x.abs().ln_1p().copysign(x),
    }
}

/// The value in original units that [`apply_transform`] maps to `y`
/// (its inverse on the values it can produce).
pub(super) fn invert_transform(y: f64, t: Transform) -> f64 {
    match t {
        Transform::None => y,
        Transform::Log1p => y.max(0.0).exp_m1(),
        Transform::SignedLog1p => y.abs().exp_m1().copysign(y),
    }
}

/// Z-scores `work` in place: the deviation used (1 when the values do not
/// vary, which is reported as zero variance) and whether they do not.
pub(super) fn scale_in_place(work: &mut [f64], mean: f64, std: f64) -> (f64, bool) {
    let constant = work.iter().all(|x| *x == work[0]);
    let scale_of = pow2_above(work.iter().fold(0.0f64, |m, x| m.max(x.abs())));
    let zero_variance = constant || std / scale_of < 1e-12;
    let std = if zero_variance { 1.0 } else { std };
    for x in work.iter_mut() {
        *x = scale_value(*x, mean, std);
    }
    (std, zero_variance)
}

/// Indicators are centred and scaled so that one column's indicators
/// together have `weight` as standard deviation; quantities keep `std`.
pub(super) fn indicator_std(
    kind: &FeatureKind,
    group_var: Option<f64>,
    std: f64,
    weight: f64,
) -> f64 {
    match (kind, group_var) {
        (FeatureKind::Indicator { .. }, Some(gv)) if gv > 0.0 => gv.sqrt() / weight,
        (FeatureKind::Flag, _) if std > 0.0 => std / weight,
        _ => std,
    }
}

pub(super) fn lo_at_least_zero(clip: Option<[f64; 2]>) -> bool {
    clip.is_some_and(|[lo, _]| lo >= 0.0)
}

/// What the transform decision looks at (after winsorising).
#[derive(Clone, Copy)]
pub(super) struct Shape {
    pub(super) skewness: f64,
    pub(super) min: f64,
    pub(super) negative_share: f64,
}

/// The transform of a quantity and why, from the options and its shape.
pub(super) fn choose_transform(
    name: &str,
    s: Shape,
    opts: &FeatureOptions,
) -> Result<(Transform, String)> {
    if let Some(t) = opts.transform_overrides.get(name).copied() {
        if t == Transform::Log1p && s.min < 0.0 {
            return Err(Error::bad_setting(
                Remedy::TransformFeature {
                    name: name.to_string(),
                    to: Some("log".into()),
                },
                format!(
                    "'{name}' has negative values (min {}); log1p needs values >= 0 (signed_log keeps their sign)",
                    fmt_num(s.min)
                ),
            ));
        }
        return Ok((t, "set for this feature".to_string()));
    }
    let few_negatives = s.negative_share <= MAX_NEGATIVE_SHARE_FOR_LOG;
    let signed = || {
        format!(
            "{:.1}% negative values (e.g. refunds): signed log1p, sign(x) * ln(1 + |x|), keeps them below 0",
            s.negative_share * 100.0
        )
    };
    Ok(match opts.transform {
        TransformMode::None => (
            Transform::None,
            "no transform, as set for every feature".to_string(),
        ),
        TransformMode::Log if s.min >= 0.0 => (
            Transform::Log1p,
            "log, as set for every feature".to_string(),
        ),
        TransformMode::Log if few_negatives => (Transform::SignedLog1p, signed()),
        TransformMode::Log => (
            Transform::None,
            format!(
                "{:.0}% negative values (min {}), so no log",
                s.negative_share * 100.0,
                fmt_num(s.min)
            ),
        ),
        TransformMode::Auto => {
            let skewed = s.skewness > opts.skew_threshold;
            let why = format!("skewness {:.2} > {}", s.skewness, opts.skew_threshold);
            if !skewed {
                (
                    Transform::None,
                    format!("skewness {:.2} <= {}", s.skewness, opts.skew_threshold),
                )
            } else if s.min >= 0.0 {
                (Transform::Log1p, format!("{why} and no negative values"))
            } else if few_negatives {
                (Transform::SignedLog1p, format!("{why}; {}", signed()))
            } else {
                (
                    Transform::None,
                    format!(
                        "{why} but {:.0}% of the values are negative (min {}): not a log scale",
                        s.negative_share * 100.0,
                        fmt_num(s.min)
                    ),
                )
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_value_never_overflows() {
        assert_eq!(scale_value(3.0, 1.0, 2.0), 1.0);
        let z = scale_value(f64::MAX, -f64::MAX, 1.0);
        assert!(z.is_finite() && z > 0.0);
        assert_eq!(scale_value(f64::NAN, 0.0, 1.0), 0.0);
    }
}
