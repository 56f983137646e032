//! Scoring new customers with a saved model's feature parameters.

use super::assemble::row_major;
use super::params::{FeatureParams, FeatureSpec};
use super::transform::{apply_transform, clip_to, scale_value};
use super::values::source_values;
use crate::error::{Error, Result};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::table::Table;
use rayon::prelude::*;

/// The scaled `n x d` matrix of new customers (usually the output of
/// [`crate::pipeline::clean::apply_clean`]) with a saved model's parameters:
/// the same sources and as-of date, fill values, clipping bounds, transforms,
/// means and deviations. A column the model needs that is missing (or of the
/// wrong type) is an error naming every such column.
pub fn apply_features(
    table: &Table,
    mapping: &Mapping,
    params: &FeatureParams,
) -> Result<Vec<f64>> {
    let _ = mapping; // sources name their columns; the saved params are the truth
    let file = table.source.file_name();
    if params.features.is_empty() {
        return Err(Error::data("the model has no features"));
    }
    let mut problems: Vec<String> = Vec::new();
    let cols: Vec<Option<Vec<f64>>> = params
        .features
        .iter()
        .map(
            |spec| match source_values(table, &spec.source, params.as_of) {
                Ok(v) => Some(v.to_vec()),
                Err(why) => {
                    let msg = format!("{} needs {why}", spec.name);
                    if !problems.contains(&msg) {
                        problems.push(msg);
                    }
                    None
                }
            },
        )
        .collect();
    if !problems.is_empty() {
        return Err(Error::data(format!(
            "{file} cannot be scored with this model: {}",
            problems.join("; ")
        )));
    }
    let mut cols: Vec<Vec<f64>> = cols.into_iter().flatten().collect();
    cols.par_iter_mut()
        .zip(params.features.par_iter())
        .for_each(|(v, spec)| finish_column(v, spec));
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    Ok(row_major(refs, table.n_rows))
}

/// Fill, clip, transform and scale one feature in place, by its spec.
fn finish_column(values: &mut [f64], spec: &FeatureSpec) {
    for x in values.iter_mut() {
        *x = scaled_value(spec, *x);
    }
}

/// One value in original units filled, clipped, transformed and scaled by
/// its feature's spec: what a customer's value becomes in the model's space.
#[inline]
pub fn scaled_value(spec: &FeatureSpec, x: f64) -> f64 {
    let missing = !x.is_finite() || spec.missing_value == Some(x);
    let mut v = if missing { spec.fill } else { x };
    if let Some([lo, hi]) = spec.clip {
        v = clip_to(v, lo, hi);
    }
    scale_value(apply_transform(v, spec.transform), spec.mean, spec.std)
}

/// The value in original units that a scaled value stands for (a centre's
/// coordinate back in money, days or counts): [`scaled_value`] undone.
pub fn original_value(spec: &FeatureSpec, z: f64) -> f64 {
    super::transform::invert_transform(z * spec.std + spec.mean, spec.transform)
}
