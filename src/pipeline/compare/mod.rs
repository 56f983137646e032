//! Segments over time: two runs (an earlier OLD and a later NEW) compared
//! customer by customer. Customers are matched by id; segments by identity
//! ([`matching`]: NEW's centres paired with OLD's in OLD's scaled space),
//! never by number. The result says who moved where (the migration
//! matrix), who entered and left, how the segment sizes drifted (PSI) and
//! how each segment's features moved in original units; [`write`] puts it
//! in an output set (migration.csv, migration.md, migration.png).

mod current;
mod drift;
mod flows;
pub mod matching;
mod report;
mod side;
mod side_parquet;
mod write;

pub use current::{
    Origin, Provenance, SegmentOrigin, compare_with_run, earlier_run_files, provenance, side_of_run,
};
pub use drift::{FeatureShift, SegmentDrift, psi, psi_band};
pub use flows::{Flow, FlowKind, flows};
pub use side::{Given, Side, classify, read_side};
pub use write::{MIGRATION_CSV, MIGRATION_MD, MIGRATION_PNG, output_names, write_comparison};

use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::model::Model;
use matching::{Space, match_segments};
use std::collections::HashMap;
use std::path::Path;

/// One segment across the two runs: OLD's, NEW's continuation of it, or
/// a segment only one run has.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// OLD's segment number and label (`None`: new in NEW).
    pub old: Option<(u32, String)>,
    /// NEW's segment number and label (`None`: vanished).
    pub new: Option<(u32, String)>,
    /// Distance of the matched centres in OLD's scaled space.
    pub distance: Option<f64>,
}

impl Identity {
    /// "2 High-Value Customers (VIP)", or "new 5 ..." for a segment only NEW has.
    pub fn name(&self) -> String {
        match (&self.old, &self.new) {
            (Some((n, l)), _) => format!("{n} {l}"),
            (None, Some((n, l))) => format!("new {n} {l}"),
            (None, None) => String::new(),
        }
    }

    /// The label this segment goes by (NEW's when it has one).
    pub fn label(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or("", |(_, l)| l.as_str())
    }
}

/// Everything `compare` found.
#[derive(Debug)]
pub struct Comparison {
    pub old: Side,
    pub new: Side,
    /// NEW was numbered by the same model as OLD (a scored file, or the
    /// same model.json): segments match by number.
    pub same_model: bool,
    /// OLD's segments first (in their order), then the ones only NEW has.
    pub identities: Vec<Identity>,
    /// Identity of each OLD / NEW segment number.
    pub old_identity: Vec<usize>,
    pub new_identity: Vec<usize>,
    /// Features the segment matching measured distances over.
    pub matched_on: Vec<String>,
    /// counts[from identity][to identity]: customers in both runs.
    pub counts: Vec<Vec<usize>>,
    /// Per identity: OLD customers not in NEW, NEW customers not in OLD.
    pub left: Vec<usize>,
    pub entered: Vec<usize>,
    /// Per identity: customers in OLD / NEW.
    pub old_sizes: Vec<usize>,
    pub new_sizes: Vec<usize>,
    pub moved: usize,
    pub stayed: usize,
    /// For each OLD row, the NEW row of the same customer.
    pub new_row_of_old: Vec<Option<usize>>,
    /// NEW rows whose customer OLD does not have.
    pub entered_rows: Vec<usize>,
    /// Segment size drift (`None` when a side has no customers).
    pub psi: Option<f64>,
    pub drift: Vec<SegmentDrift>,
}

impl Comparison {
    pub fn k(&self) -> usize {
        self.identities.len()
    }

    pub fn left_total(&self) -> usize {
        self.left.iter().sum()
    }

    pub fn entered_total(&self) -> usize {
        self.entered.iter().sum()
    }
}

/// Reads OLD and NEW (folders, or one of them a scored file numbered by the
/// other's model) and checks that their customers can be matched.
pub fn read_pair(old: &Path, new: &Path) -> Result<(Side, Side)> {
    let (old_given, new_given) = (classify(old)?, classify(new)?);
    let model_of = |g: &Given| -> Result<Option<(Model, String)>> {
        match g {
            Given::Folder { model, .. } => {
                Ok(Some((Model::read(model)?, crate::artefact::shown(model))))
            }
            Given::Scored(_) => Ok(None),
        }
    };
    let (old_model, new_model) = (model_of(&old_given)?, model_of(&new_given)?);
    let (old_model, new_model) = match (old_model, new_model) {
        (Some(o), Some(n)) => (o, n),
        (Some(o), None) => (o.clone(), o),
        (None, Some(n)) => (n.clone(), n),
        (None, None) => {
            return Err(Error::usage(format!(
                "{} and {}: both are scored files; give at least one run folder (with model.json), whose model numbered the segments",
                crate::artefact::shown(old),
                crate::artefact::shown(new)
            )));
        }
    };
    let side = |path: &Path, g: &Given, (model, file): (Model, String)| -> Result<Side> {
        let data = match g {
            Given::Folder { results, .. } => results.as_path(),
            Given::Scored(f) => f.as_path(),
        };
        read_side(&crate::artefact::shown(path), data, model, &file)
    };
    let old_side = side(old, &old_given, old_model)?;
    let new_side = side(new, &new_given, new_model)?;
    same_id_column(&old_side, &new_side)?;
    Ok((old_side, new_side))
}

