//! Customer ids as hash keys, whatever the id column's type: shared by
//! Clean (duplicate ids), Aggregate (one customer per id) and the
//! customer-key decision.

use crate::pipeline::table::{ColumnData, MISSING_DATE};

/// A hashable customer id of any column type. Ids of up to 22 bytes (nearly
/// all of them) are held inline, so a hash-map lookup compares them without
/// chasing a pointer into the table's text arena (a cache miss per row on
/// millions of rows).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum IdKey<'a> {
    Short(u8, [u8; 22]),
    Long(&'a str),
    Bits(u64),
}

impl<'a> IdKey<'a> {
    #[inline]
    pub(crate) fn text(s: &'a str) -> IdKey<'a> {
        let b = s.as_bytes();
        if b.len() <= 22 {
            let mut buf = [0u8; 22];
            buf[..b.len()].copy_from_slice(b);
            IdKey::Short(b.len() as u8, buf)
        } else {
            IdKey::Long(s)
        }
    }
}

pub(crate) struct IdKeys<'a>(&'a ColumnData);

impl<'a> IdKeys<'a> {
    pub(crate) fn new(data: &'a ColumnData) -> Self {
        IdKeys(data)
    }
    /// The id of row `i`, `None` when missing. Numbers compare by value
    /// (-0 equals 0).
    #[inline]
    pub(crate) fn key(&self, i: usize) -> Option<IdKey<'a>> {
        match self.0 {
            ColumnData::Text(t) => t.get(i).map(IdKey::text),
            ColumnData::Number(v) => {
                let x = v[i];
                (!x.is_nan()).then(|| IdKey::Bits(if x == 0.0 { 0 } else { x.to_bits() }))
            }
            ColumnData::Date(v) => {
                (v[i] != MISSING_DATE).then_some(IdKey::Bits(v[i] as u32 as u64))
            }
        }
    }
}
