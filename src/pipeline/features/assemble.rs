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

/// The features that vary (or all, with `zero_variance = "keep_unscaled"`);
/// the others are left out with the constant, and features whose missing
/// values were filled here get a warning.
pub(super) fn keep_varying<'a>(
    done: Vec<Done<'a>>,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) -> Vec<Done<'a>> {
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

/// The stage's output: the kept features as `n x d` row-major matrices,
/// their report lines and the parameters that score new customers.
pub(super) fn assemble(
    kept: Vec<Done>,
    n: usize,
    mode: FeatureMode,
    as_of: Option<IsoDate>,
    mut report: FeatureReport,
) -> Features {
    let d = kept.len();
    let original = row_major(kept.iter().map(|k| &*k.original).collect(), n);
    let scaled = row_major(kept.iter().map(|k| k.scaled.as_slice()).collect(), n);
    let names: Vec<String> = kept.iter().map(|k| k.spec.name.clone()).collect();
    let mut specs = Vec::with_capacity(d);
    for k in kept {
        report.features.push(k.info);
        specs.push(k.spec);
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

/// Interleaves columns into an `n x d` row-major matrix, in parallel over
/// row blocks.
pub(super) fn row_major(cols: Vec<&[f64]>, n: usize) -> Vec<f64> {
    let d = cols.len();
    let mut out = vec![0.0; n * d];
    if d == 0 {
        return out;
    }
    const BLOCK: usize = 4096;
    out.par_chunks_mut(BLOCK * d)
        .enumerate()
        .for_each(|(b, chunk)| {
            let start = b * BLOCK;
            let rows = chunk.len() / d;
            for (j, col) in cols.iter().enumerate() {
                for (r, x) in col[start..start + rows].iter().enumerate() {
                    chunk[r * d + j] = *x;
                }
            }
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
