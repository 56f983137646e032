//! Pearson correlation of many columns, as one product of the standardised
//! columns (r = zᵢ · zⱼ), computed in tiles so that a table with thousands
//! of columns needs memory for the columns only, not for a d × d matrix:
//! the full matrix is kept only up to [`FULL_MATRIX_MAX`] columns, and of
//! the pairs above the threshold only the [`MAX_PAIRS`] strongest.
//!
//! Each dot product is computed by one thread in a fixed order, so the
//! result does not depend on the number of threads.

use crate::pipeline::linalg::dot;
use rayon::prelude::*;

/// Up to this many columns the whole matrix is returned.
pub const FULL_MATRIX_MAX: usize = 512;
/// At most this many correlated pairs are kept (the strongest).
pub const MAX_PAIRS: usize = 100;
/// Columns per tile side.
const TILE: usize = 64;

/// The correlations of a set of columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Correlations {
    /// `d × d` row-major when `d ≤` [`FULL_MATRIX_MAX`], else empty. The
    /// diagonal is 1, or 0 for a column without variance.
    pub matrix: Vec<f64>,
    /// Pairs `(i, j, r)` with `i < j` and |r| above the threshold: the
    /// `max_pairs` strongest, in `(i, j)` order.
    pub pairs: Vec<(usize, usize, f64)>,
    /// How many pairs were above the threshold in all.
    pub above: usize,
    /// Dot products computed (d (d + 1) / 2), for tests of the work done.
    pub products: u64,
}

/// Correlations of `cols` (each of the same length n); `threshold` on |r|.
pub fn correlations(cols: &[&[f64]], threshold: f64, max_pairs: usize) -> Correlations {
    let d = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let mut out = Correlations {
        matrix: if d <= FULL_MATRIX_MAX {
            vec![0.0; d * d]
        } else {
            Vec::new()
        },
        ..Correlations::default()
    };
    if n == 0 || d == 0 {
        return out;
    }
    let z: Vec<Vec<f64>> = cols.par_iter().map(|c| standardise(c)).collect();
    let tiles = d.div_ceil(TILE);
    let rows: Vec<TileRow> = (0..tiles)
        .into_par_iter()
        .map(|ti| tile_row(&z, ti, threshold, max_pairs, out.matrix.is_empty()))
        .collect();
    let mut pairs = Vec::new();
    for row in rows {
        out.above += row.above;
        out.products += row.products;
        pairs.extend(row.pairs);
        for (i, j, r) in row.cells {
            out.matrix[i * d + j] = r;
            out.matrix[j * d + i] = r;
        }
    }
    out.pairs = strongest(pairs, max_pairs);
    out
}

/// Everything one band of tiles (columns `ti*TILE..`) found.
struct TileRow {
    cells: Vec<(usize, usize, f64)>,
    pairs: Vec<(usize, usize, f64)>,
    above: usize,
    products: u64,
}

