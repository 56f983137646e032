//! A run that follows a previous one (`cluster.previous`, a saved
//! model.json): each new segment that continues a previous segment (the
//! centre matching of [`crate::pipeline::compare::matching`]) takes its
//! number, and later its label and action (renamed and edited ones
//! included) and so its colour; a segment with no match takes a free
//! number; a previous segment nothing continues is reported as vanished.
//! Numbers are 0..K, so when K shrank a continued segment whose number is
//! K or above takes a free one (reported as renumbered).

use crate::error::{Error, Result};
use crate::pipeline::cluster::KMeansResult;
use crate::pipeline::compare::matching::{Space, match_segments};
use crate::pipeline::features::FeatureSpec;
use crate::pipeline::model::Model;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One segment continued from the previous model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Continued {
    /// Its number in this run.
    pub segment: u32,
    /// Its number, label and action in the previous model.
    pub previous: u32,
    pub label: String,
    pub action: String,
}

/// What this run kept of the previous model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Continuity {
    /// The previous model file.
    pub previous: String,
    pub continued: Vec<Continued>,
    /// Segments of this run that continue none (new).
    pub new_segments: Vec<u32>,
    /// Previous segments nothing continues: number and label.
    pub vanished: Vec<(u32, String)>,
}

impl Continuity {
    pub fn renumbered(&self) -> impl Iterator<Item = &Continued> {
        self.continued.iter().filter(|c| c.segment != c.previous)
    }
}

impl Continuity {
    /// What was kept, what is new, what vanished, in sentences (no flags:
    /// each face adds its own words).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "follows {}: {} segment(s) keep their number, label and action",
            self.previous,
            self.continued.len() - self.renumbered().count()
        )];
        for c in self.renumbered() {
            out.push(format!(
                "segment {} '{}' continues previous segment {} (number {} is no longer used: fewer segments)",
                c.segment, c.label, c.previous, c.previous
            ));
        }
        for s in &self.new_segments {
            out.push(format!(
                "segment {s} is new: no previous segment matches it"
            ));
        }
        for (p, label) in &self.vanished {
            out.push(format!(
                "previous segment {p} '{label}' vanished: no segment of this run continues it"
            ));
        }
        out
    }
}

/// Reads the previous model.
pub fn read_previous(path: &Path) -> Result<Model> {
    Model::read(path)
}

/// Renumbers `fit` to follow `previous` (see the module doc) and says how.
pub fn follow(
    fit: &mut KMeansResult,
    features: &[FeatureSpec],
    previous: &Model,
    shown: &str,
) -> Result<Continuity> {
    let m = match_segments(
        Space::of_model(previous),
        Space {
            features,
            centres: &fit.centres,
            k: fit.k,
        },
    )
    .map_err(|why| Error::data(format!("{shown}: {why}")))?;
    let k = fit.k;
    // number[now] for each segment of the fit, by its previous number.
    let mut number: Vec<Option<usize>> = m
        .earlier_of
        .iter()
        .map(|e| e.map(|(p, _)| p).filter(|&p| p < k))
        .collect();
    let mut taken = vec![false; k];
    for n in number.iter().flatten() {
        taken[*n] = true;
    }
    let mut free = (0..k).filter(|&n| !taken[n]);
    for slot in number.iter_mut().filter(|s| s.is_none()) {
        *slot = free.next();
    }
    let number: Vec<usize> = number.into_iter().map(|n| n.unwrap_or(0)).collect();
    apply(fit, &number);
    let mut c = Continuity {
        previous: shown.to_string(),
        ..Default::default()
    };
    for (s, e) in m.earlier_of.iter().enumerate() {
        match e {
            Some((p, _)) => {
                let seg = &previous.segments[*p];
                c.continued.push(Continued {
                    segment: number[s] as u32,
                    previous: *p as u32,
                    label: seg.label.clone(),
                    action: seg.action.clone(),
                });
            }
            None => c.new_segments.push(number[s] as u32),
        }
    }
    c.continued.sort_by_key(|x| x.segment);
    c.new_segments.sort_unstable();
    c.vanished = m
        .vanished
        .iter()
        .map(|&p| (p as u32, previous.segments[p].label.clone()))
        .collect();
    Ok(c)
}

/// Gives cluster `s` of the fit the number `number[s]` (a permutation).
fn apply(fit: &mut KMeansResult, number: &[usize]) {
    let d = fit.d;
    let mut centres = vec![0.0; fit.centres.len()];
    let mut sizes = vec![0; fit.k];
    for (s, &n) in number.iter().enumerate() {
        centres[n * d..(n + 1) * d].copy_from_slice(&fit.centres[s * d..(s + 1) * d]);
        sizes[n] = fit.sizes[s];
    }
    fit.centres = centres;
    fit.sizes = sizes;
    for l in &mut fit.labels {
        *l = number[*l as usize] as u8;
    }
}
