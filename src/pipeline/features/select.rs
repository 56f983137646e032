//! Which features to build: the mode (template or generic), the numeric
//! columns chosen by usage or `select`, the money and sentinel marks from
//! the mapping, and the user's drops.

use super::options::{FeatureMode, FeatureOptions};
use super::params::FeatureSource;
use super::report::{FeatureReport, LeftOut, RuledColumn};
use super::template::{TEMPLATE_ROLES, TemplatePlan};
use super::values::FeatureValues;
use super::values::source_values;
use crate::error::{Error, Result};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::hygiene::{Rule, Sentinel};
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::Table;
use crate::remedy::Remedy;

/// A feature chosen to be built, with its raw values.
pub(super) struct Planned {
    pub(super) name: String,
    pub(super) source: FeatureSource,
    pub(super) values: FeatureValues,
    /// One-hot levels: the summed variance of the column's indicators.
    pub(super) group_var: Option<f64>,
    /// Read as missing (set from the mapping's hygiene).
    pub(super) sentinel: Option<Sentinel>,
    /// Money by role or name.
    pub(super) money: bool,
}

impl Planned {
    pub(super) fn new(name: String, source: FeatureSource, values: FeatureValues) -> Self {
        Planned {
            name,
            source,
            values,
            group_var: None,
            sentinel: None,
            money: false,
        }
    }
}

/// The mode and why: `asked`, or for `auto` template mode when at least
/// two of the `k` template features can be built.
pub(super) fn choose_mode(asked: FeatureMode, k: usize) -> (FeatureMode, String) {
    match asked {
        FeatureMode::Auto if k >= 2 => (
            FeatureMode::Template,
            format!("{k} template features can be built (2 or more)"),
        ),
        FeatureMode::Auto => (
            FeatureMode::Generic,
            format!(
                "only {k} template feature{} can be built (template needs 2)",
                if k == 1 { "" } else { "s" }
            ),
        ),
        m => (
            m,
            format!("set by the user ({k} template features can be built)"),
        ),
    }
}

/// The numeric columns to use: those marked as features (not the id), or
/// the user's `select`, each checked to be a numeric column of the table.
pub(super) fn numeric_columns<'a>(
    table: &'a Table,
    mapping: &Mapping,
    opts: &FeatureOptions,
    id_col: Option<&str>,
) -> Result<Vec<&'a str>> {
    if opts.select.is_empty() {
        return Ok(table
            .columns
            .iter()
            .filter(|c| {
                c.ctype.is_numeric()
                    && Some(c.name.as_str()) != id_col
                    && mapping.usage_of(&c.name) == ColumnUse::Feature
            })
            .map(|c| c.name.as_str())
            .collect());
    }
    opts.select
        .iter()
        .map(|s| selected_column(table, mapping, s))
        .collect()
}

/// The selected column `s`, or why it cannot be selected.
fn selected_column<'a>(table: &'a Table, mapping: &Mapping, s: &str) -> Result<&'a str> {
    let select = || Remedy::Select {
        column: Some(s.to_string()),
    };
    match table.column(s) {
        Some(c) if c.ctype.is_numeric() => Ok(c.name.as_str()),
        Some(c) => Err(Error::bad_setting(
            select(),
            format!(
                "'{s}' holds {} values; only numeric columns can be selected",
                c.ctype.name()
            ),
        )),
        None if mapping.columns.iter().any(|m| m.column == s) => Err(Error::Setting {
            setting: select(),
            message: format!("'{s}' was dropped by Clean (see its report)"),
            remedy: Some(Box::new(Remedy::MaxMissing { value: None })),
        }),
        None => Err(Error::bad_setting(
            select(),
            format!(
                "no such column; numeric columns are: {}",
                numeric_names(table).join(", ")
            ),
        )),
    }
}

