//! The features, step by step as [`crate::pipeline::features::apply_features`]
//! computes them: the raw value from the cleaned column (days, completed
//! months or years to the as-of date, a one-hot level), the training median
//! where it is missing or the sentinel, the winsorising bounds, the
//! transform (log1p, signed log1p), the z-score, custseg's limit on |z|.
//!
//! Each step is one `DerivedField` (a step that does nothing is left out),
//! written with `Apply` so that every operation is the one custseg does, in
//! its order: `NormContinuous` would compute the z-score by interpolation,
//! `(x - o1)·(a2 - a1)/(o2 - o1)`, which rounds differently.

use super::dates::DateFunctions;
use super::expr::{apply, bin, constant, derived_double, field, if_else};
use super::xml::Node;
use crate::pipeline::clean::IsoDate;
use crate::pipeline::features::{FeatureSource, FeatureSpec, Transform};

/// Largest |z| custseg emits (`features::scale_value`).
const Z_LIMIT: f64 = 1e150;

/// What the feature steps read.
pub struct Inputs<'a> {
    /// The cleaned value of the feature's column.
    pub column: &'a str,
    pub as_of: Option<IsoDate>,
    pub dates: &'a DateFunctions,
}

/// The feature's derived fields, and the name of the last (its z-score).
pub fn feature_fields(
    spec: &FeatureSpec,
    input: &Inputs,
    name: &dyn Fn(&str) -> String,
) -> (Vec<Node>, String) {
    let mut nodes = Vec::new();
    let mut push = |step: &str, expr: Node| -> String {
        let n = name(step);
        nodes.push(derived_double(&n, expr));
        n
    };
    let raw = match raw_value(&spec.source, input) {
        Some(expr) => push("raw", expr),
        None => input.column.to_string(),
    };
    let filled = push("filled", filled(spec, &raw));
    let clipped = match spec.clip {
        Some([lo, hi]) => push("clipped", clamp(&filled, lo, hi)),
        None => filled,
    };
    let transformed = match spec.transform {
        Transform::None => clipped,
        t => push("transformed", transform(t, &clipped)),
    };
    let scaled = push(
        "scaled",
        bin(
            "/",
            bin("-", field(&transformed), constant(spec.mean)),
            constant(spec.std),
        ),
    );
    let z = push("z", clamp(&scaled, -Z_LIMIT, Z_LIMIT));
    (nodes, z)
}

/// The feature's value before filling; `None` when it is the cleaned
/// column itself (a numeric column).
fn raw_value(source: &FeatureSource, input: &Inputs) -> Option<Node> {
    let c = || field(input.column);
    let at = input.as_of.map(super::fields::as_of_constants);
    match (source, at) {
        (FeatureSource::Column { .. }, _) => None,
        (FeatureSource::DaysSince { .. }, Some((_, days))) => Some(bin("-", days, c())),
        (FeatureSource::MonthsSince { .. }, Some((ymd, _))) => {
            Some(input.dates.months_since(input.dates.civil(c()), ymd))
        }
        (FeatureSource::YearsSince { .. }, Some((ymd, _))) => {
            Some(input.dates.years_since(input.dates.civil(c()), ymd))
        }
        (FeatureSource::OneHot { level, .. }, _) => Some(if_else(
            apply("isMissing", [c()]),
            constant(0.0),
            if_else(
                bin("equal", c(), super::expr::string(level)),
                constant(1.0),
                constant(0.0),
            ),
        )),
        // The plan refuses date features without an as-of date.
        (_, None) => Some(c()),
    }
}

/// Missing (or the sentinel) becomes the training median.
fn filled(spec: &FeatureSpec, raw: &str) -> Node {
    let value = match spec.missing_value {
        Some(s) => if_else(
            bin("equal", field(raw), constant(s)),
            constant(spec.fill),
            field(raw),
        ),
        None => field(raw),
    };
    if_else(apply("isMissing", [field(raw)]), constant(spec.fill), value)
}

/// `lo` below it, `hi` above it (custseg's `clip_to`).
fn clamp(x: &str, lo: f64, hi: f64) -> Node {
    if_else(
        bin("lessThan", field(x), constant(lo)),
        constant(lo),
        if_else(
            bin("greaterThan", field(x), constant(hi)),
            constant(hi),
            field(x),
        ),
    )
}

/// `ln1p(max(x, 0))`, or `sign(x)·ln1p(|x|)`.
fn transform(t: Transform, x: &str) -> Node {
    match t {
        Transform::None => field(x),
        Transform::Log1p => apply(
            "ln1p",
            [if_else(
                bin("greaterThan", field(x), constant(0.0)),
                field(x),
                constant(0.0),
            )],
        ),
        Transform::SignedLog1p => {
            let log = || apply("ln1p", [apply("abs", [field(x)])]);
            if_else(
                bin("lessThan", field(x), constant(0.0)),
                bin("*", constant(-1.0), log()),
                log(),
            )
        }
    }
}