fn tile_row(
    z: &[Vec<f64>],
    ti: usize,
    threshold: f64,
    max_pairs: usize,
    no_matrix: bool,
) -> TileRow {
    let d = z.len();
    let mut row = TileRow {
        cells: Vec::new(),
        pairs: Vec::new(),
        above: 0,
        products: 0,
    };
    // Tile by tile, so the 2 × TILE columns of a tile stay in cache while
    // their TILE² products are taken.
    let rows = ti * TILE..((ti + 1) * TILE).min(d);
    for tj in ti..d.div_ceil(TILE) {
        let cols = tj * TILE..((tj + 1) * TILE).min(d);
        for i in rows.clone() {
            for j in cols.clone().filter(|&j| j >= i) {
                let r = if i == j {
                    if z[i].iter().any(|&x| x != 0.0) {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    clamp_r(dot(&z[i], &z[j]))
                };
                row.products += 1;
                if !no_matrix {
                    row.cells.push((i, j, r));
                }
                if i != j && r.abs() > threshold {
                    row.above += 1;
                    row.pairs.push((i, j, r));
                    if row.pairs.len() >= 2 * max_pairs.max(1) {
                        row.pairs = strongest(std::mem::take(&mut row.pairs), max_pairs);
                    }
                }
            }
        }
    }
    row
}

/// The `max` pairs of largest |r| (ties: earlier pair first), in (i, j) order.
fn strongest(mut pairs: Vec<(usize, usize, f64)>, max: usize) -> Vec<(usize, usize, f64)> {
    if pairs.len() > max {
        pairs.sort_by(|a, b| {
            b.2.abs()
                .total_cmp(&a.2.abs())
                .then((a.0, a.1).cmp(&(b.0, b.1)))
        });
        pairs.truncate(max);
    }
    pairs.sort_by_key(|p| (p.0, p.1));
    pairs
}

fn clamp_r(r: f64) -> f64 {
    if r.is_finite() {
        r.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// Centred and scaled to unit length, so r is a dot product; all zeros for
/// a column whose spread is negligible next to its values (or NaN).
fn standardise(c: &[f64]) -> Vec<f64> {
    let n = c.len() as f64;
    let mean = c.iter().sum::<f64>() / n;
    let biggest = c.iter().fold(0.0f64, |m, x| m.max((x - mean).abs()));
    let ss: f64 = c.iter().map(|x| (x - mean) * (x - mean)).sum();
    let spread = (ss / n).sqrt();
    if spread.is_nan() || spread <= 1e-12 * biggest.max(f64::MIN_POSITIVE) {
        return vec![0.0; c.len()];
    }
    let inv = 1.0 / ss.sqrt();
    c.iter().map(|x| (x - mean) * inv).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pearson r the textbook way, for comparison.
    fn pearson(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    /// SplitMix64 values in [0, 1): independent columns for different seeds.
    fn column(seed: u64, n: usize) -> Vec<f64> {
        (0..n as u64)
            .map(|i| {
                let mut z = ((seed << 32) | i).wrapping_add(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as f64 / u64::MAX as f64
            })
            .collect()
    }

    #[test]
    fn matches_textbook_pearson_and_keeps_the_strongest_pairs() {
        let n = 500;
        let base: Vec<Vec<f64>> = (0..6).map(|s| column(s + 1, n)).collect();
        // Column 6 = 2·col0 + small noise (r ≈ 1), column 7 = −col1 (r = −1).
        let mut cols = base.clone();
        cols.push(
            base[0]
                .iter()
                .zip(&base[2])
                .map(|(a, b)| 2.0 * a + 0.01 * b)
                .collect(),
        );
        cols.push(base[1].iter().map(|x| -x).collect());
        cols.push(vec![5.0; n]);
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let c = correlations(&refs, 0.9, 1);
        let d = cols.len();
        for i in 0..d - 1 {
            for j in 0..d - 1 {
                let want = if i == j {
                    1.0
                } else {
                    pearson(&cols[i], &cols[j])
                };
                assert!((c.matrix[i * d + j] - want).abs() < 1e-12, "{i},{j}");
            }
        }
        assert_eq!(c.matrix[(d - 1) * d + d - 1], 0.0, "constant column");
        assert_eq!(c.above, 2);
        assert_eq!(c.pairs.len(), 1, "only the strongest is kept");
        assert_eq!((c.pairs[0].0, c.pairs[0].1), (1, 7));
        assert_eq!(c.products, (d * (d + 1) / 2) as u64);
    }

    #[test]
    fn thousands_of_columns_keep_no_matrix() {
        let n = 20;
        let cols: Vec<Vec<f64>> = (0..FULL_MATRIX_MAX as u64 + 10)
            .map(|s| column(s, n))
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let c = correlations(&refs, 0.5, MAX_PAIRS);
        assert!(c.matrix.is_empty());
        assert!(c.pairs.len() <= MAX_PAIRS && c.above >= c.pairs.len());
        for &(i, j, r) in &c.pairs {
            assert!((r - pearson(&cols[i], &cols[j])).abs() < 1e-12);
        }
    }
}
