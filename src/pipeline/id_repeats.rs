//! Repeated customer ids over millions of rows, checked in cache-sized
//! pieces.
//!
//! One hash set over every id misses the cache (and the TLB) on nearly every
//! lookup once it outgrows the cache: on 10M customers that check took 17.6×
//! the time of 1M. Here the ids are first copied, in row order, into buckets
//! by their hash (a counting sort: two sequential passes over the column,
//! in parallel chunks), then each bucket — a few thousand ids — gets a small
//! set of its own that stays in the cache, the buckets in parallel. Equal
//! ids always share a bucket, and ids are compared in full, so the answers
//! are exact and the same for any thread count.

use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::id_key::{IdKey, IdKeys};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::ops::Range;

/// Ids per bucket aimed at: a bucket's entries and its set stay in L2.
const BUCKET_IDS: usize = 4096;
/// Most buckets: copying ids into more streams at once than this misses
/// the TLB on every write (10M ids make about 2,400 buckets of 4,096, so
/// theirs hold about 10,000: a set of that many still fits in L2).
const MAX_BUCKETS: usize = 1024;
/// Fewest rows per chunk of the parallel passes.
const CHUNK_ROWS: usize = 1 << 16;
/// Most chunks: each keeps a count per bucket.
const MAX_CHUNKS: usize = 64;
/// Rows read one by one before the full check when looking for the first
/// repeat: a transaction log repeats an id within its first rows.
const PREFIX_ROWS: usize = 1 << 16;

/// How many rows hold an id, and how many distinct ids they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IdCount {
    pub with_id: usize,
    pub distinct: usize,
}

/// The first row whose id an earlier row holds, or the count when none does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FirstRepeat {
    /// `row` repeats the id first held by `earlier`; no row before `row`
    /// repeats an id.
    Found { earlier: usize, row: usize },
    /// Every id is unique; `distinct` rows hold one.
    None { distinct: usize },
}

/// Counts the rows with an id and the distinct ids among the first `rows`.
pub(crate) fn count_ids(keys: &IdKeys<'_>, rows: usize) -> IdCount {
    count_ids_with(keys, rows, BUCKET_IDS, CHUNK_ROWS)
}

/// The first repeated id among the first `rows` (see [`FirstRepeat`]).
pub(crate) fn first_repeat(keys: &IdKeys<'_>, rows: usize) -> FirstRepeat {
    first_repeat_with(keys, rows, BUCKET_IDS, CHUNK_ROWS, PREFIX_ROWS)
}

fn count_ids_with(keys: &IdKeys<'_>, rows: usize, bucket_ids: usize, chunk_rows: usize) -> IdCount {
    let spread = Spread::of(keys, rows, bucket_ids, chunk_rows);
    let distinct = (0..spread.buckets())
        .into_par_iter()
        .map(|b| {
            let ids = spread.bucket(b);
            let mut set: HashSet<IdKey<'_>, FxBuild> =
                HashSet::with_capacity_and_hasher(ids.len(), FxBuild::default());
            set.extend(ids.iter().map(|&(k, _)| k));
            set.len()
        })
        .sum();
    IdCount {
        with_id: spread.entries.len(),
        distinct,
    }
}

fn first_repeat_with(
    keys: &IdKeys<'_>,
    rows: usize,
    bucket_ids: usize,
    chunk_rows: usize,
    prefix_rows: usize,
) -> FirstRepeat {
    let prefix = rows.min(prefix_rows);
    let mut found = first_repeat_in(0..prefix, |i| keys.key(i).map(|k| (k, i)));
    let mut distinct = 0;
    if found.is_none() {
        let spread = Spread::of(keys, rows, bucket_ids, chunk_rows);
        // A bucket holds its rows in order, so its first repeat is its
        // smallest; the smallest over the buckets is the table's.
        found = (0..spread.buckets())
            .into_par_iter()
            .filter_map(|b| {
                let ids = spread.bucket(b);
                first_repeat_in(0..ids.len(), |p| Some(ids[p]))
            })
            .min_by_key(|&(_, row)| row);
        distinct = spread.entries.len();
    }
    match found {
        Some((earlier, row)) => FirstRepeat::Found { earlier, row },
        None => FirstRepeat::None { distinct },
    }
}

