//! The input columns: their `DataField` (type, valid values), `MiningField`
//! (invalid values treated as missing, missing values replaced by the
//! model's fill value) and the derived fields that finish Clean where the
//! MiningSchema cannot (date rules, text trimming and missing markers).
//!
//! This is [`crate::pipeline::clean::apply_clean`] on the saved parameters,
//! re-based on the document's as-of date as `custseg score` re-bases them.

use super::dates::ymd_number;
use super::expr::{apply, bin, constant, derived_double, derived_string, field, if_else, string};
use super::plan::{Kind, Source};
use super::xml::Node;
use crate::pipeline::clean::{FillMethod, FillValue, Validity};

/// Cells custseg's loader reads as missing (`load::values::is_missing_token`),
/// compared exactly after trimming.
const MISSING_EXACT: [&str; 11] = [
    "", "-", "--", "?", ".", "无", "空", "缺失", "不详", "#N/A", "(blank)",
];
/// The same, compared in lower case.
const MISSING_ANY_CASE: [&str; 11] = [
    "na", "n/a", "nan", "null", "none", "nil", "missing", "#n/a", "#null!", "#value!", "#div/0!",
];

/// Unicode White_Space, what Rust's `str::trim` (custseg's reading of a
/// cell) removes.
const WHITE_SPACE: [char; 25] = [
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

/// The `DataField` of a source column.
pub fn data_field(s: &Source) -> Node {
    let node = Node::new("DataField").attr("name", &s.name);
    match s.kind {
        Kind::Number => {
            let (lo, hi) = number_bounds(s);
            node.attr("optype", "continuous")
                .attr("dataType", "double")
                .child(
                    Node::new("Interval")
                        .attr("closure", "closedClosed")
                        .attr("leftMargin", super::expr::num(lo))
                        .attr("rightMargin", super::expr::num(hi)),
                )
        }
        Kind::Date => node.attr("optype", "continuous").attr("dataType", "date"),
        Kind::Text => node
            .attr("optype", "categorical")
            .attr("dataType", "string"),
    }
}

/// Valid numbers: the column's rule, and always finite (custseg's loader
/// never yields an infinity; an engine's table may hold one).
fn number_bounds(s: &Source) -> (f64, f64) {
    match s.cleaned().map(|p| &p.validity) {
        Some(Validity::NonNegative) => (0.0, f64::MAX),
        Some(Validity::Range { min, max }) => (*min, *max),
        _ => (-f64::MAX, f64::MAX),
    }
}

/// The `MiningField`: invalid values are missing values; missing values get
/// the model's fill value (the training median or most frequent value).
pub fn mining_field(s: &Source) -> Node {
    let mut node = Node::new("MiningField")
        .attr("name", &s.name)
        .attr("usageType", "active")
        .attr("invalidValueTreatment", "asMissing");
    if let Some(imp) = s.cleaned().and_then(|p| p.imputation.as_ref()) {
        let method = match imp.method {
            FillMethod::Median => "asMedian",
            FillMethod::Mode => "asMode",
        };
        node = node
            .attr("missingValueReplacement", fill_text(&imp.value))
            .attr("missingValueTreatment", method);
    }
    node
}

fn fill_text(v: &FillValue) -> String {
    match v {
        FillValue::Number(x) => super::expr::num(*x),
        FillValue::Date(d) => d.to_string(),
        FillValue::Text(t) => t.clone(),
    }
}

/// Derived fields that finish cleaning `s`, and the name of the field that
/// holds its cleaned value (numbers: the input field itself; dates: days
/// since 1970-01-01; text: trimmed, markers missing, then filled).
pub fn cleaned(s: &Source, name: &dyn Fn(&str) -> String) -> (Vec<Node>, String) {
    match s.kind {
        Kind::Number => (Vec::new(), s.name.clone()),
        Kind::Date => cleaned_date(s, name),
        Kind::Text => cleaned_text(s, name),
    }
}

fn fill_value(s: &Source) -> Option<&FillValue> {
    s.cleaned()
        .and_then(|p| p.imputation.as_ref())
        .map(|i| &i.value)
}

/// Days since 1970-01-01; a date outside the rule (before the first valid
/// year, after the as-of date) gets the fill date.
fn cleaned_date(s: &Source, name: &dyn Fn(&str) -> String) -> (Vec<Node>, String) {
    let days = name("days");
    let mut nodes = vec![derived_double(
        &days,
        apply(
            "dateDaysSinceYear",
            [field(&s.name), super::expr::integer(1970)],
        ),
    )];
    let Some(Validity::Dates { min, max }) = s.cleaned().map(|p| &p.validity) else {
        return (nodes, days);
    };
    let mut valid = vec![bin("greaterOrEqual", field(&days), day_number(*min))];
    if let Some(max) = max {
        valid.push(bin("lessOrEqual", field(&days), day_number(*max)));
    }
    let valid = apply("and", valid);
    let expr = match fill_value(s) {
        Some(FillValue::Date(d)) => if_else(valid, field(&days), day_number(*d)),
        _ => super::expr::if_only(valid, field(&days)),
    };
    let clean = name("clean");
    nodes.push(derived_double(&clean, expr));
    (nodes, clean)
}

fn day_number(d: crate::pipeline::clean::IsoDate) -> Node {
    constant(f64::from(d.0))
}

/// Trimmed as custseg trims a cell; its missing markers are missing; then
/// the fill value.
fn cleaned_text(s: &Source, name: &dyn Fn(&str) -> String) -> (Vec<Node>, String) {
    let trimmed = name("trimmed");
    let class: String = WHITE_SPACE
        .iter()
        .map(|c| format!("\\x{{{:x}}}", u32::from(*c)))
        .collect();
    let pattern = format!("^[{class}]+|[{class}]+$");
    let trim = apply("replace", [field(&s.name), string(&pattern), string("")]);
    let marker = apply(
        "or",
        [
            apply(
                "isIn",
                std::iter::once(field(&trimmed)).chain(MISSING_EXACT.iter().map(|m| string(m))),
            ),
            apply(
                "isIn",
                std::iter::once(apply("lowercase", [field(&trimmed)]))
                    .chain(MISSING_ANY_CASE.iter().map(|m| string(m))),
            ),
        ],
    );
    let clean = name("clean");
    let expr = match fill_value(s) {
        Some(FillValue::Text(t)) => if_else(marker, string(t), field(&trimmed)),
        _ => super::expr::if_only(apply("not", [marker]), field(&trimmed)),
    };
    (
        vec![derived_string(&trimmed, trim), derived_string(&clean, expr)],
        clean,
    )
}

/// The as-of date as a `civil` number and as days since 1970-01-01.
pub fn as_of_constants(d: crate::pipeline::clean::IsoDate) -> (Node, Node) {
    (constant(ymd_number(d)), day_number(d))
}
