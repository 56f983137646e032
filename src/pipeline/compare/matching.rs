//! Which segment of a later model continues which segment of an earlier
//! one: the later centres are carried into the earlier model's scaled
//! space (back to original units by the later model's transforms, then
//! forward by the earlier model's) and paired by an optimal assignment of
//! the distances (the Hungarian algorithm of [`crate::pipeline::labels`]).
//! A pair further apart than half the way to the earlier centre's nearest
//! neighbour is no match: the later segment is new, the earlier one vanished.
//! Used by `custseg compare` and by a run given `--previous`.

use crate::pipeline::features::{FeatureSpec, original_value, scaled_value};
use crate::pipeline::labels::hungarian;

/// The features and centres of one model (k × d, row-major, scaled).
#[derive(Clone, Copy, Debug)]
pub struct Space<'a> {
    pub features: &'a [FeatureSpec],
    pub centres: &'a [f64],
    pub k: usize,
}

impl<'a> Space<'a> {
    pub fn of_model(model: &'a crate::pipeline::model::Model) -> Space<'a> {
        Space {
            features: &model.features.features,
            centres: &model.centres,
            k: model.k,
        }
    }

    fn centre(&self, s: usize) -> &'a [f64] {
        let d = self.features.len();
        &self.centres[s * d..(s + 1) * d]
    }
}

/// How the later segments correspond to the earlier ones.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentMatch {
    /// For each later segment (by position), the earlier segment it
    /// continues and their distance in the earlier model's scaled space;
    /// `None`: a new segment.
    pub earlier_of: Vec<Option<(usize, f64)>>,
    /// Earlier segments (by position) that no later one continues.
    pub vanished: Vec<usize>,
    /// Features both models have (by name), over which distances are measured.
    pub common_features: Vec<String>,
}

impl SegmentMatch {
    /// The later segment continuing earlier segment `e`, if any.
    pub fn later_of(&self, e: usize) -> Option<usize> {
        self.earlier_of
            .iter()
            .position(|m| m.is_some_and(|(x, _)| x == e))
    }
}

