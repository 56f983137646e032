//! The pass over the transactions: every row added to its customer.
//!
//! The rows are read in chunks. Each row goes to one of [`SHARDS`]
//! independent aggregators by the hash of its id, and the shards of a chunk
//! run in parallel. `SHARDS` is fixed, so the result does not depend on the
//! number of threads. The chunk buffers are the only per-row memory.

use super::accumulate::{Inputs, KindCounts, Shard};
use super::attributes::AttrSpec;
use super::report::AggregateReport;
use crate::error::{Error, Result};
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::id_key::IdKeys;
use crate::pipeline::progress::Progress;
use crate::pipeline::table::Column;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::BuildHasher;

const SHARDS: usize = 16;
/// The shard of a row without a customer id.
const NO_ID: u8 = u8::MAX;
const CHUNK: usize = 1 << 18;

/// Customers of all shards in order of first appearance: (first row, shard,
/// index in the shard). First rows are unique, so the order is too.
pub(super) type Order = Vec<(u32, u8, u32)>;

/// The customers of a log, grouped.
pub(super) struct Grouped<'a> {
    pub(super) shards: Vec<Shard<'a>>,
    pub(super) order: Order,
    pub(super) rows_without_id: usize,
    pub(super) first_without_id: Option<usize>,
}

/// Adds every row of the table to its customer's shard (see the module
/// docs); checks for cancel between chunks.
pub(super) fn group_rows<'a>(
    id_col: &'a Column,
    n: usize,
    inputs: &Inputs<'a>,
    specs: &[AttrSpec<'a>],
    progress: &dyn Progress,
) -> Result<Grouped<'a>> {
    let keys = IdKeys::new(&id_col.data);
    let mut shards: Vec<Shard<'_>> = (0..SHARDS).map(|_| Shard::new(specs)).collect();
    let mut shard_of = vec![0u8; CHUNK.min(n)];
    let mut rows = vec![0u32; CHUNK.min(n)];
    let (mut rows_without_id, mut first_without_id) = (0usize, None);
    for start in (0..n).step_by(CHUNK) {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        progress.report(
            start as f64 / n.max(1) as f64,
            &format!("aggregating transactions: {start} of {n} rows"),
        );
        let len = (start + CHUNK).min(n) - start;
        hash_to_shards(&keys, start, &mut shard_of[..len]);
        let offs = sort_by_shard(&shard_of[..len], &mut rows, |j| {
            first_without_id.get_or_insert(start + j);
            rows_without_id += 1;
        });
        let rows = &rows;
        shards.par_iter_mut().enumerate().for_each(|(s, sh)| {
            for &j in &rows[offs[s]..offs[s + 1]] {
                let i = start + j as usize;
                if let Some(k) = keys.key(i) {
                    sh.add(i, k, inputs);
                }
            }
        });
    }
    // The id and invoice maps are not needed any more: free them before
    // the customer table is built.
    for sh in shards.iter_mut() {
        sh.index = HashMap::default();
        sh.invoices = HashMap::default();
    }
    let order = customer_order(&shards);
    Ok(Grouped {
        shards,
        order,
        rows_without_id,
        first_without_id,
    })
}

/// The shard of each row of the chunk starting at `start` (`NO_ID` for a
/// row without an id), in parallel.
fn hash_to_shards(keys: &IdKeys<'_>, start: usize, shard_of: &mut [u8]) {
    let build = FxBuild::default();
    shard_of
        .par_iter_mut()
        .with_min_len(1 << 12)
        .enumerate()
        .for_each(|(j, s)| {
            *s = keys.key(start + j).map_or(NO_ID, |k| {
                ((build.hash_one(k) >> 32) as usize % SHARDS) as u8
            });
        });
}

/// Counting sort of the chunk's rows by shard, in row order: `rows` holds
/// shard `s`'s rows (offsets in the chunk) at `offs[s]..offs[s + 1]`.
/// `without_id` is called with each row that has no id.
fn sort_by_shard(
    shard_of: &[u8],
    rows: &mut [u32],
    mut without_id: impl FnMut(usize),
) -> [usize; SHARDS + 1] {
    let mut offs = [0usize; SHARDS + 1];
    for (j, &s) in shard_of.iter().enumerate() {
        if s == NO_ID {
            without_id(j);
        } else {
            offs[s as usize + 1] += 1;
        }
    }
    for s in 0..SHARDS {
        offs[s + 1] += offs[s];
    }
    let mut next = offs;
    for (j, &s) in shard_of.iter().enumerate() {
        if s != NO_ID {
            rows[next[s as usize]] = j as u32;
            next[s as usize] += 1;
        }
    }
    offs
}

/// Every customer of the shards, in order of first appearance.
fn customer_order(shards: &[Shard<'_>]) -> Order {
    let mut order: Order = shards
        .iter()
        .enumerate()
        .flat_map(|(s, sh)| {
            sh.accs
                .iter()
                .enumerate()
                .map(move |(l, a)| (a.first_row, s as u8, l as u32))
        })
        .collect();
    order.par_sort_unstable_by_key(|o| o.0);
    order
}

impl<'a> Grouped<'a> {
    /// One entry per customer of a per-shard list (`accs`, `extra`), in
    /// order of first appearance.
    pub(super) fn in_order<'g, T: 'g>(
        &'g self,
        list: impl Fn(&'g Shard<'a>) -> &'g [T],
    ) -> Vec<&'g T> {
        self.order
            .iter()
            .map(|&(_, s, l)| &list(&self.shards[s as usize])[l as usize])
            .collect()
    }

    /// The row counts of every shard, added to the report; the policy's
    /// counts summed over the shards.
    pub(super) fn totals(&self, report: &mut AggregateReport) -> KindCounts {
        let mut counts = KindCounts::default();
        report.rows_without_id = self.rows_without_id;
        for sh in &self.shards {
            counts.add(&sh.counts);
            report.rows_without_amount += sh.no_amount;
            report.rows_without_date += sh.no_date;
            report.rows_after_as_of += sh.after_as_of;
        }
        counts
    }
}
