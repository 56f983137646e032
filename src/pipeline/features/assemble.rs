//! After every feature is processed: the zero-variance ones dropped, the
//! correlated pairs flagged, and the row-major matrices K-Means reads.

use super::Features;
use super::options::{FeatureMode, FeatureOptions, ZeroVariance};
use super::params::FeatureParams;
use super::process::Done;
use super::report::{CorrelatedPair, FeatureReport, LeftOut, fmt_num};
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::correlation;
use crate::remedy::Notice;
use rayon::prelude::*;
use std::borrow::Cow;

/// The features that vary (or all, with `zero_variance = "keep_unscaled"`);
/// the others are left out with the constant, and features whose missing
/// values were filled here get a warning.
pub(super) fn keep_varying(
    done: Vec<Done>,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) -> Vec<Done> {
    let mut kept: Vec<Done> = Vec::with_capacity(done.len());
    for d in done {
        if d.zero_variance && opts.zero_variance == ZeroVariance::Drop {
            report.left_out.push(LeftOut {
                name: d.spec.name.clone(),
                reason: format!(
                    "zero variance: every value is {}{} (a constant cannot separate customers)",
                    fmt_num(d.constant_value),
                    if d.info.clip.is_some() {
                        " after winsorising"
                    } else {
                        ""
                    }
                ),
                remedy: None,
            });
            continue;
        }
        if d.zero_variance {
            report.warnings.push(
                Notice::new(format!(
                    "'{}' has zero variance; kept unscaled (all zeros after centring)",
                    d.spec.name
                ))
                .about(&d.spec.name),
            );
        }
        if d.info.filled > 0 {
            report.warnings.push(
                Notice::new(format!(
                    "{}: {} missing or non-finite values reached Features and were filled with the median {}",
                    d.spec.name,
                    d.info.filled,
                    fmt_num(d.spec.fill)
                ))
                .about(&d.spec.name),
            );
        }
        kept.push(d);
    }
    kept
}

/// The correlation of the scaled features: the strongest pairs above the
/// threshold, and the matrix only for a moderate number of features.
pub(super) fn flag_correlations(kept: &[Done], opts: &FeatureOptions, report: &mut FeatureReport) {
    let cols: Vec<&[f64]> = kept.iter().map(|k| k.scaled.as_slice()).collect();
    let corr = correlation::correlations(&cols, opts.correlation_threshold, correlation::MAX_PAIRS);
    report.correlation = corr.matrix;
    for &(i, j, r) in &corr.pairs {
        report.correlated_pairs.push(CorrelatedPair {
            a: kept[i].spec.name.clone(),
            b: kept[j].spec.name.clone(),
            r,
        });
    }
    if corr.above > corr.pairs.len() {
        report.warnings.push(Notice::new(format!(
            "{} pairs of features are correlated above {}; the {} strongest are listed",
            corr.above,
            opts.correlation_threshold,
            corr.pairs.len()
        )));
    }
}

/// The stage's output: the kept features' columns in original units, the
/// `n x d` row-major scaled matrix,
/// their report lines and the parameters that score new customers.
pub(super) fn assemble(
    mut kept: Vec<Done>,
    n: usize,
    mode: FeatureMode,
    as_of: Option<IsoDate>,
    mut report: FeatureReport,
) -> Features {
    let d = kept.len();
    // Each column is freed once it is in its matrix: with every column and
    // both matrices alive at once, this stage was the run's memory peak.
    let scaled = interleave(
        kept.iter_mut()
            .map(|k| Cow::Owned(std::mem::take(&mut k.scaled))),
        n,
        d,
    );
    let names: Vec<String> = kept.iter().map(|k| k.spec.name.clone()).collect();
    let mut specs = Vec::with_capacity(d);
    let mut original = Vec::with_capacity(d);
    for k in kept {
        report.features.push(k.info);
        specs.push(k.spec);
        original.push(k.original);
    }
    Features {
        names,
        n,
        d,
        original,
        scaled,
        report,
        params: FeatureParams {
            mode,
            as_of,
            features: specs,
        },
    }
}

/// The `d` columns `cols` as an `n x d` row-major matrix, each column
/// dropped as soon as it is copied in (one pass per column, in parallel over
/// row blocks).
fn interleave<'a>(cols: impl Iterator<Item = Cow<'a, [f64]>>, n: usize, d: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * d];
    if d == 0 {
        return out;
    }
    const BLOCK: usize = 4096;
    for (j, col) in cols.enumerate() {
        out.par_chunks_mut(BLOCK * d)
            .enumerate()
            .for_each(|(b, chunk)| {
                let start = b * BLOCK;
                for (r, x) in col[start..start + chunk.len() / d].iter().enumerate() {
                    chunk[r * d + j] = *x;
                }
            });
    }
    out
}

/// Interleaves borrowed columns into an `n x d` row-major matrix.
pub(super) fn row_major(cols: Vec<&[f64]>, n: usize) -> Vec<f64> {
    let d = cols.len();
    interleave(cols.into_iter().map(Cow::Borrowed), n, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_places_every_cell_across_row_blocks() {
        // 9,000 rows cross two 4,096-row blocks; cell (i, j) holds i * 3 + j.
        let cols: Vec<Vec<f64>> = (0..3)
            .map(|j| (0..9000).map(|i| (i * 3 + j) as f64).collect())
            .collect();
        let m = interleave(cols.into_iter().map(Cow::Owned), 9000, 3);
        assert_eq!(m.len(), 27_000);
        assert!(m.iter().enumerate().all(|(at, &x)| x == at as f64));
    }

    #[test]
    fn row_major_interleaves() {
        let a = [1.0, 2.0, 3.0];
        let b = [4.0, 5.0, 6.0];
        assert_eq!(
            row_major(vec![&a, &b], 3),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }
}