/// Pairs the later segments with the earlier ones. `Err` (in words) when
/// the two models share no feature, so no distance can be measured.
pub fn match_segments(earlier: Space, later: Space) -> Result<SegmentMatch, String> {
    let pairs: Vec<(usize, usize)> = earlier
        .features
        .iter()
        .enumerate()
        .filter_map(|(e, f)| {
            later
                .features
                .iter()
                .position(|g| g.name == f.name)
                .map(|l| (e, l))
        })
        .collect();
    if pairs.is_empty() {
        return Err("the two models share no feature, so their segments cannot be matched".into());
    }
    let moved: Vec<Vec<f64>> = (0..later.k)
        .map(|s| carried(&earlier, &later, s, &pairs))
        .collect();
    let dist = |e: usize, l: usize| -> f64 {
        let c = earlier.centre(e);
        pairs
            .iter()
            .zip(&moved[l])
            .map(|(&(ej, _), z)| (c[ej] - z).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let assigned = assign(earlier.k, later.k, &dist);
    let reach = reaches(&earlier, &pairs);
    let mut earlier_of = vec![None; later.k];
    for (e, l) in assigned {
        let d = dist(e, l);
        if d <= reach[e] {
            earlier_of[l] = Some((e, d));
        }
    }
    let vanished = (0..earlier.k)
        .filter(|e| !earlier_of.iter().any(|m| m.is_some_and(|(x, _)| x == *e)))
        .collect();
    Ok(SegmentMatch {
        earlier_of,
        vanished,
        common_features: pairs
            .iter()
            .map(|&(e, _)| earlier.features[e].name.clone())
            .collect(),
    })
}

/// Later centre `s` in the earlier model's scaled space, over `pairs`.
fn carried(earlier: &Space, later: &Space, s: usize, pairs: &[(usize, usize)]) -> Vec<f64> {
    let c = later.centre(s);
    pairs
        .iter()
        .map(|&(e, l)| {
            let x = original_value(&later.features[l], c[l]);
            scaled_value(&earlier.features[e], x)
        })
        .collect()
}

/// The optimal one-to-one pairs (earlier, later) minimising the summed distance.
fn assign(ke: usize, kl: usize, dist: &dyn Fn(usize, usize) -> f64) -> Vec<(usize, usize)> {
    if ke == 0 || kl == 0 {
        return Vec::new();
    }
    if kl <= ke {
        let cols = hungarian(kl, ke, |l, e| dist(e, l));
        cols.into_iter().enumerate().map(|(l, e)| (e, l)).collect()
    } else {
        let cols = hungarian(ke, kl, dist);
        cols.into_iter().enumerate().collect()
    }
}

/// How far a later centre may sit from each earlier centre and still
/// continue it: half the distance to its nearest other earlier centre (so
/// it is nearer this segment than any other), unbounded when it is alone.
fn reaches(earlier: &Space, pairs: &[(usize, usize)]) -> Vec<f64> {
    (0..earlier.k)
        .map(|a| {
            let ca = earlier.centre(a);
            (0..earlier.k)
                .filter(|&b| b != a)
                .map(|b| {
                    let cb = earlier.centre(b);
                    pairs
                        .iter()
                        .map(|&(j, _)| (ca[j] - cb[j]).powi(2))
                        .sum::<f64>()
                        .sqrt()
                })
                .fold(f64::INFINITY, f64::min)
                * 0.5
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::features::{FeatureSource, Transform};

    fn spec(name: &str, mean: f64, std: f64, transform: Transform) -> FeatureSpec {
        FeatureSpec {
            name: name.into(),
            source: FeatureSource::Column {
                column: name.into(),
            },
            fill: 0.0,
            clip: None,
            missing_value: None,
            transform,
            mean,
            std,
        }
    }

    #[test]
    fn permuted_centres_are_matched_back_and_far_ones_are_new() {
        let f = vec![
            spec("a", 0.0, 1.0, Transform::None),
            spec("b", 0.0, 1.0, Transform::None),
        ];
        let old = [0.0, 0.0, 10.0, 0.0, 0.0, 10.0];
        // Later: old 2 (moved a little), old 0, and one far from all.
        let new = [0.1, 9.8, 0.0, 0.2, 30.0, 30.0, 10.0, 0.0];
        let m = match_segments(
            Space {
                features: &f,
                centres: &old,
                k: 3,
            },
            Space {
                features: &f,
                centres: &new,
                k: 4,
            },
        )
        .unwrap();
        let of: Vec<Option<usize>> = m.earlier_of.iter().map(|x| x.map(|(e, _)| e)).collect();
        assert_eq!(of, vec![Some(2), Some(0), None, Some(1)]);
        assert!(m.vanished.is_empty());
        let m = match_segments(
            Space {
                features: &f,
                centres: &old,
                k: 3,
            },
            Space {
                features: &f,
                centres: &new[..4],
                k: 2,
            },
        )
        .unwrap();
        assert_eq!(m.vanished, vec![1]);
        assert_eq!(m.later_of(2), Some(0));
    }

    #[test]
    fn centres_are_compared_in_the_earlier_models_units() {
        // The same segment (value 1000 in original units) in two scalings,
        // one of them on the log scale.
        let old_f = vec![spec("m", 500.0, 250.0, Transform::None)];
        let new_f = vec![spec("m", 5.0, 2.0, Transform::Log1p)];
        let old = [2.0, -1.0]; // 1000 and 250
        let z = |x: f64| (x.ln_1p() - 5.0) / 2.0;
        let new = [z(250.0), z(1000.0)];
        let m = match_segments(
            Space {
                features: &old_f,
                centres: &old,
                k: 2,
            },
            Space {
                features: &new_f,
                centres: &new,
                k: 2,
            },
        )
        .unwrap();
        assert_eq!(m.earlier_of[0].unwrap().0, 1);
        assert_eq!(m.earlier_of[1].unwrap().0, 0);
        assert!(m.earlier_of[1].unwrap().1 < 1e-9);
        let other = vec![spec("x", 0.0, 1.0, Transform::None)];
        assert!(
            match_segments(
                Space {
                    features: &old_f,
                    centres: &old,
                    k: 2
                },
                Space {
                    features: &other,
                    centres: &new,
                    k: 2
                },
            )
            .is_err()
        );
    }
}
