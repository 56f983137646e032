//! The bank template (Recency, Frequency, Monetary, Tenure, Product_Depth,
//! Age, Balance): the ways to build each feature, best first, and which of
//! them the mapped columns allow.

use super::params::FeatureSource;
use super::report::LeftOut;
use super::select::Planned;
use super::values::FeatureValues;
use super::values::source_values;
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::Table;
use crate::remedy::Remedy;
use serde::{Deserialize, Serialize};

/// The bank template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFeature {
    Recency,
    Frequency,
    Monetary,
    Tenure,
    ProductDepth,
    Age,
    Balance,
}

impl TemplateFeature {
    pub const ALL: [TemplateFeature; 7] = [
        TemplateFeature::Recency,
        TemplateFeature::Frequency,
        TemplateFeature::Monetary,
        TemplateFeature::Tenure,
        TemplateFeature::ProductDepth,
        TemplateFeature::Age,
        TemplateFeature::Balance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TemplateFeature::Recency => "Recency",
            TemplateFeature::Frequency => "Frequency",
            TemplateFeature::Monetary => "Monetary",
            TemplateFeature::Tenure => "Tenure",
            TemplateFeature::ProductDepth => "Product_Depth",
            TemplateFeature::Age => "Age",
            TemplateFeature::Balance => "Balance",
        }
    }

    /// The ways to build it, best first.
    fn sources(self) -> &'static [(Role, Derive)] {
        match self {
            TemplateFeature::Recency => &[
                (Role::LastDate, Derive::DaysSince),
                (Role::TxnDate, Derive::DaysSince),
                (Role::Recency, Derive::Column),
            ],
            TemplateFeature::Frequency => &[(Role::TxnCount, Derive::Column)],
            TemplateFeature::Monetary => &[(Role::TxnAmount, Derive::Column)],
            TemplateFeature::Tenure => &[
                (Role::OpenDate, Derive::MonthsSince),
                (Role::Tenure, Derive::Column),
            ],
            TemplateFeature::ProductDepth => &[(Role::ProductCount, Derive::Column)],
            TemplateFeature::Age => &[
                (Role::BirthDate, Derive::YearsSince),
                (Role::Age, Derive::Column),
            ],
            TemplateFeature::Balance => &[(Role::Balance, Derive::Column)],
        }
    }
}

/// How a template feature is read from its source column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Derive {
    Column,
    DaysSince,
    MonthsSince,
    YearsSince,
}

/// Roles that template features read; such columns are never extras.
pub(super) const TEMPLATE_ROLES: [Role; 11] = [
    Role::LastDate,
    Role::TxnDate,
    Role::Recency,
    Role::TxnCount,
    Role::TxnAmount,
    Role::OpenDate,
    Role::Tenure,
    Role::ProductCount,
    Role::BirthDate,
    Role::Age,
    Role::Balance,
];

/// The template features the mapped columns can build, and why the others
/// cannot.
pub(super) struct TemplatePlan {
    pub(super) built: Vec<Planned>,
    /// Template features that cannot be built, with the reasons.
    pub(super) missing: Vec<LeftOut>,
    /// Mapped columns not used because a better source built the feature.
    pub(super) superseded: Vec<LeftOut>,
}

/// Each template feature from its best usable source (see the module docs
/// of [`super`]).
pub(super) fn template_features(
    table: &Table,
    mapping: &Mapping,
    as_of: Option<IsoDate>,
) -> TemplatePlan {
    let mut plan = TemplatePlan {
        built: Vec::new(),
        missing: Vec::new(),
        superseded: Vec::new(),
    };
    for tf in TemplateFeature::ALL {
        match build_template(tf, table, mapping, as_of, &mut plan.superseded) {
            Ok(p) => plan.built.push(p),
            Err(why) => plan.missing.push(why),
        }
    }
    plan
}

/// Template feature `tf` from the first of its sources that is mapped and
/// has a value; the mapped sources after it go to `superseded`. When none
/// can, the reasons.
fn build_template(
    tf: TemplateFeature,
    table: &Table,
    mapping: &Mapping,
    as_of: Option<IsoDate>,
    superseded: &mut Vec<LeftOut>,
) -> std::result::Result<Planned, LeftOut> {
    let mut reasons = Vec::new();
    let mut needs_as_of = false;
    let mut built: Option<(String, FeatureSource, FeatureValues)> = None;
    for &(role, derive) in tf.sources() {
        let col = match mapped_reason(mapping, table, role) {
            Ok(c) => c,
            Err(why) => {
                if mapping.column_for(role).is_some() {
                    reasons.push(why);
                }
                continue;
            }
        };
        if let Some((used, _, _)) = &built {
            superseded.push(LeftOut {
                name: col.clone(),
                reason: format!(
                    "{} is built from '{used}'; this {} column is not used",
                    tf.name(),
                    role.label()
                ),
                remedy: None,
            });
            continue;
        }
        let source = FeatureSource::from_derive(derive, &col);
        match source_values(table, &source, as_of) {
            Ok(v) if v.iter().any(|x| x.is_finite()) => built = Some((col, source, v)),
            Ok(_) => reasons.push(format!("every value of '{col}' is missing")),
            Err(why) => {
                needs_as_of |= as_of.is_none() && source.needs_as_of();
                reasons.push(format!("'{col}': {why}"))
            }
        }
    }
    if let Some((_, source, values)) = built {
        return Ok(Planned::new(tf.name().to_string(), source, values));
    }
    if reasons.is_empty() {
        let roles: Vec<&str> = tf.sources().iter().map(|(r, _)| r.label()).collect();
        reasons.push(format!("needs a mapped {}", roles.join(" or ")));
    }
    Err(LeftOut {
        name: tf.name().to_string(),
        reason: reasons.join("; "),
        remedy: needs_as_of.then_some(Remedy::AsOf { date: None }),
    })
}

/// The column mapped to `role`, or why it cannot be used.
fn mapped_reason(
    mapping: &Mapping,
    table: &Table,
    role: Role,
) -> std::result::Result<String, String> {
    let Some(col) = mapping.column_for(role) else {
        return Err(format!("no {} column is mapped", role.label()));
    };
    if table.column(col).is_none() {
        return Err(format!(
            "'{col}' ({}) is not in the cleaned table (dropped by Clean; see its report)",
            role.label()
        ));
    }
    if mapping.usage_of(col) == ColumnUse::Ignore {
        return Err(format!("'{col}' ({}) is marked 'ignore'", role.label()));
    }
    Ok(col.to_string())
}
