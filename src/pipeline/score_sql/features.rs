//! The Features step in SQL, one expression per feature and step, as
//! `features::apply_features` computes them: the raw value (a column, days,
//! months or years to the as-of date, a 0/1 level), the model's fill value,
//! the winsorising bounds, the transform, then the z-score.

use super::AS_OF;
use super::columns::Kind;
use super::dialect::{DatePart, Dialect};
use crate::pipeline::features::{FeatureSource, FeatureSpec, Transform};

/// Largest |z| custseg emits (`features::scale_value`).
const Z_LIMIT: f64 = 1e150;

/// How a feature reads the cleaned table: which column, as what.
pub fn source_column(source: &FeatureSource) -> (String, Kind) {
    let kind = match source {
        FeatureSource::Column { .. } => Kind::Number,
        FeatureSource::OneHot { .. } => Kind::Text,
        FeatureSource::DaysSince { .. }
        | FeatureSource::MonthsSince { .. }
        | FeatureSource::YearsSince { .. } => Kind::Date,
    };
    (source.column().to_string(), kind)
}

/// The raw feature value from the cleaned column `c` (NULL = missing).
pub fn raw(d: Dialect, source: &FeatureSource, c: &str) -> String {
    let at = format!("a.{AS_OF}");
    let parts = |date: &str| {
        (
            d.part(DatePart::Year, date),
            d.part(DatePart::Month, date),
            d.part(DatePart::Day, date),
        )
    };
    let (ay, am, ad) = parts(&at);
    let (y, m, dd) = parts(c);
    match source {
        FeatureSource::Column { .. } => d.double(c),
        FeatureSource::DaysSince { .. } => d.days_between(c, &at),
        FeatureSource::MonthsSince { .. } => d.double(&format!(
            "({ay} - {y}) * 12 + ({am} - {m}) - CASE WHEN {ad} < {dd} THEN 1 ELSE 0 END"
        )),
        FeatureSource::YearsSince { .. } => d.double(&format!(
            "{ay} - {y} - CASE WHEN {am} < {m} OR ({am} = {m} AND {ad} < {dd}) THEN 1 ELSE 0 END"
        )),
        FeatureSource::OneHot { level, .. } => format!(
            "CASE WHEN {c} = {} THEN {} ELSE {} END",
            d.string(level),
            d.num(1.0),
            d.num(0.0)
        ),
    }
}

/// Missing (or the sentinel) becomes the training median.
pub fn filled(d: Dialect, spec: &FeatureSpec, r: &str) -> String {
    let sentinel = spec
        .missing_value
        .map(|s| format!(" OR {r} = {}", d.num(s)))
        .unwrap_or_default();
    format!(
        "CASE WHEN {r} IS NULL{sentinel} THEN {} ELSE {r} END",
        d.num(spec.fill)
    )
}

/// Moved into the winsorising bounds.
pub fn clipped(d: Dialect, spec: &FeatureSpec, f: &str) -> String {
    match spec.clip {
        Some([lo, hi]) => format!(
            "CASE WHEN {f} < {lo} THEN {lo} WHEN {f} > {hi} THEN {hi} ELSE {f} END",
            lo = d.num(lo),
            hi = d.num(hi)
        ),
        None => f.to_string(),
    }
}

/// The magnitude a log transform takes the log1p of (`x` itself otherwise).
pub fn magnitude(d: Dialect, spec: &FeatureSpec, x: &str) -> String {
    match spec.transform {
        Transform::None => x.to_string(),
        Transform::Log1p => format!("CASE WHEN {x} > 0 THEN {x} ELSE {} END", d.num(0.0)),
        Transform::SignedLog1p => format!("ABS({x})"),
    }
}

/// The transformed value from the clipped value `x` and its magnitude `m`.
/// log1p(m) is `ln(u) * m / (u - 1)` with `u = 1 + m` (Goldberg's identity):
/// accurate to a few units in the last place where `ln(1 + m)` alone loses
/// the digits of a small `m`; engines have `ln` but not `log1p`.
pub fn transformed(d: Dialect, spec: &FeatureSpec, x: &str, m: &str) -> String {
    let one = d.num(1.0);
    let log1p = format!(
        "CASE WHEN {one} + {m} = {one} THEN {m} ELSE {} * {m} / (({one} + {m}) - {one}) END",
        d.ln(&format!("{one} + {m}"))
    );
    match spec.transform {
        Transform::None => x.to_string(),
        Transform::Log1p => log1p,
        Transform::SignedLog1p => format!("CASE WHEN {x} < 0 THEN -({log1p}) ELSE {log1p} END"),
    }
}

/// `(t - mean) / std`.
pub fn z(d: Dialect, spec: &FeatureSpec, t: &str) -> String {
    format!("({t} - {}) / {}", d.num(spec.mean), d.num(spec.std))
}

/// The z-score kept within custseg's limit.
pub fn z_limited(d: Dialect, z: &str) -> String {
    format!(
        "CASE WHEN {z} > {hi} THEN {hi} WHEN {z} < {lo} THEN {lo} ELSE {z} END",
        hi = d.num(Z_LIMIT),
        lo = d.num(-Z_LIMIT)
    )
}