/// The first repeat `(earlier, row)` among the ids `at(p)` for `p` in
/// `range` (rows in increasing order), read one by one.
fn first_repeat_in<'a>(
    range: Range<usize>,
    at: impl Fn(usize) -> Option<(IdKey<'a>, usize)>,
) -> Option<(usize, usize)> {
    let mut first: HashMap<IdKey<'a>, usize, FxBuild> =
        HashMap::with_capacity_and_hasher(range.len(), FxBuild::default());
    for p in range {
        if let Some((k, row)) = at(p) {
            if let Some(&earlier) = first.get(&k) {
                return Some((earlier, row));
            }
            first.insert(k, row);
        }
    }
    None
}

/// Every id with its row, grouped by bucket, each bucket in row order.
struct Spread<'a> {
    entries: Vec<(IdKey<'a>, usize)>,
    /// Bucket `b` is `entries[starts[b]..starts[b + 1]]`.
    starts: Vec<usize>,
}

impl<'a> Spread<'a> {
    fn of(keys: &IdKeys<'a>, rows: usize, bucket_ids: usize, chunk_rows: usize) -> Spread<'a> {
        let n_buckets = (rows / bucket_ids.max(1))
            .next_power_of_two()
            .clamp(1, MAX_BUCKETS);
        // Bits well above those hashbrown indexes a bucket's small set by,
        // and below its 7-bit tags, so a bucket's ids spread in its set.
        let bucket_of =
            |k: &IdKey<'_>| (FxBuild::default().hash_one(k) >> 40) as usize & (n_buckets - 1);
        let chunk = chunk_rows.max(rows.div_ceil(MAX_CHUNKS)).max(1);
        let chunks: Vec<Range<usize>> = (0..rows)
            .step_by(chunk)
            .map(|s| s..(s + chunk).min(rows))
            .collect();
        let counts: Vec<Vec<usize>> = chunks
            .par_iter()
            .map(|r| {
                let mut c = vec![0usize; n_buckets];
                for k in r.clone().filter_map(|i| keys.key(i)) {
                    c[bucket_of(&k)] += 1;
                }
                c
            })
            .collect();
        let mut starts = Vec::with_capacity(n_buckets + 1);
        let mut total = 0;
        for b in 0..n_buckets {
            starts.push(total);
            total += counts.iter().map(|c| c[b]).sum::<usize>();
        }
        starts.push(total);
        let mut entries = vec![(IdKey::Bits(0), 0usize); total];
        // Each chunk's piece of each bucket, bucket by bucket: bucket `b`
        // holds chunk 0's ids, then chunk 1's ..., so every bucket keeps
        // the rows in order.
        let mut pieces: Vec<Vec<&mut [(IdKey<'a>, usize)]>> = chunks
            .iter()
            .map(|_| Vec::with_capacity(n_buckets))
            .collect();
        let mut rest: &mut [(IdKey<'a>, usize)] = &mut entries;
        for b in 0..n_buckets {
            for (piece, count) in pieces.iter_mut().zip(&counts) {
                let (mine, after) = rest.split_at_mut(count[b]);
                piece.push(mine);
                rest = after;
            }
        }
        pieces
            .into_par_iter()
            .zip(chunks.par_iter())
            .for_each(|(mut piece, r)| {
                let mut filled = vec![0usize; n_buckets];
                for i in r.clone() {
                    if let Some(k) = keys.key(i) {
                        let b = bucket_of(&k);
                        piece[b][filled[b]] = (k, i);
                        filled[b] += 1;
                    }
                }
            });
        Spread { entries, starts }
    }

    fn buckets(&self) -> usize {
        self.starts.len() - 1
    }

    fn bucket(&self, b: usize) -> &[(IdKey<'a>, usize)] {
        &self.entries[self.starts[b]..self.starts[b + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::{ColumnData, MISSING_DATE, TextColumn};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng as StdRng;

    /// The plain one-set answers the bucketed ones must equal.
    fn plain_count(keys: &IdKeys<'_>, rows: usize) -> IdCount {
        let mut set = HashSet::new();
        let mut with_id = 0;
        for k in (0..rows).filter_map(|i| keys.key(i)) {
            with_id += 1;
            set.insert(k);
        }
        IdCount {
            with_id,
            distinct: set.len(),
        }
    }

    fn plain_first(keys: &IdKeys<'_>, rows: usize) -> FirstRepeat {
        let mut seen = HashMap::new();
        for i in 0..rows {
            if let Some(k) = keys.key(i) {
                if let Some(&earlier) = seen.get(&k) {
                    return FirstRepeat::Found { earlier, row: i };
                }
                seen.insert(k, i);
            }
        }
        FirstRepeat::None {
            distinct: seen.len(),
        }
    }

    fn text(ids: &[Option<String>]) -> ColumnData {
        ColumnData::Text(TextColumn::from_values(ids.iter().map(|s| s.as_deref())))
    }

    /// Columns of many shapes: unique, a few duplicates, a log, long text
    /// ids (past the inline 22 bytes), missing ids, -0 and 0, dates.
    fn columns(rng: &mut StdRng, rows: usize) -> Vec<(String, ColumnData)> {
        let mut out = Vec::new();
        let unique: Vec<f64> = (0..rows).map(|i| i as f64 * 3.0 + 1.0).collect();
        out.push(("unique numbers".into(), ColumnData::Number(unique.clone())));
        let mut late = unique.clone();
        late[rows - 1] = late[rows / 3];
        out.push(("one late repeat".into(), ColumnData::Number(late)));
        let log: Vec<f64> = (0..rows)
            .map(|_| rng.random_range(0..rows / 7 + 1) as f64)
            .collect();
        out.push(("log".into(), ColumnData::Number(log)));
        let signed: Vec<f64> = (0..rows)
            .map(|i| match i % 5 {
                0 => f64::NAN,
                1 if i == 1 => -0.0,
                1 if i == rows / 2 + 1 => 0.0,
                _ => i as f64,
            })
            .collect();
        out.push(("missing and signed zero".into(), ColumnData::Number(signed)));
        let long: Vec<Option<String>> = (0..rows)
            .map(|i| {
                let n = if i % 97 == 0 {
                    rng.random_range(0..rows)
                } else {
                    i
                };
                (i % 11 != 0).then(|| format!("customer-with-a-long-id-number-{n:08}"))
            })
            .collect();
        out.push(("long text ids".into(), text(&long)));
        let short: Vec<Option<String>> = (0..rows)
            .map(|_| Some(format!("C{}", rng.random_range(0..rows * 4))))
            .collect();
        out.push(("short text ids".into(), text(&short)));
        let dates: Vec<i32> = (0..rows)
            .map(|i| {
                if i % 13 == 0 {
                    MISSING_DATE
                } else {
                    (i % (rows / 2 + 1)) as i32
                }
            })
            .collect();
        out.push(("dates".into(), ColumnData::Date(dates)));
        out
    }

    #[test]
    fn bucketed_answers_equal_one_set_on_every_shape() {
        let mut rng = StdRng::seed_from_u64(7);
        for rows in [1, 2, 3, 50, 1_000, 20_011] {
            for (name, col) in columns(&mut rng, rows.max(3)) {
                let keys = IdKeys::new(&col);
                let n = col.len().min(rows);
                // Small buckets and chunks: many of both even on small data.
                for (bucket_ids, chunk_rows, prefix) in
                    [(1, 1, 0), (16, 100, 10), (4096, 1 << 16, 1 << 16)]
                {
                    let what = format!(
                        "{name}, {n} rows, buckets of {bucket_ids}, chunks of {chunk_rows}"
                    );
                    assert_eq!(
                        count_ids_with(&keys, n, bucket_ids, chunk_rows),
                        plain_count(&keys, n),
                        "{what}"
                    );
                    assert_eq!(
                        first_repeat_with(&keys, n, bucket_ids, chunk_rows, prefix),
                        plain_first(&keys, n),
                        "{what}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_repeat_is_the_earliest_second_sighting_past_the_prefix() {
        // Row 900 repeats row 10, row 500 repeats row 400: row 500 comes
        // first, though its id was seen later; both are past a 100-row prefix.
        let mut ids: Vec<f64> = (0..1_000).map(f64::from).collect();
        ids[900] = 10.0;
        ids[500] = 400.0;
        let col = ColumnData::Number(ids);
        let keys = IdKeys::new(&col);
        for bucket_ids in [1, 8, 4096] {
            assert_eq!(
                first_repeat_with(&keys, 1_000, bucket_ids, 64, 100),
                FirstRepeat::Found {
                    earlier: 400,
                    row: 500
                }
            );
        }
    }

    #[test]
    fn the_same_answers_on_one_thread_and_many() {
        let mut rng = StdRng::seed_from_u64(11);
        let ids: Vec<f64> = (0..50_000)
            .map(|_| rng.random_range(0..40_000) as f64)
            .collect();
        let col = ColumnData::Number(ids);
        let keys = IdKeys::new(&col);
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    (
                        count_ids_with(&keys, 50_000, 64, 1_000),
                        first_repeat_with(&keys, 50_000, 64, 1_000, 0),
                    )
                })
        };
        assert_eq!(on(1), on(3));
        assert_eq!(on(1).0, plain_count(&keys, 50_000));
    }
}
