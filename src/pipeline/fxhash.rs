//! A fast, deterministic hasher for the hash maps of ids and interned
//! values (Aggregate, Clean, customer keys). Ids are not attacker-chosen
//! here, so a multiplicative hash is enough, and a fixed one keeps results
//! the same from run to run.

use std::hash::{BuildHasherDefault, Hasher};

/// FxHash-style multiplicative hasher with a final avalanche, so hashbrown's
/// top-bit control bytes stay well spread for sequential numeric ids.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash ^ w).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3 fmix64
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(t: T) -> u64 {
        FxBuild::default().hash_one(t)
    }

    #[test]
    fn hasher_separates_close_keys() {
        assert_ne!(hash("ab"), hash("ba"));
        assert_ne!(hash(1u64), hash(2u64));
        assert_ne!(hash("a"), hash("a\0"));
        // Sequential ids spread over the top 7 bits (hashbrown's control byte).
        let tops: std::collections::HashSet<u64> = (0..1000u64).map(|i| hash(i) >> 57).collect();
        assert!(tops.len() > 100, "{}", tops.len());
    }
}
