//! The segment rules as one SQL `CASE` expression, for a warehouse table
//! that holds the features in original units (as `segmentation_results.csv`
//! does): standard SQL, double-quoted names, so PostgreSQL, SQLite, DuckDB
//! and most others read it as it is.

use super::render::{Step, walk};
use super::{Node, Rules};
use crate::pipeline::features::Features;
use std::fmt::Write;

/// The file the rules are exported to.
pub const RULES_SQL: &str = "segment_rules.sql";

/// A double-quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A threshold as an SQL literal with round-trip digits.
fn literal(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:?}")
    }
}

/// The statement: a header saying what it is and how faithful, then
/// `SELECT *, CASE ... END AS rule_segment FROM segmentation_results`.
pub fn rules_sql(rules: &Rules, f: &Features, labels: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- custseg segment rules: a threshold tree with one leaf per segment (IMM),\n\
         -- fitted to the K-Means segments. The rules put {:.1}% of the customers in\n\
         -- their K-Means segment; their partition's SSE is {:.2} times K-Means'.\n\
         -- Reads one row per customer with the features in original units, as in\n\
         -- segmentation_results.csv; replace the table name with yours.",
        rules.agreement * 100.0,
        rules.cost_ratio
    );
    for r in &rules.segments {
        let label = labels.get(r.segment).map_or("", String::as_str);
        let _ = writeln!(
            s,
            "--   segment {} ({}): {}",
            r.segment,
            one_line(label),
            one_line(&r.text)
        );
    }
    let _ = writeln!(s, "SELECT *,\n  CASE");
    case_arms(&rules.tree, f, &mut s);
    let _ = writeln!(s, "  END AS rule_segment\nFROM segmentation_results;");
    s
}

/// A label or rule safe inside a one-line SQL comment.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn case_arms(tree: &Node, f: &Features, s: &mut String) {
    walk(tree, &mut Vec::new(), &mut |segment, path: &[Step]| {
        let when = if path.is_empty() {
            "1 = 1".to_string()
        } else {
            let cut = |&(feature, threshold, at_least): &Step| {
                let op = if at_least { ">=" } else { "<" };
                format!("{} {op} {}", ident(&f.names[feature]), literal(threshold))
            };
            path.iter().map(cut).collect::<Vec<_>>().join(" AND ")
        };
        let _ = writeln!(s, "    WHEN {when} THEN {segment}");
    });
}
