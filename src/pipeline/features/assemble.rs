//! After every feature is processed: the zero-variance ones dropped, the
//! correlated pairs flagged, and the row-major matrices K-Means reads.

use super::Features;
use super::options::{FeatureMode, FeatureOptions, ZeroVariance};
use super::params::FeatureParams;
use super::process::{Done, process};
use super::report::{CorrelatedPair, FeatureReport, LeftOut, fmt_num};
use super::select::Planned;
use crate::error::Result;
use crate::pipeline::calendar::IsoDate;
use crate::pipeline::correlation;
use crate::remedy::Notice;
use rayon::prelude::*;

/// Up to this many customers the correlations use every row; above, an even
/// sample of about this many (r is then within ~0.001 of the full value).
pub const CORRELATION_ROWS: usize = 1_000_000;

/// The scaled features as an `n × width` row-major matrix, filled one
/// feature at a time, and each feature's values on the correlation rows.
pub(super) struct Matrix {
    n: usize,
    width: usize,
    cells: Vec<f64>,
    samples: Vec<Vec<f64>>,
    sample_rows: usize,
}

/// Processes the planned features a few at a time (one per thread) and
/// places each in the matrix as soon as it is done. With every processed
/// column alive next to the matrix this stage was the run's memory peak
/// (1.1 GB over the table at 10M customers and 7 features).
pub(super) fn process_into_matrix(
    planned: Vec<Planned>,
    n: usize,
    opts: &FeatureOptions,
    as_of: Option<IsoDate>,
) -> Result<(Vec<Done>, Matrix)> {
    let width = planned.len();
    let stride = n.div_ceil(CORRELATION_ROWS).max(1);
    let mut m = Matrix {
        n,
        width,
        cells: vec![0.0; n * width],
        samples: Vec::with_capacity(width),
        sample_rows: n.div_ceil(stride),
    };
    let mut done = Vec::with_capacity(width);
    let per_batch = rayon::current_num_threads().max(1);
    let mut queue = planned.into_iter().peekable();
    while queue.peek().is_some() {
        let batch: Vec<Planned> = queue.by_ref().take(per_batch).collect();
        let processed = batch
            .into_par_iter()
            .map(|p| process(p, opts, as_of))
            .collect::<Result<Vec<_>>>()?;
        for mut p in processed {
            let column = std::mem::take(&mut p.scaled);
            m.samples
                .push(column.iter().step_by(stride).copied().collect());
            place(&mut m.cells, width, done.len(), &column);
            done.push(p);
        }
    }
    Ok((done, m))
}

/// The features that vary (or all, with `zero_variance = "keep_unscaled"`)
/// and the matrix without the others' columns; the others are left out with
/// the constant, and features whose missing values were filled here get a
/// warning.
pub(super) fn keep_varying(
    done: Vec<Done>,
    mut m: Matrix,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) -> (Vec<Done>, Matrix) {
    let mut kept: Vec<Done> = Vec::with_capacity(done.len());
    let mut kept_columns = Vec::with_capacity(done.len());
    for (j, d) in done.into_iter().enumerate() {
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
        kept_columns.push(j);
    }
    if kept_columns.len() < m.width {
        m.keep_columns(&kept_columns);
    }
    (kept, m)
}

impl Matrix {
    /// Only `columns` (ascending) of each row, moved left in place: a row's
    /// new cells never lie after its old ones, so one forward pass will do.
    fn keep_columns(&mut self, columns: &[usize]) {
        let (w, d) = (self.width, columns.len());
        for i in 0..self.n {
            for (to, &from) in columns.iter().enumerate() {
                self.cells[i * d + to] = self.cells[i * w + from];
            }
        }
        self.cells.truncate(self.n * d);
        self.cells.shrink_to_fit();
        let mut samples = std::mem::take(&mut self.samples)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        self.samples = columns.iter().filter_map(|&j| samples[j].take()).collect();
        self.width = d;
    }
}

/// The correlation of the scaled features: the strongest pairs above the
/// threshold, and the matrix only for a moderate number of features.
pub(super) fn flag_correlations(
    kept: &[Done],
    m: &Matrix,
    opts: &FeatureOptions,
    report: &mut FeatureReport,
) {
    let cols: Vec<&[f64]> = m.samples.iter().map(Vec::as_slice).collect();
    let corr = correlation::correlations(&cols, opts.correlation_threshold, correlation::MAX_PAIRS);
    report.correlation = corr.matrix;
    report.correlation_rows = m.sample_rows;
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
/// scaled matrix, their report lines and the parameters that score new
/// customers.
pub(super) fn assemble(
    kept: Vec<Done>,
    m: Matrix,
    mode: FeatureMode,
    as_of: Option<IsoDate>,
    mut report: FeatureReport,
) -> Features {
    let d = kept.len();
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
        n: m.n,
        d,
        original,
        scaled: m.cells,
        report,
        params: FeatureParams {
            mode,
            as_of,
            features: specs,
        },
    }
}

/// Copies `col` into column `j` of the row-major `cells` of `width` columns
/// (in parallel over row blocks).
fn place(cells: &mut [f64], width: usize, j: usize, col: &[f64]) {
    const BLOCK: usize = 4096;
    if width == 0 {
        return;
    }
    cells
        .par_chunks_mut(BLOCK * width)
        .enumerate()
        .for_each(|(b, chunk)| {
            let start = b * BLOCK;
            for (r, x) in col[start..start + chunk.len() / width].iter().enumerate() {
                chunk[r * width + j] = *x;
            }
        });
}

/// Interleaves borrowed columns into an `n x d` row-major matrix.
pub(super) fn row_major(cols: Vec<&[f64]>, n: usize) -> Vec<f64> {
    let d = cols.len();
    let mut out = vec![0.0; n * d];
    for (j, col) in cols.into_iter().enumerate() {
        place(&mut out, d, j, col);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_places_every_cell_across_row_blocks() {
        // 9,000 rows cross two 4,096-row blocks; cell (i, j) holds i * 3 + j.
        let cols: Vec<Vec<f64>> = (0..3)
            .map(|j| (0..9000).map(|i| (i * 3 + j) as f64).collect())
            .collect();
        let m = row_major(cols.iter().map(Vec::as_slice).collect(), 9000);
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
