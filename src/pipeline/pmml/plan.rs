//! What the document reads: the model's parameters re-based on the as-of
//! date, and the distinct input columns its features read, each with the
//! kind of values it holds and whether Clean treats it.

use crate::error::{Error, Result};
use crate::pipeline::clean::{CleanParams, ColumnParams, IsoDate};
use crate::pipeline::features::{FeatureParams, FeatureSource};
use crate::pipeline::mapping::ColumnUse;
use crate::pipeline::model::Model;
use crate::remedy::Remedy;

/// What kind of values an input column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Date,
    Text,
}

/// One input column.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub kind: Kind,
    /// Clean's parameters when Clean treats the column (not the id, not
    /// ignored, not unknown to Clean).
    params: Option<ColumnParams>,
}

impl Source {
    pub fn cleaned(&self) -> Option<&ColumnParams> {
        self.params.as_ref()
    }
}

/// Where the document's as-of date comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOfSource {
    /// The as-of date saved with the model (the training run's).
    Model,
    /// Given when the document was written.
    Given,
}

pub struct Plan {
    pub sources: Vec<Source>,
    /// Per feature: index into `sources`.
    pub of_feature: Vec<usize>,
    pub features: FeatureParams,
    /// `None` only when no feature reads a date.
    pub as_of: Option<(IsoDate, AsOfSource)>,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Number => "numbers",
        Kind::Date => "dates",
        Kind::Text => "text",
    }
}

fn kind_of(source: &FeatureSource) -> Kind {
    match source {
        FeatureSource::Column { .. } => Kind::Number,
        FeatureSource::OneHot { .. } => Kind::Text,
        FeatureSource::DaysSince { .. }
        | FeatureSource::MonthsSince { .. }
        | FeatureSource::YearsSince { .. } => Kind::Date,
    }
}

/// The plan for `model`, its dates measured against `as_of` (default: the
/// model's own as-of date).
pub fn plan(model: &Model, as_of: Option<IsoDate>) -> Result<Plan> {
    let needs_date = model
        .features
        .features
        .iter()
        .any(|f| kind_of(&f.source) == Kind::Date);
    let chosen = match (as_of, model.clean.as_of.or(model.features.as_of)) {
        (Some(d), _) => Some((d, AsOfSource::Given)),
        (None, Some(d)) => Some((d, AsOfSource::Model)),
        (None, None) => None,
    };
    if needs_date && chosen.is_none() {
        return Err(Error::usage_with_remedy(
            "the model measures dates but holds no as-of date to measure them against",
            Remedy::AsOf { date: None },
        ));
    }
    let (clean, features) = match chosen {
        Some((d, _)) => crate::pipeline::as_of::rebase(
            &model.clean,
            &model.features,
            &model.config.clean,
            Some(d),
        ),
        None => (model.clean.clone(), model.features.clone()),
    };
    let mut sources: Vec<Source> = Vec::new();
    let mut of_feature = Vec::new();
    for spec in &features.features {
        let name = spec.source.column();
        let kind = kind_of(&spec.source);
        let i = match sources.iter().position(|s| s.name == name) {
            Some(i) if sources[i].kind != kind => {
                return Err(Error::data(format!(
                    "the model is inconsistent: '{name}' is read both as {} and as {}",
                    kind_name(sources[i].kind),
                    kind_name(kind)
                )));
            }
            Some(i) => i,
            None => {
                sources.push(source(&clean, name, kind, &spec.name)?);
                sources.len() - 1
            }
        };
        of_feature.push(i);
    }
    Ok(Plan {
        sources,
        of_feature,
        features,
        // A date no feature measures against is not part of the document.
        as_of: chosen.filter(|_| needs_date),
    })
}

/// The column as Clean treats it when scoring (see `apply_clean`): the id
/// and ignored columns pass through untouched.
fn source(clean: &CleanParams, name: &str, kind: Kind, feature: &str) -> Result<Source> {
    let params = clean.columns.iter().find(|p| p.name == name);
    if params.is_some_and(|p| p.dropped.is_some()) {
        return Err(Error::data(format!(
            "the model is inconsistent: feature '{feature}' reads '{name}', which its Clean step dropped"
        )));
    }
    let treated = params.filter(|p| {
        p.usage != ColumnUse::Ignore && clean.id_column.as_deref() != Some(p.name.as_str())
    });
    Ok(Source {
        name: name.to_string(),
        kind,
        params: treated.cloned(),
    })
}
