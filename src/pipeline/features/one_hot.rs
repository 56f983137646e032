//! Categorical columns (gender, branch): kept for the segment profiles, and
//! with `one_hot` those with few values also become 0/1 indicator features.

use super::options::FeatureOptions;
use super::params::FeatureSource;
use super::report::{FeatureReport, LeftOut};
use super::select::{Planned, applied_rule};
use super::values::FeatureValues;
use super::values::source_values;
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{Column, ColumnType, Table};
use crate::remedy::{Notice, Remedy};
use std::collections::BTreeSet;

/// Every text column but the id and the ignored ones goes to the profiles;
/// the one-hot levels of those that are encoded are added to `planned`.
pub(super) fn plan_categorical(
    planned: &mut Vec<Planned>,
    table: &Table,
    mapping: &Mapping,
    opts: &FeatureOptions,
    as_of: Option<IsoDate>,
    report: &mut FeatureReport,
) {
    let id_col = mapping.column_for(Role::CustomerId);
    for c in &table.columns {
        if c.ctype != ColumnType::Text || Some(c.name.as_str()) == id_col {
            continue;
        }
        let usage = mapping.usage_of(&c.name);
        if usage == ColumnUse::Ignore {
            continue;
        }
        report.profile_columns.push(c.name.clone());
        if let Some(levels) = levels_to_encode(c, usage, mapping, opts, report) {
            planned.extend(one_hot_group(c, levels, table, as_of));
        }
    }
}

/// The levels of `c` when it is one-hot encoded; otherwise `None`, with
/// why in the report when the user would expect it encoded.
fn levels_to_encode<'a>(
    c: &'a Column,
    usage: ColumnUse,
    mapping: &Mapping,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) -> Option<BTreeSet<&'a str>> {
    if let Some(rule) = applied_rule(mapping, &c.name) {
        // An outcome or an after-the-fact column is never encoded.
        if opts.one_hot {
            report.left_out.push(LeftOut {
                name: c.name.clone(),
                reason: format!("not one-hot encoded: {}", rule.finding()),
                remedy: None,
            });
        }
        return None;
    }
    if !opts.one_hot {
        if usage == ColumnUse::Feature {
            report.warnings.push(
                Notice::new(format!(
                    "'{}' is text and marked as a feature, but one-hot encoding is off; it is kept for profiles only",
                    c.name
                ))
                .about(&c.name)
                .remedy(Remedy::OneHot),
            );
        }
        return None;
    }
    let t = c.texts().expect("text column");
    let levels: BTreeSet<&str> = t.iter().flatten().collect();
    if levels.len() < 2 || levels.len() > opts.one_hot_max_levels {
        report.left_out.push(LeftOut {
            name: c.name.clone(),
            reason: format!(
                "not one-hot encoded: {} distinct values (encoded when 2 to {})",
                levels.len(),
                opts.one_hot_max_levels
            ),
            remedy: None,
        });
        return None;
    }
    Some(levels)
}

/// One indicator feature per level (`Gender=F`), each knowing the summed
/// variance of the group, by which indicators are weighted.
fn one_hot_group(
    c: &Column,
    levels: BTreeSet<&str>,
    table: &Table,
    as_of: Option<IsoDate>,
) -> Vec<Planned> {
    let n = table.n_rows;
    let mut group: Vec<Planned> = levels
        .into_iter()
        .map(|level| {
            let source = FeatureSource::OneHot {
                column: c.name.clone(),
                level: level.to_string(),
            };
            let values = source_values(table, &source, as_of)
                .unwrap_or_else(|_| FeatureValues::owned(Vec::new()));
            Planned::new(format!("{}={level}", c.name), source, values)
        })
        .collect();
    let group_var: f64 = group
        .iter()
        .map(|p| {
            let share = p.values.iter().sum::<f64>() / n as f64;
            share * (1.0 - share)
        })
        .sum();
    for p in &mut group {
        p.group_var = Some(group_var);
    }
    group
}