/// The numeric features of the mode: in template mode the template features
/// that can be built, then the numeric columns no template role reads; in
/// generic mode the numeric columns only (template features that need
/// dates are reported as left out).
pub(super) fn plan_numeric(
    mode: FeatureMode,
    template: TemplatePlan,
    numeric_cols: Vec<&str>,
    table: &Table,
    mapping: &Mapping,
    as_of: Option<IsoDate>,
    report: &mut FeatureReport,
) -> Vec<Planned> {
    let mut planned: Vec<Planned> = Vec::new();
    match mode {
        FeatureMode::Template => {
            report.left_out.extend(template.missing);
            report.left_out.extend(template.superseded);
            planned.extend(template.built);
            for name in numeric_cols {
                let role = mapping.role_of(name);
                if role.is_some_and(|r| TEMPLATE_ROLES.contains(&r)) {
                    // Consumed by a template feature, superseded, or unusable;
                    // all three are reported above.
                    continue;
                }
                push_column(&mut planned, report, table, name);
            }
        }
        _ => {
            for t in &template.built {
                if t.source.needs_as_of() {
                    report.left_out.push(LeftOut {
                        name: t.name.clone(),
                        reason: format!(
                            "generic mode uses numeric columns only; {} could be built from {}",
                            t.name,
                            t.source.describe(as_of)
                        ),
                        remedy: Some(Remedy::FeaturesTemplate),
                    });
                }
            }
            for name in numeric_cols {
                push_column(&mut planned, report, table, name);
            }
        }
    }
    planned
}

/// Numeric columns marked "profile" that no feature reads: kept for the
/// segment profiles.
pub(super) fn profile_numeric(
    table: &Table,
    mapping: &Mapping,
    planned: &[Planned],
    report: &mut FeatureReport,
) {
    for c in &table.columns {
        if c.ctype.is_numeric()
            && mapping.usage_of(&c.name) == ColumnUse::Profile
            && !planned.iter().any(|p| p.source.column() == c.name)
        {
            report.profile_columns.push(c.name.clone());
        }
    }
}

/// The user's `drop_features` removed (an unknown name is an error), and
/// every name in `transform_overrides` checked to be a feature.
pub(super) fn apply_drops(
    planned: &mut Vec<Planned>,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) -> Result<()> {
    for name in &opts.drop_features {
        match planned.iter().position(|p| &p.name == name) {
            Some(i) => {
                planned.remove(i);
                report.left_out.push(LeftOut {
                    name: name.clone(),
                    reason: "dropped by the user".into(),
                    remedy: None,
                });
            }
            None => {
                return Err(Error::bad_setting(
                    Remedy::DropFeature {
                        name: Some(name.clone()),
                    },
                    format!("no such feature; the features are: {}", names_of(planned)),
                ));
            }
        }
    }
    for name in opts.transform_overrides.keys() {
        if !planned.iter().any(|p| &p.name == name) {
            return Err(Error::bad_setting(
                Remedy::TransformFeature {
                    name: name.clone(),
                    to: None,
                },
                format!("no such feature; the features are: {}", names_of(planned)),
            ));
        }
    }
    Ok(())
}

/// The rule that set a column's use, if one did.
pub(super) fn applied_rule<'m>(mapping: &'m Mapping, column: &str) -> Option<&'m Rule> {
    mapping
        .columns
        .iter()
        .find(|c| c.column == column && c.hygiene.applied)
        .and_then(|c| c.hygiene.rule.as_ref())
}

/// The hygiene rules' findings on the columns of this table.
pub(super) fn ruled_columns(table: &Table, mapping: &Mapping) -> Vec<RuledColumn> {
    mapping
        .columns
        .iter()
        .filter(|c| table.column(&c.column).is_some())
        .filter_map(|c| {
            Some(RuledColumn {
                column: c.column.clone(),
                rule: c.hygiene.rule.clone()?,
                usage: c.usage,
                applied: c.hygiene.applied,
            })
        })
        .collect()
}

