//! Seeded samples of rows: the same rows for the same seed and stream on
//! any machine and any number of threads.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random streams of the trust checks (K-Means restarts use streams
/// `0..n_init`, the silhouette sample `2³² + K`, the sweep's restart sample
/// `2⁴⁰`); each check draws from its own.
pub const GAP_SAMPLE_STREAM: u64 = 1 << 41;
/// Reference set `b` of the gap statistic draws from `GAP_REFERENCE_STREAM + b`.
pub const GAP_REFERENCE_STREAM: u64 = 1 << 42;
pub const STABILITY_SAMPLE_STREAM: u64 = 1 << 43;
/// Bootstrap resample `b` draws from `RESAMPLE_STREAM + b`.
pub const RESAMPLE_STREAM: u64 = 1 << 44;
pub const RULES_SAMPLE_STREAM: u64 = 1 << 45;

/// A generator for `seed` on `stream`.
pub fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// `m` of the rows `0..n` without replacement, ascending (all of them when
/// `m >= n`).
pub fn rows_without_replacement(n: usize, m: usize, seed: u64, stream: u64) -> Vec<usize> {
    if m >= n {
        return (0..n).collect();
    }
    let mut rng = rng(seed, stream);
    // Partial Fisher–Yates over a sparse permutation: O(m) memory and time.
    let mut swapped = std::collections::HashMap::with_capacity(m);
    let mut rows = Vec::with_capacity(m);
    for i in 0..m {
        let j = rng.random_range(i as u64..n as u64) as usize;
        let at_j = *swapped.get(&j).unwrap_or(&j);
        let at_i = *swapped.get(&i).unwrap_or(&i);
        swapped.insert(j, at_i);
        rows.push(at_j);
    }
    rows.sort_unstable();
    rows
}

/// `n` draws from `0..n` with replacement (a bootstrap resample), ascending.
pub fn bootstrap(n: usize, seed: u64, stream: u64) -> Vec<usize> {
    let mut rng = rng(seed, stream);
    let mut rows: Vec<usize> = (0..n)
        .map(|_| rng.random_range(0..n as u64) as usize)
        .collect();
    rows.sort_unstable();
    rows
}

/// The rows `rows` of the row-major `d`-column matrix `data`, copied.
pub fn gather(data: &[f64], d: usize, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * d);
    for &r in rows {
        out.extend_from_slice(&data[r * d..(r + 1) * d]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_sorted_and_repeatable() {
        let a = rows_without_replacement(1000, 100, 7, GAP_SAMPLE_STREAM);
        assert_eq!(a, rows_without_replacement(1000, 100, 7, GAP_SAMPLE_STREAM));
        assert_eq!(a.len(), 100);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_ne!(a, rows_without_replacement(1000, 100, 8, GAP_SAMPLE_STREAM));
        assert_eq!(rows_without_replacement(5, 10, 1, 0), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_bootstrap_repeats_some_rows_and_misses_others() {
        let b = bootstrap(1000, 3, RESAMPLE_STREAM);
        assert_eq!(b.len(), 1000);
        let mut distinct = b.clone();
        distinct.dedup();
        // About 63.2 % of the rows appear in a bootstrap resample.
        assert!((550..720).contains(&distinct.len()), "{}", distinct.len());
    }
}
