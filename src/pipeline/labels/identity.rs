//! Label and action edits that follow their segment. An edit saved with
//! its segment's identity (its centre in original units, by feature name)
//! applies to the segment of this fit that continues that one, whatever
//! its number now: the edits' centres are paired with this fit's centres
//! by the matching of `--previous` and `custseg compare`
//! ([`crate::pipeline::compare::matching`]), measured in this fit's scaled
//! space, so an edit lands on a segment only when its centre lies nearer
//! that segment than half way to the segment's nearest neighbour. An edit
//! whose segment has no such continuation is reported and applied to
//! nothing. An edit saved without an identity (a hand-written
//! `[labels.overrides.N]`) applies to segment N, as it always did.

use super::LabelOverride;
use crate::pipeline::compare::matching::{Space, match_segments};
use crate::pipeline::features::{FeatureSpec, original_value, scaled_value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An edit applied to another number than the one it was saved under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowedEdit {
    /// The number it was saved under (`labels.overrides.N`).
    pub saved_as: u32,
    /// The segment of this run it applies to.
    pub segment: u32,
    pub label: Option<String>,
}

/// An edit applied to no segment, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnusedEdit {
    pub saved_as: u32,
    /// The label the segment had when the edit was made, if saved.
    pub made_on: Option<String>,
    pub label: Option<String>,
    pub action: Option<String>,
    pub why: String,
}

/// How the saved edits were applied to this fit's segments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EditsApplied {
    /// Segment number -> the number its edit was saved under.
    pub applied: BTreeMap<u32, u32>,
    pub followed: Vec<FollowedEdit>,
    /// Edits saved without an identity, applied by number.
    pub by_number: Vec<u32>,
    pub unused: Vec<UnusedEdit>,
}

impl EditsApplied {
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.unused.is_empty()
    }

    /// What happened to the edits, in sentences: [`Self::notes`] then
    /// [`Self::problems`].
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.notes();
        out.extend(self.problems());
        out
    }

    /// Edits that followed their segment, or applied by number.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.followed {
            out.push(format!(
                "the edit saved for segment {} followed its segment, now number {}{}",
                f.saved_as,
                f.segment,
                f.label
                    .as_ref()
                    .map(|l| format!(" ('{l}')"))
                    .unwrap_or_default()
            ));
        }
        if !self.by_number.is_empty() {
            let n: Vec<String> = self.by_number.iter().map(u32::to_string).collect();
            out.push(format!(
                "edits for segment(s) {} were saved without the segment's identity: applied by number",
                n.join(", ")
            ));
        }
        out
    }

    /// Edits applied to no segment (each face adds how to change them).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for u in &self.unused {
            let what = u
                .label
                .as_ref()
                .map(|l| format!("label '{l}'"))
                .or(u.action.as_ref().map(|_| "action".to_string()))
                .unwrap_or_else(|| "edit".into());
            let made_on = u
                .made_on
                .as_ref()
                .map(|m| format!(" (made on '{m}')"))
                .unwrap_or_default();
            out.push(format!(
                "the {what} saved for segment {}{made_on} was not applied: {}",
                u.saved_as, u.why
            ));
        }
        out
    }
}

/// The identity of segment `s` of a fit: its centre in original units.
pub fn centre_of(features: &[FeatureSpec], centres: &[f64], s: usize) -> BTreeMap<String, f64> {
    let d = features.len();
    features
        .iter()
        .zip(&centres[s * d..(s + 1) * d])
        .map(|(f, &z)| (f.name.clone(), original_value(f, z)))
        .filter(|(_, x)| x.is_finite())
        .collect()
}

/// The edits keyed by this fit's segment numbers (`k` segments, `centres`
/// k × d scaled over `features`), and how each was applied.
pub fn resolve(
    overrides: &BTreeMap<u32, LabelOverride>,
    features: &[FeatureSpec],
    centres: &[f64],
    k: usize,
) -> (BTreeMap<u32, LabelOverride>, EditsApplied) {
    let mut out = BTreeMap::new();
    let mut how = EditsApplied::default();
    let with_identity: Vec<(u32, &LabelOverride)> = overrides
        .iter()
        .filter(|(_, o)| o.centre.as_ref().is_some_and(|c| !c.is_empty()))
        .map(|(&n, o)| (n, o))
        .collect();
    let matched = match_edits(&with_identity, features, centres, k);
    for ((saved_as, o), m) in with_identity.iter().zip(matched) {
        match m {
            Ok(s) => {
                if s != *saved_as {
                    how.followed.push(FollowedEdit {
                        saved_as: *saved_as,
                        segment: s,
                        label: o.label.clone(),
                    });
                }
                how.applied.insert(s, *saved_as);
                out.insert(s, (*o).clone());
            }
            Err(why) => how.unused.push(unused(*saved_as, o, why)),
        }
    }
    for (&n, o) in overrides.iter().filter(|(_, o)| o.centre.is_none()) {
        if n as usize >= k {
            let why = format!("this run has {k} segments (0 to {})", k.saturating_sub(1));
            how.unused.push(unused(n, o, why));
            continue;
        }
        match out.entry(n) {
            std::collections::btree_map::Entry::Occupied(_) => {
                let why = format!(
                    "segment {n} carries the edit saved with its identity (as {})",
                    how.applied[&n]
                );
                how.unused.push(unused(n, o, why));
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(o.clone());
                how.by_number.push(n);
                how.applied.insert(n, n);
            }
        }
    }
    (out, how)
}

