//! Validation of a saved model, field by field, so that nothing read from
//! `model.json` can make scoring panic, loop or blow up: finite numbers,
//! ordered bounds, bounded text, consistent dimensions. The same checks run
//! on a model before it is written, so a run never saves a model its own
//! `score` would refuse.

use super::clean::{ColumnParams, FillValue, Validity};
use super::features::FeatureSpec;
use super::mapping::Mapping;
use super::model::Model;
use serde_json::Value;

/// Longest text anywhere in a model (column names, reasons, notes): twice
/// a spreadsheet cell, so any header a run accepts fits.
pub const MAX_TEXT_CHARS: usize = 65_536;
/// Longest segment label and CRM action (they are written into every
/// scored row: a megabyte label made an 849 MB CSV of a 3,000-row file).
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_ACTION_CHARS: usize = 1000;
/// Most segments and features a model may have.
pub const MAX_K: usize = 10_000;
pub const MAX_FEATURES: usize = 100_000;
/// Largest centre coordinate: centres live in z-score space.
const MAX_CENTRE: f64 = 1e12;

/// A problem, worded as "where: what".
type Problem = String;

fn chars_over(s: &str, max: usize) -> Option<usize> {
    (s.len() > max)
        .then(|| s.chars().count())
        .filter(|&n| n > max)
}

/// Bounds every string of the model's JSON before it is typed (a text of
/// a megabyte is refused here, whatever field holds it).
pub fn check_json(v: &Value, at: &mut String) -> Result<(), Problem> {
    match v {
        Value::String(s) => match chars_over(s, MAX_TEXT_CHARS) {
            Some(n) => Err(format!(
                "{at}: a text of {n} characters (at most {MAX_TEXT_CHARS})"
            )),
            None => Ok(()),
        },
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                check_json(item, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (k, item) in map {
                if let Some(n) = chars_over(k, MAX_TEXT_CHARS) {
                    return Err(format!("{at}: a key of {n} characters"));
                }
                let len = at.len();
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(&crate::escape::excerpt(k, 40));
                check_json(item, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A number as a message shows it: 1e200, not 201 digits.
fn num(x: f64) -> String {
    if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6)) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn finite(at: &str, x: f64) -> Result<(), Problem> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(format!("{at}: {} is not a finite number", num(x)))
    }
}

fn named(at: &str, s: &str) -> Result<(), Problem> {
    if s.trim().is_empty() {
        return Err(format!("{at}: empty"));
    }
    Ok(())
}

/// Every semantic check of a typed model.
pub fn validate(m: &Model) -> Result<(), Problem> {
    let d = m.feature_names.len();
    if m.k == 0 || m.k > MAX_K {
        return Err(format!("k: {} segments (1 to {MAX_K})", m.k));
    }
    if d == 0 || d > MAX_FEATURES {
        return Err(format!("feature_names: {d} features (1 to {MAX_FEATURES})"));
    }
    if m.centres.len() != m.k * d || m.segments.len() != m.k || m.features.features.len() != d {
        return Err(format!(
            "k = {} and {d} features, but {} centre values, {} segments and {} feature specifications",
            m.k,
            m.centres.len(),
            m.segments.len(),
            m.features.features.len()
        ));
    }
    for (i, &c) in m.centres.iter().enumerate() {
        if !(c.is_finite() && c.abs() <= MAX_CENTRE) {
            return Err(format!(
                "centres[{i}]: {} is not a centre coordinate",
                num(c)
            ));
        }
    }
    for (i, s) in m.segments.iter().enumerate() {
        if s.id as usize != i {
            return Err(format!("segments[{i}].id: {} (expected {i})", s.id));
        }
        named(&format!("segments[{i}].label"), &s.label)?;
        if let Some(n) = chars_over(&s.label, MAX_LABEL_CHARS) {
            return Err(format!(
                "segments[{i}].label: {n} characters (at most {MAX_LABEL_CHARS})"
            ));
        }
        if let Some(n) = chars_over(&s.action, MAX_ACTION_CHARS) {
            return Err(format!(
                "segments[{i}].action: {n} characters (at most {MAX_ACTION_CHARS})"
            ));
        }
    }
    for (i, (spec, name)) in m.features.features.iter().zip(&m.feature_names).enumerate() {
        if &spec.name != name {
            return Err(format!(
                "features[{i}].name: '{}' but feature_names[{i}] is '{name}'",
                spec.name
            ));
        }
        feature(&format!("features[{i}]"), spec)?;
    }
    let mut names: Vec<&str> = m.feature_names.iter().map(String::as_str).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("feature_names: '{}' twice", w[0]));
    }
    mapping("mapping", &m.mapping)?;
    mapping("customer_mapping", &m.customer_mapping)?;
    for (i, c) in m.clean.columns.iter().enumerate() {
        column(&format!("clean.columns[{i}]"), c)?;
    }
    m.config
        .clean
        .validate()
        .map_err(|e| format!("config.clean: {e}"))?;
    m.config
        .features
        .validate()
        .map_err(|e| format!("config.features: {e}"))?;
    Ok(())
}

fn feature(at: &str, f: &FeatureSpec) -> Result<(), Problem> {
    named(&format!("{at}.name"), &f.name)?;
    named(&format!("{at}.source.column"), f.source.column())?;
    finite(&format!("{at}.fill"), f.fill)?;
    finite(&format!("{at}.mean"), f.mean)?;
    finite(&format!("{at}.std"), f.std)?;
    if f.std < 0.0 {
        return Err(format!("{at}.std: {} is negative", num(f.std)));
    }
    if let Some([lo, hi]) = f.clip {
        if lo.is_nan() || hi.is_nan() {
            return Err(format!("{at}.clip: not a number"));
        }
        if lo > hi {
            return Err(format!(
                "{at}.clip: the lower bound {lo} is above the upper bound {hi}"
            ));
        }
    }
    Ok(())
}

fn mapping(at: &str, m: &Mapping) -> Result<(), Problem> {
    for (i, c) in m.columns.iter().enumerate() {
        named(&format!("{at}.columns[{i}].column"), &c.column)?;
        if !(0.0..=1.0).contains(&c.confidence) {
            return Err(format!(
                "{at}.columns[{i}].confidence: {} is not between 0 and 1",
                c.confidence
            ));
        }
    }
    Ok(())
}

fn column(at: &str, c: &ColumnParams) -> Result<(), Problem> {
    named(&format!("{at}.name"), &c.name)?;
    match &c.validity {
        Validity::Range { min, max } => {
            finite(&format!("{at}.validity.min"), *min)?;
            finite(&format!("{at}.validity.max"), *max)?;
            if min > max {
                return Err(format!(
                    "{at}.validity: min {} is above max {}",
                    num(*min),
                    num(*max)
                ));
            }
        }
        Validity::Dates {
            min,
            max: Some(max),
        } if min > max => {
            return Err(format!("{at}.validity: min {min} is after max {max}"));
        }
        _ => {}
    }
    if let Some(imp) = &c.imputation
        && let FillValue::Number(x) = imp.value
    {
        finite(&format!("{at}.imputation.value"), x)?;
    }
    Ok(())
}
