//! The as-of date's two policies that reach beyond one stage.
//!
//! - **Scoring** measures the new customers against *their* as-of date: the
//!   latest activity date in the scoring file (as training does with its
//!   own), or the one given. The model's date rules (no activity after the
//!   as-of date, ages from birth dates) and date features (Recency, Tenure,
//!   Age) are re-based on it, so the same customers a month later, with all
//!   their dates a month later, land in the same segments.
//! - **An as-of date before much of the data** makes those dates invalid
//!   ("in the future"). Above [`LATE_SHARE_WARN`] of a date column, both
//!   faces say so, and which feature that costs.

use crate::error::Result;
use crate::pipeline::clean::{
    AsOf, AsOfSource, CleanOptions, CleanParams, IsoDate, resolve_as_of, validity_for,
};
use crate::pipeline::features::{FeatureParams, FeatureSource};
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::table::{ColumnType, MISSING_DATE, Table};
use crate::remedy::{Notice, Remedy};

/// Share of a date column's dates after the as-of date above which both
/// faces warn.
pub const LATE_SHARE_WARN: f64 = 0.05;

/// Date roles whose dates may not lie after the as-of date.
const CHECKED_ROLES: [Role; 4] = [
    Role::LastDate,
    Role::TxnDate,
    Role::OpenDate,
    Role::BirthDate,
];

/// The feature a date role is measured into (see the Features stage).
pub fn feature_from(role: Role) -> Option<&'static str> {
    match role {
        Role::LastDate | Role::TxnDate => Some("Recency"),
        Role::OpenDate => Some("Tenure"),
        Role::BirthDate => Some("Age"),
        _ => None,
    }
}

/// A date column with many dates after the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct LateDates {
    pub column: String,
    pub role: Role,
    /// Dates after the as-of date.
    pub after: usize,
    /// Dates present.
    pub present: usize,
}

impl LateDates {
    pub fn share(&self) -> f64 {
        self.after as f64 / self.present.max(1) as f64
    }

    /// What it means, given whether Clean dropped the column for it
    /// (`None` when scoring: the model's value fills them).
    pub fn notice(&self, as_of: IsoDate, dropped: Option<bool>) -> Notice {
        let mut n = Notice::new(self.warning(as_of, dropped))
            .about(&self.column)
            .remedy(Remedy::AsOf { date: None });
        if let Some(feature) = feature_from(self.role) {
            n = n.about(feature);
        }
        n
    }

    pub fn warning(&self, as_of: IsoDate, dropped: Option<bool>) -> String {
        let feature = feature_from(self.role).unwrap_or("its feature");
        let consequence = match dropped {
            Some(true) => format!(
                "the column is dropped (too many missing values), so {feature} disappears from the features"
            ),
            Some(false) => format!(
                "they are filled with the median date, so {feature} is not measured for those customers"
            ),
            None => format!(
                "they are filled with the model's value, so {feature} is not measured for those customers"
            ),
        };
        format!(
            "the as-of date {as_of} lies before {:.0}% of the dates in '{}' ({} of {}): dates after it count as invalid and {consequence}; choose a later as-of date",
            self.share() * 100.0,
            self.column,
            self.after,
            self.present
        )
    }
}

/// The mapped date columns more than [`LATE_SHARE_WARN`] of whose dates lie
/// after `as_of`.
pub fn late_dates(table: &Table, mapping: &Mapping, as_of: IsoDate) -> Vec<LateDates> {
    CHECKED_ROLES
        .iter()
        .filter_map(|&role| {
            let name = mapping.column_for(role)?;
            let dates = table.column(name)?.dates()?;
            let present = dates.iter().filter(|&&d| d != MISSING_DATE).count();
            let after = dates
                .iter()
                .filter(|&&d| d != MISSING_DATE && d > as_of.0)
                .count();
            let late = LateDates {
                column: name.to_string(),
                role,
                after,
                present,
            };
            (present > 0 && late.share() > LATE_SHARE_WARN).then_some(late)
        })
        .collect()
}

/// The model's cleaning and feature parameters re-based on the scoring
/// as-of date: date rules and date features measured against `as_of`.
pub fn rebase(
    clean: &CleanParams,
    features: &FeatureParams,
    opts: &CleanOptions,
    as_of: Option<IsoDate>,
) -> (CleanParams, FeatureParams) {
    let mut clean = clean.clone();
    clean.as_of = as_of;
    for p in &mut clean.columns {
        if p.ctype == ColumnType::Date {
            p.validity = validity_for(p.ctype, p.role, opts, as_of);
        }
    }
    let mut features = features.clone();
    let measured = features.features.iter().any(|f| {
        matches!(
            f.source,
            FeatureSource::DaysSince { .. }
                | FeatureSource::MonthsSince { .. }
                | FeatureSource::YearsSince { .. }
        )
    });
    if measured || features.as_of.is_some() {
        features.as_of = as_of;
    }
    (clean, features)
}

/// The as-of date new customers are measured against, and the model's
/// parameters re-based on it.
pub struct ScoringAsOf {
    pub as_of: AsOf,
    pub clean: CleanParams,
    pub features: FeatureParams,
    /// Typo-like late dates, dates after a given as-of date.
    pub warnings: Vec<Notice>,
}

/// Resolves the scoring as-of date on the (customer-level) `table` as
/// training did on its own: `requested`, or the latest activity date; a
/// file without activity dates falls back to the model's.
pub fn for_scoring(
    clean: &CleanParams,
    features: &FeatureParams,
    opts: &CleanOptions,
    table: &Table,
    mapping: &Mapping,
    requested: Option<IsoDate>,
) -> Result<ScoringAsOf> {
    let mut as_of = resolve_as_of(table, mapping, requested)?;
    let mut warnings: Vec<Notice> = as_of.warning.iter().cloned().collect();
    if as_of.date.is_none() && clean.as_of.is_some() {
        as_of.date = clean.as_of;
        as_of.source = AsOfSource::Model;
    }
    if let Some(d) = as_of.date {
        warnings.extend(
            late_dates(table, mapping, d)
                .iter()
                .map(|l| l.notice(d, None)),
        );
    }
    let (clean, features) = rebase(clean, features, opts, as_of.date);
    Ok(ScoringAsOf {
        as_of,
        clean,
        features,
        warnings,
    })
}