fn unused(saved_as: u32, o: &LabelOverride, why: String) -> UnusedEdit {
    UnusedEdit {
        saved_as,
        made_on: o.made_on.clone(),
        label: o.label.clone(),
        action: o.action.clone(),
        why,
    }
}

/// For each edit, the segment of this fit continuing the one it was made
/// on, or why there is none.
fn match_edits(
    edits: &[(u32, &LabelOverride)],
    features: &[FeatureSpec],
    centres: &[f64],
    k: usize,
) -> Vec<Result<u32, String>> {
    if edits.is_empty() {
        return Vec::new();
    }
    // The features every edit's centre names, in this fit's order.
    let common: Vec<&FeatureSpec> = features
        .iter()
        .filter(|f| {
            edits
                .iter()
                .all(|(_, o)| o.centre.as_ref().is_some_and(|c| c.contains_key(&f.name)))
        })
        .collect();
    let specs: Vec<FeatureSpec> = common.iter().map(|f| (*f).clone()).collect();
    let edit_centres: Vec<f64> = edits
        .iter()
        .flat_map(|(_, o)| {
            let c = o.centre.as_ref().expect("edits with a centre");
            specs.iter().map(move |f| scaled_value(f, c[&f.name]))
        })
        .collect();
    let found = match_segments(
        Space {
            features,
            centres,
            k,
        },
        Space {
            features: &specs,
            centres: &edit_centres,
            k: edits.len(),
        },
    );
    match found {
        Err(_) => vec![
            Err("its segment was described by features this run does not have".into());
            edits.len()
        ],
        Ok(m) => m
            .earlier_of
            .iter()
            .map(|e| match e {
                Some((s, _)) => Ok(*s as u32),
                None => Err("no segment of this run continues the one it was made on \
                             (it vanished, split or merged)"
                    .into()),
            })
            .collect(),
    }
}

/// The edits keyed by this fit's numbers, each carrying the identity of
/// the segment it applies to now; edits applied to no segment keep theirs
/// under the numbers after the last segment (so a later fit where their
/// segment is back can still apply them). What the TUI saves.
pub fn rekeyed(
    overrides: &BTreeMap<u32, LabelOverride>,
    features: &[FeatureSpec],
    centres: &[f64],
    k: usize,
) -> BTreeMap<u32, LabelOverride> {
    let (mut out, how) = resolve(overrides, features, centres, k);
    for (&s, o) in out.iter_mut() {
        o.centre = Some(centre_of(features, centres, s as usize));
    }
    let last = overrides.keys().max().map_or(0, |&n| n + 1);
    let mut next = (k as u32).max(last);
    for u in how.unused {
        let o = &overrides[&u.saved_as];
        if o.centre.is_some() {
            out.insert(next, o.clone());
            next += 1;
        } else if u.saved_as as usize >= k {
            // A hand-written edit for a segment number this fit lacks.
            out.insert(u.saved_as, o.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::features::{FeatureSource, Transform};

    fn spec(name: &str) -> FeatureSpec {
        FeatureSpec {
            name: name.into(),
            source: FeatureSource::Column {
                column: name.into(),
            },
            fill: 0.0,
            clip: None,
            missing_value: None,
            transform: Transform::None,
            mean: 100.0,
            std: 10.0,
        }
    }

    fn edit(label: &str, centre: Option<[f64; 2]>) -> LabelOverride {
        LabelOverride {
            label: Some(label.into()),
            centre: centre.map(|[a, b]| [("a".to_string(), a), ("b".to_string(), b)].into()),
            ..Default::default()
        }
    }

    #[test]
    fn edits_follow_their_segment_and_vanished_ones_are_not_applied() {
        let f = vec![spec("a"), spec("b")];
        // Scaled centres of this fit: original (100,100), (200,100), (100,200).
        let centres = [0.0, 0.0, 10.0, 0.0, 0.0, 10.0];
        let mut saved = BTreeMap::new();
        // Made on the segment now numbered 2, saved as 0.
        saved.insert(0, edit("Gold", Some([101.0, 198.0])));
        // Made on a segment far from every one here.
        saved.insert(1, edit("Gone", Some([900.0, 900.0])));
        // Hand-written, by number.
        saved.insert(2, edit("Two", None));
        saved.insert(7, edit("Seven", None));
        let (out, how) = resolve(&saved, &f, &centres, 3);
        assert_eq!(out[&2].label.as_deref(), Some("Gold"));
        assert!(!out.contains_key(&0) && !out.contains_key(&1));
        assert_eq!(how.followed.len(), 1);
        assert_eq!((how.followed[0].saved_as, how.followed[0].segment), (0, 2));
        let unused: Vec<u32> = how.unused.iter().map(|u| u.saved_as).collect();
        // "Two" lost segment 2 to the edit with an identity; 7 is past K.
        assert_eq!(unused, vec![1, 2, 7]);
        assert!(how.lines().iter().any(|l| l.contains("'Gone'")));

        let again = rekeyed(&saved, &f, &centres, 3);
        assert_eq!(again[&2].label.as_deref(), Some("Gold"));
        assert_eq!(again[&2].centre.as_ref().unwrap()["b"], 200.0);
        // The vanished edit is kept after the last number saved; the
        // by-number edit past K keeps its number, the one superseded goes.
        assert_eq!(again[&8].label.as_deref(), Some("Gone"));
        assert_eq!(again[&7].label.as_deref(), Some("Seven"));
        assert_eq!(again.len(), 3);
    }
}
