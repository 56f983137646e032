//! One pass over a numeric column: what the column rules need to know.

use super::*;

/// What the rules need to know of a numeric column, from one pass.
pub(super) struct Summary {
    pub(super) present: usize,
    pub(super) integer: bool,
    pub(super) min: f64,
    pub(super) max: f64,
    /// Distinct values and their counts, while there are at most
    /// [`MAX_LEVELS`] of them.
    pub(super) levels: Option<HashMap<u64, usize, BuildHasherDefault<BitsHasher>>>,
}

/// A cheap hasher for f64 bit patterns (one pass over a million cells per
/// column must stay in the milliseconds).
#[derive(Default)]
pub(super) struct BitsHasher(u64);

impl Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (x ^ (x >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(super) const MAX_LEVELS: usize = 130;

impl Summary {
    pub(super) fn of(values: &[f64]) -> Summary {
        let mut s = Summary {
            present: 0,
            integer: true,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            levels: Some(HashMap::default()),
        };
        // Runs of one value (sorted or grouped columns) cost one lookup.
        let mut run: Option<(u64, usize)> = None;
        for &x in values.iter().filter(|x| x.is_finite()) {
            s.present += 1;
            s.integer &= x.fract() == 0.0;
            s.min = s.min.min(x);
            s.max = s.max.max(x);
            if s.levels.is_none() {
                continue;
            }
            let bits = (x + 0.0).to_bits();
            match &mut run {
                Some((b, c)) if *b == bits => *c += 1,
                _ => {
                    if let Some((b, c)) = run.replace((bits, 1)) {
                        s.add_level(b, c);
                    }
                }
            }
        }
        if let Some((b, c)) = run {
            s.add_level(b, c);
        }
        s
    }

    pub(super) fn add_level(&mut self, bits: u64, count: usize) {
        if let Some(l) = &mut self.levels {
            *l.entry(bits).or_default() += count;
            if l.len() > MAX_LEVELS {
                self.levels = None;
            }
        }
    }

    pub(super) fn n_levels(&self) -> Option<usize> {
        self.levels.as_ref().map(HashMap::len)
    }

    /// At most `max` distinct values, each repeated three times on average
    /// (in a handful of rows every column has "few" levels).
    pub(super) fn few_levels(&self, max: usize) -> bool {
        self.n_levels()
            .is_some_and(|l| l <= max && l * 3 <= self.present)
    }

    pub(super) fn within(&self, lo: f64, hi: f64) -> bool {
        self.min >= lo && self.max <= hi
    }
}
