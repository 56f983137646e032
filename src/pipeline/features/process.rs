//! One feature, start to finish: missing values filled with the median,
//! winsorising, the transform, the indicator weight and the z-score, all
//! worked out in one buffer per feature.

use super::options::{FeatureOptions, Transform, Winsorize};
use super::params::{FeatureSource, FeatureSpec};
use super::report::{FeatureInfo, FeatureKind, WinsorReason, fmt_num};
use super::select::Planned;
use super::transform::{
    MONEY_WINSOR, Shape, apply_transform, choose_transform, indicator_std, lo_at_least_zero,
    scale_in_place, winsorise,
};
use super::values::FeatureValues;
use crate::error::Result;
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::stats::median_in_place;
use crate::pipeline::stats::moments;

/// One processed feature before assembly.
pub(super) struct Done {
    pub(super) spec: FeatureSpec,
    pub(super) info: FeatureInfo,
    pub(super) original: FeatureValues,
    /// Moved into the scaled matrix as soon as the feature is done
    /// (`assemble::process_into_matrix`); empty after that.
    pub(super) scaled: Vec<f64>,
    pub(super) zero_variance: bool,
    /// The value (after winsorising) when it is the same for everyone.
    pub(super) constant_value: f64,
}

/// The filled values in original units, before winsorising.
struct Described {
    min: f64,
    max: f64,
    mean: f64,
    std: f64,
    skewness: f64,
    negatives: usize,
    kind: FeatureKind,
}

/// Fills, winsorises, transforms and scales one planned feature.
pub(super) fn process(p: Planned, opts: &FeatureOptions, as_of: Option<IsoDate>) -> Result<Done> {
    // One buffer per feature: the median, the percentiles, then the
    // transformed and scaled values are all worked out in it.
    let mut work: Vec<f64> = Vec::with_capacity(p.values.len());
    let (original, fill, filled) = fill_missing(p.values, &mut work);
    let d = describe(&original, &p.source, p.group_var);
    let clip_reason = winsor_choice(&d, opts, p.money);
    let (clip, clipped) = winsorise(&original, clip_reason.map(|(w, _)| w), &mut work);
    let (skewness, wmin) = match clip {
        Some([lo, _]) => (moments(&work).2, lo.max(d.min)),
        None => (d.skewness, d.min),
    };
    let shape = Shape {
        skewness,
        min: wmin,
        negative_share: d.negatives as f64 / original.len().max(1) as f64,
    };
    let (transform, transform_reason) = transform_of(&p.name, &d, shape, clip, opts)?;
    if transform != Transform::None {
        for x in work.iter_mut() {
            *x = apply_transform(*x, transform);
        }
    }
    let (mean, std, skewness_after) = if transform == Transform::None && clip.is_none() {
        (d.mean, d.std, d.skewness)
    } else {
        moments(&work)
    };
    let std = indicator_std(&d.kind, p.group_var, std, opts.indicator_weight);

    let constant_value = work[0];
    let (std, zero_variance) = scale_in_place(&mut work, mean, std);
    let spec = FeatureSpec {
        name: p.name.clone(),
        source: p.source.clone(),
        fill,
        clip,
        missing_value: p.sentinel.map(|s| s.value),
        transform,
        mean,
        std,
    };
    let info = FeatureInfo {
        name: p.name,
        kind: d.kind,
        source: p.source.describe(as_of),
        filled,
        min: d.min,
        max: d.max,
        mean: d.mean,
        std: d.std,
        clip,
        clip_reason: clip_reason.map(|(_, r)| r),
        clipped,
        negatives: d.negatives,
        sentinel: p.sentinel,
        money: p.money,
        skewness,
        transform,
        transform_reason,
        skewness_after,
    };
    Ok(Done {
        spec,
        info,
        original,
        scaled: work,
        zero_variance,
        constant_value,
    })
}

/// Range, moments, negatives and kind of the filled values.
fn describe(original: &[f64], source: &FeatureSource, group_var: Option<f64>) -> Described {
    let (mean, std, skewness) = moments(original);
    let (min, max) = original
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let negatives = original.iter().filter(|x| **x < 0.0).count();
    let kind = match (source, group_var) {
        (FeatureSource::OneHot { column, .. }, _) => FeatureKind::Indicator {
            column: column.clone(),
        },
        _ if is_binary(original) => FeatureKind::Flag,
        _ => FeatureKind::Numeric,
    };
    Described {
        min,
        max,
        mean,
        std,
        skewness,
        negatives,
        kind,
    }
}

/// Whether to winsorise, at which percentiles and why: quantities only,
/// when the user asked, or by default a skewed money feature.
fn winsor_choice(
    d: &Described,
    opts: &FeatureOptions,
    money: bool,
) -> Option<(Winsorize, WinsorReason)> {
    match (&d.kind, opts.winsorize) {
        (FeatureKind::Numeric, Some(w)) => Some((w, WinsorReason::Asked)),
        (FeatureKind::Numeric, None)
            if opts.winsorize_skewed_money && money && d.skewness > opts.skew_threshold =>
        {
            Some((MONEY_WINSOR, WinsorReason::SkewedMoney))
        }
        _ => None,
    }
}

/// The transform and why: none for an indicator, else from the options and
/// the shape after winsorising.
fn transform_of(
    name: &str,
    d: &Described,
    shape: Shape,
    clip: Option<[f64; 2]>,
    opts: &FeatureOptions,
) -> Result<(Transform, String)> {
    let (transform, mut transform_reason) = if d.kind.is_indicator() {
        (Transform::None, "0/1 indicator".to_string())
    } else {
        choose_transform(name, shape, opts)?
    };
    let negatives = d.negatives;
    if let (Some([lo, _]), true) = (clip, negatives > 0 && lo_at_least_zero(clip)) {
        // Winsorising raised the few negatives (refunds) to the lower bound.
        transform_reason.push_str(&format!(
            "; its {negatives} negative values (e.g. refunds) were raised to the lower winsorising bound {}",
            fmt_num(lo)
        ));
    }
    Ok((transform, transform_reason))
}

/// Missing and non-finite values replaced by the median of the rest:
/// (values, the median, how many were filled). `work` is scratch space.
fn fill_missing(values: FeatureValues, work: &mut Vec<f64>) -> (FeatureValues, f64, usize) {
    work.clear();
    work.extend(values.iter().copied().filter(|x| x.is_finite()));
    let filled = values.len() - work.len();
    let fill = median_in_place(work).unwrap_or(0.0);
    if filled == 0 {
        return (values, fill, 0);
    }
    let owned = values
        .iter()
        .map(|&x| if x.is_finite() { x } else { fill })
        .collect();
    (FeatureValues::owned(owned), fill, filled)
}

/// Only 0s and 1s, both present.
fn is_binary(v: &[f64]) -> bool {
    let (mut zero, mut one) = (false, false);
    for &x in v {
        if x == 0.0 {
            zero = true;
        } else if x == 1.0 {
            one = true;
        } else {
            return false;
        }
    }
    zero && one
}
