//! How much the segments drifted: the population stability index of the
//! segment sizes, and each segment's features in original units.

use super::{Side, Tally};

/// Share used for a segment one run does not have (PSI is undefined at 0).
const PSI_FLOOR: f64 = 1e-4;

/// Population stability index of the segment shares: Σ (new − old) ·
/// ln(new / old). `None` when either run has no customers.
pub fn psi(old: &[usize], new: &[usize]) -> Option<f64> {
    let (no, nn) = (old.iter().sum::<usize>(), new.iter().sum::<usize>());
    if no == 0 || nn == 0 {
        return None;
    }
    let mut total = 0.0;
    for (&o, &n) in old.iter().zip(new) {
        if o == 0 && n == 0 {
            continue;
        }
        let po = (o as f64 / no as f64).max(PSI_FLOOR);
        let pn = (n as f64 / nn as f64).max(PSI_FLOOR);
        total += (pn - po) * (pn / po).ln();
    }
    Some(total)
}

/// The usual reading of a PSI: under 0.1 stable, up to 0.25 a moderate
/// shift, above a major one.
pub fn psi_band(psi: f64) -> &'static str {
    if psi < 0.1 {
        "stable (under 0.1)"
    } else if psi < 0.25 {
        "moderate shift (0.1 to 0.25)"
    } else {
        "major shift (0.25 or more)"
    }
}

/// One feature of one segment in both runs, original units.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureShift {
    pub feature: String,
    pub old_mean: f64,
    pub new_mean: f64,
    /// (new − old) / OLD's standard deviation of the feature over all its
    /// customers: how big the move is, comparable across features.
    pub effect: f64,
}

/// A segment both runs have, and how its features moved (largest first).
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentDrift {
    pub identity: usize,
    pub features: Vec<FeatureShift>,
}

/// The drift of every segment both runs have, over the feature columns
/// both results files hold (none when one side is a scored file).
pub(super) fn segment_drift(
    old: &Side,
    new: &Side,
    t: &Tally,
    old_id: &[usize],
    new_id: &[usize],
) -> Vec<SegmentDrift> {
    let pairs: Vec<(usize, usize)> = old
        .feature_names
        .iter()
        .enumerate()
        .filter_map(|(a, f)| {
            new.feature_names
                .iter()
                .position(|g| g == f)
                .map(|b| (a, b))
        })
        .collect();
    if pairs.is_empty() {
        return Vec::new();
    }
    let m = t.counts.len();
    let old_means = means(old, old_id, m, pairs.iter().map(|p| p.0));
    let new_means = means(new, new_id, m, pairs.iter().map(|p| p.1));
    let spread: Vec<f64> = pairs.iter().map(|&(a, _)| std_dev(old, a)).collect();
    (0..m)
        .filter(|&i| t.old_sizes[i] > 0 && t.new_sizes[i] > 0)
        .map(|i| {
            let mut features: Vec<FeatureShift> = pairs
                .iter()
                .enumerate()
                .map(|(p, &(a, _))| {
                    let (o, n) = (old_means[i][p], new_means[i][p]);
                    FeatureShift {
                        feature: old.feature_names[a].clone(),
                        old_mean: o,
                        new_mean: n,
                        effect: if spread[p] > 0.0 {
                            (n - o) / spread[p]
                        } else {
                            0.0
                        },
                    }
                })
                .collect();
            features.sort_by(|x, y| y.effect.abs().total_cmp(&x.effect.abs()));
            SegmentDrift {
                identity: i,
                features,
            }
        })
        .collect()
}

/// Mean of each chosen column per identity (NaN cells left out).
fn means(
    side: &Side,
    ids: &[usize],
    m: usize,
    cols: impl Iterator<Item = usize> + Clone,
) -> Vec<Vec<f64>> {
    let c = cols.clone().count();
    let mut sum = vec![vec![0.0; c]; m];
    let mut n = vec![vec![0usize; c]; m];
    for (i, &s) in side.segments.iter().enumerate() {
        let g = ids[s as usize];
        for (p, j) in cols.clone().enumerate() {
            let v = side.value(i, j);
            if v.is_finite() {
                sum[g][p] += v;
                n[g][p] += 1;
            }
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, n)| {
            s.iter()
                .zip(n)
                .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
                .collect()
        })
        .collect()
}

/// Population standard deviation of one column (NaN cells left out).
fn std_dev(side: &Side, j: usize) -> f64 {
    let vals: Vec<f64> = (0..side.len())
        .map(|i| side.value(i, j))
        .filter(|v| v.is_finite())
        .collect();
    crate::pipeline::stats::moments(&vals).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_is_zero_for_the_same_shares_and_grows_with_the_shift() {
        assert_eq!(psi(&[10, 20, 30], &[20, 40, 60]), Some(0.0));
        let small = psi(&[50, 50], &[55, 45]).unwrap();
        let big = psi(&[50, 50], &[90, 10]).unwrap();
        // Computed by hand: 0.1·ln(1.1/0.9)... for each pair.
        let expected = (0.55 - 0.5) * (0.55f64 / 0.5).ln() + (0.45 - 0.5) * (0.45f64 / 0.5).ln();
        assert!((small - expected).abs() < 1e-12);
        assert!(small < 0.1 && big > 0.25);
        assert_eq!(psi(&[], &[3]), None);
        assert!(psi(&[5, 0], &[5, 5]).unwrap() > 0.25);
        assert_eq!(psi_band(0.05), "stable (under 0.1)");
    }
}