/// The two runs name the same customer id column, so ids can be matched.
fn same_id_column(old_side: &Side, new_side: &Side) -> Result<()> {
    if old_side.id_column != new_side.id_column {
        return Err(Error::data(format!(
            "{} names the customer id column '{}' but {} names '{}': the customers of the two runs cannot be matched; run both on files with the same id column",
            old_side.model_file,
            escape::excerpt(&old_side.id_column, 40),
            new_side.model_file,
            escape::excerpt(&new_side.id_column, 40)
        )));
    }
    Ok(())
}

/// Compares two runs read by [`read_pair`].
pub fn compare(old: Side, new: Side) -> Result<Comparison> {
    let same_model = old.model.centres == new.model.centres
        && old.model.features == new.model.features
        && old.model.k == new.model.k;
    let m = match_segments(Space::of_model(&old.model), Space::of_model(&new.model))
        .map_err(|why| Error::data(format!("{} and {}: {why}", old.model_file, new.model_file)))?;
    let label = |model: &Model, s: usize| (s as u32, model.segments[s].label.clone());
    let mut identities: Vec<Identity> = (0..old.model.k)
        .map(|o| {
            let later = m.later_of(o);
            Identity {
                old: Some(label(&old.model, o)),
                new: later.map(|l| label(&new.model, l)),
                distance: later.and_then(|l| m.earlier_of[l].map(|(_, d)| d)),
            }
        })
        .collect();
    let mut new_identity = vec![0; new.model.k];
    for (l, slot) in new_identity.iter_mut().enumerate() {
        *slot = match m.earlier_of[l] {
            Some((o, _)) => o,
            None => {
                identities.push(Identity {
                    old: None,
                    new: Some(label(&new.model, l)),
                    distance: None,
                });
                identities.len() - 1
            }
        };
    }
    let old_identity: Vec<usize> = (0..old.model.k).collect();
    let mut c = tally(&old, &new, &old_identity, &new_identity, identities.len());
    c.psi = psi(&c.old_sizes, &c.new_sizes);
    let drift = drift::segment_drift(&old, &new, &c, &old_identity, &new_identity);
    Ok(Comparison {
        same_model,
        identities,
        old_identity,
        new_identity,
        matched_on: m.common_features,
        counts: c.counts,
        left: c.left,
        entered: c.entered,
        old_sizes: c.old_sizes,
        new_sizes: c.new_sizes,
        moved: c.moved,
        stayed: c.stayed,
        new_row_of_old: c.new_row_of_old,
        entered_rows: c.entered_rows,
        psi: c.psi,
        drift,
        old,
        new,
    })
}

/// The counts of a comparison, before the drift.
pub(crate) struct Tally {
    pub counts: Vec<Vec<usize>>,
    pub left: Vec<usize>,
    pub entered: Vec<usize>,
    pub old_sizes: Vec<usize>,
    pub new_sizes: Vec<usize>,
    pub moved: usize,
    pub stayed: usize,
    pub new_row_of_old: Vec<Option<usize>>,
    pub entered_rows: Vec<usize>,
    pub psi: Option<f64>,
}

fn tally(old: &Side, new: &Side, old_id: &[usize], new_id: &[usize], m: usize) -> Tally {
    let index: HashMap<&str, usize, crate::pipeline::fxhash::FxBuild> = new
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut t = Tally {
        counts: vec![vec![0; m]; m],
        left: vec![0; m],
        entered: vec![0; m],
        old_sizes: vec![0; m],
        new_sizes: vec![0; m],
        moved: 0,
        stayed: 0,
        new_row_of_old: Vec::with_capacity(old.len()),
        entered_rows: Vec::new(),
        psi: None,
    };
    let mut seen = vec![false; new.len()];
    for (id, &s) in old.ids.iter().zip(&old.segments) {
        let from = old_id[s as usize];
        t.old_sizes[from] += 1;
        let row = index.get(id.as_str()).copied();
        match row {
            Some(r) => {
                seen[r] = true;
                let to = new_id[new.segments[r] as usize];
                t.counts[from][to] += 1;
                if from == to {
                    t.stayed += 1;
                } else {
                    t.moved += 1;
                }
            }
            None => t.left[from] += 1,
        }
        t.new_row_of_old.push(row);
    }
    for (r, &s) in new.segments.iter().enumerate() {
        let to = new_id[s as usize];
        t.new_sizes[to] += 1;
        if !seen[r] {
            t.entered[to] += 1;
            t.entered_rows.push(r);
        }
    }
    t
}