/// Money names outside the template roles (credit-card and generic
/// tables): winsorised by default when skewed.
fn is_money(p: &Planned, mapping: &Mapping) -> bool {
    const WORDS: [&str; 22] = [
        "amount",
        "amt",
        "balance",
        "bal",
        "spend",
        "spent",
        "purchase",
        "purchases",
        "payment",
        "payments",
        "revenue",
        "sales",
        "income",
        "salary",
        "monetary",
        "price",
        "cost",
        "limit",
        "cash",
        "deposit",
        "loan",
        "value",
    ];
    const CJK: [&str; 7] = ["金额", "余额", "收入", "消费", "资产", "存款", "贷款"];
    if p.source.needs_as_of() || matches!(p.source, FeatureSource::OneHot { .. }) {
        return false;
    }
    let col = p.source.column();
    let by_role = matches!(mapping.role_of(col), Some(Role::Balance | Role::TxnAmount));
    let tokens = crate::pipeline::hygiene::tokens(col);
    by_role
        || tokens.iter().any(|t| WORDS.contains(&t.as_str()))
        || CJK.iter().any(|w| col.contains(w))
}

/// Sentinels (read as missing) and money, per planned feature.
pub(super) fn annotate(planned: &mut [Planned], mapping: &Mapping) {
    for p in planned.iter_mut() {
        p.money = is_money(p, mapping);
        let FeatureSource::Column { column } = &p.source else {
            continue;
        };
        let sentinel = mapping
            .columns
            .iter()
            .find(|c| &c.column == column)
            .and_then(|c| c.hygiene.sentinel);
        if let Some(s) = sentinel {
            let values: Vec<f64> = p
                .values
                .iter()
                .map(|&x| if x == s.value { f64::NAN } else { x })
                .collect();
            let count = values.iter().filter(|x| x.is_nan()).count()
                - p.values.iter().filter(|x| x.is_nan()).count();
            if count > 0 {
                p.values = FeatureValues::owned(values);
                p.sentinel = Some(Sentinel { count, ..s });
            }
        }
    }
}

/// The planned features' names, for an error that lists them.
fn names_of(planned: &[Planned]) -> String {
    planned
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn numeric_names(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.ctype.is_numeric())
        .map(|c| c.name.clone())
        .collect()
}

fn push_column(planned: &mut Vec<Planned>, report: &mut FeatureReport, table: &Table, name: &str) {
    if planned.iter().any(|p| p.name == name) {
        return;
    }
    let source = FeatureSource::Column {
        column: name.to_string(),
    };
    match source_values(table, &source, None) {
        Ok(v) if v.iter().any(|x| x.is_finite()) => {
            planned.push(Planned::new(name.to_string(), source, v))
        }
        Ok(_) => report.left_out.push(LeftOut {
            name: name.to_string(),
            reason: "every value is missing".into(),
            remedy: None,
        }),
        Err(why) => report.left_out.push(LeftOut {
            name: name.to_string(),
            reason: why,
            remedy: None,
        }),
    }
}

pub(super) fn no_feature_error(
    table: &Table,
    mapping: &Mapping,
    report: &FeatureReport,
    template: &[LeftOut],
    mode: FeatureMode,
) -> Error {
    let found: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let role = mapping
                .role_of(&c.name)
                .map_or(String::new(), |r| format!(", {}", r.label()));
            let usage = match mapping.usage_of(&c.name) {
                ColumnUse::Feature => "feature",
                ColumnUse::Profile => "profile",
                ColumnUse::Ignore => "ignored",
            };
            format!("'{}' ({}{role}, {usage})", c.name, c.ctype.name())
        })
        .collect();
    let mut why: Vec<String> = Vec::new();
    for l in template.iter().chain(&report.left_out) {
        let line = format!("{}: {}", l.name, l.reason);
        if !why.contains(&line) {
            why.push(line);
        }
    }
    let message = format!(
        "no usable feature to cluster on ({} mode). {}Columns found: {}. \
         Give template columns their roles (e.g. balance), mark numeric columns as features, or select them",
        mode.name(),
        if why.is_empty() {
            String::new()
        } else {
            format!("Left out: {}. ", why.join("; "))
        },
        if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        }
    );
    Error::with_remedy(message, Remedy::Select { column: None })
}
