//! The run in memory as the NEW side of a comparison, so the TUI's Inspect
//! can show where each segment's customers came from in an earlier output
//! folder without writing this run first. The comparison is
//! [`super::compare`]'s own; only the reading of NEW differs.

use super::side::Given;
use super::{Comparison, Side, classify, compare, read_side, same_id_column};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::mapping::Role;
use crate::pipeline::model::Model;
use crate::pipeline::run::RunOutput;
use std::path::Path;

/// This run (its chosen K) as a comparison side.
pub fn side_of_run(run: &RunOutput, cfg: &RunConfig) -> Result<Side> {
    let model = Model::from_run(run, cfg)?;
    let id_column = model
        .customer_mapping
        .column_for(Role::CustomerId)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::data(
                "this run has no customer id column (customers are numbered by row), so its customers cannot be matched with another run's; map a customer id column on Map",
            )
        })?;
    let ids =
        crate::pipeline::export::tables::customer_ids(&run.cleaned.table, run.customer_mapping());
    Ok(Side {
        shown: "this run".into(),
        file: "this run".into(),
        model,
        model_file: "this run's model".into(),
        id_column,
        ids,
        segments: run
            .chosen()
            .fit
            .labels
            .iter()
            .map(|&l| u32::from(l))
            .collect(),
        feature_names: run.features.names.clone(),
        values: (0..run.features.n)
            .flat_map(|i| run.features.original.iter().map(move |c| c[i]))
            .collect(),
    })
}

/// The results and model files of the earlier run's output folder
/// `earlier`; an error naming what is missing otherwise (quick: no customer
/// is read).
pub fn earlier_run_files(earlier: &Path) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    match classify(earlier)? {
        Given::Folder { results, model } => Ok((results, model)),
        Given::Scored(_) => Err(Error::usage(format!(
            "{}: give the output folder of the earlier run (with segmentation_results.csv and model.json)",
            crate::artefact::shown(earlier)
        ))),
    }
}

/// Compares the output folder `earlier` (OLD) with this run (NEW).
pub fn compare_with_run(earlier: &Path, run: &RunOutput, cfg: &RunConfig) -> Result<Comparison> {
    let shown = crate::artefact::shown(earlier);
    let (results, model) = earlier_run_files(earlier)?;
    let model_file = crate::artefact::shown(&model);
    let old = read_side(&shown, &results, Model::read(&model)?, &model_file)?;
    let new = side_of_run(run, cfg)?;
    same_id_column(&old, &new)?;
    compare(old, new)
}

/// Customers of one segment of this run who came from one earlier segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The earlier segment's number and label.
    pub from: (u32, String),
    pub count: usize,
    /// Of the segment's customers now.
    pub share: f64,
}

/// Where the customers of one segment of this run came from.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentOrigin {
    pub size: usize,
    /// The earlier segment this one continues (`None`: new).
    pub continues: Option<(u32, String)>,
    /// Largest first.
    pub from: Vec<Origin>,
    /// Customers the earlier run did not have.
    pub entered: usize,
}

/// Where the customers of every segment of this run came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    /// The earlier run, as given.
    pub earlier: String,
    /// Features the segments were matched on.
    pub matched_on: Vec<String>,
    /// By segment number of this run.
    pub segments: Vec<SegmentOrigin>,
    /// Earlier customers this run does not have.
    pub left: usize,
}

/// The columns of the migration matrix, one per segment of NEW.
pub fn provenance(c: &Comparison) -> Provenance {
    let segments = c
        .new_identity
        .iter()
        .map(|&to| {
            let size = c.new_sizes[to];
            let mut from: Vec<Origin> = (0..c.k())
                .filter(|&f| c.counts[f][to] > 0)
                .filter_map(|f| {
                    let old = c.identities[f].old.clone()?;
                    Some(Origin {
                        from: old,
                        count: c.counts[f][to],
                        share: c.counts[f][to] as f64 / size.max(1) as f64,
                    })
                })
                .collect();
            from.sort_by(|a, b| b.count.cmp(&a.count).then(a.from.0.cmp(&b.from.0)));
            SegmentOrigin {
                size,
                continues: c.identities[to].old.clone(),
                from,
                entered: c.entered[to],
            }
        })
        .collect();
    Provenance {
        earlier: c.old.shown.clone(),
        matched_on: c.matched_on.clone(),
        segments,
        left: c.left_total(),
    }
}
