//! Per-customer accumulators and the shards that hold them: what one
//! transaction row adds to its customer (counts, sums, dates, the last
//! balance, invoice lines and money in and out, attributes).

use super::attributes::{Attr, AttrSpec, EMPTY, Slot};
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::id_key::{IdKey, IdKeys};
use crate::pipeline::table::{ColumnData, MISSING_DATE};
use crate::pipeline::txn_meaning::{RowKind, RowReader};
use std::collections::HashMap;

/// Per customer, compact (48 bytes).
#[derive(Clone, Copy)]
pub(super) struct Acc {
    pub(super) count: u32,
    pub(super) n_amount: u32,
    pub(super) first_row: u32,
    pub(super) bal_row: u32,
    pub(super) first_date: i32,
    pub(super) last_date: i32,
    pub(super) bal_date: i32,
    pub(super) sum: f64,
    pub(super) balance: f64,
}

impl Acc {
    pub(super) fn new(first_row: u32) -> Acc {
        Acc {
            count: 0,
            n_amount: 0,
            first_row,
            bal_row: 0,
            first_date: i32::MAX,
            last_date: MISSING_DATE,
            bal_date: MISSING_DATE,
            sum: 0.0,
            balance: f64::NAN,
        }
    }
}

/// The columns an accumulator reads.
#[derive(Clone, Copy)]
pub(super) struct Inputs<'a> {
    /// Each row's value and kind (amount, invoice line, money in or out).
    pub(super) reader: RowReader<'a>,
    pub(super) dates: Option<&'a [i32]>,
    pub(super) balance: Option<&'a [f64]>,
    /// Rows dated after this are left out (`i32::MAX`: none).
    pub(super) as_of: i32,
    /// Invoice numbers, to count distinct invoices per customer.
    pub(super) invoices: Option<&'a ColumnData>,
    /// Leave cancellation lines out entirely (returns policy "exclude").
    pub(super) exclude_cancels: bool,
    /// Per-customer flows and invoices are kept (not the Amounts layout).
    pub(super) extra: bool,
}

/// Per customer, for invoice lines and flows only.
#[derive(Clone, Copy)]
pub(super) struct Extra {
    pub(super) inflow: f64,
    pub(super) outflow: f64,
    pub(super) cancel_value: f64,
    /// Distinct purchase invoices (purchase lines without invoice numbers).
    pub(super) purchases: u32,
    /// Distinct cancelled invoices (cancellation lines without numbers).
    pub(super) cancels: u32,
    pub(super) first_buy: i32,
    pub(super) last_buy: i32,
}

pub(super) const NEW_EXTRA: Extra = Extra {
    inflow: 0.0,
    outflow: 0.0,
    cancel_value: 0.0,
    purchases: 0,
    cancels: 0,
    first_buy: i32::MAX,
    last_buy: MISSING_DATE,
};

/// Row counts of the policy, per shard.
#[derive(Clone, Copy, Default)]
pub(super) struct KindCounts {
    pub(super) purchase_lines: usize,
    pub(super) cancel_lines: usize,
    pub(super) excluded_cancel_lines: usize,
    pub(super) cancelled_value: f64,
    pub(super) inflow_rows: usize,
    pub(super) outflow_rows: usize,
    pub(super) unknown_rows: usize,
    pub(super) first_unknown: Option<usize>,
    pub(super) negative_amounts: usize,
    /// Distinct (customer, invoice) pairs with a purchase / a cancellation.
    pub(super) purchase_invoices: usize,
    pub(super) cancelled_invoices: usize,
}

/// One independent part of the aggregation: the customers whose id hashes to
/// it, numbered in order of first appearance.
pub(super) struct Shard<'a> {
    pub(super) index: HashMap<IdKey<'a>, u32, FxBuild>,
    pub(super) accs: Vec<Acc>,
    /// Parallel to `accs` for invoice lines and flows; empty otherwise.
    pub(super) extra: Vec<Extra>,
    /// (customer, invoice) -> 1 counted as a purchase, 2 as a cancellation.
    pub(super) invoices: HashMap<(u32, IdKey<'a>), u8, FxBuild>,
    pub(super) counts: KindCounts,
    /// `attrs.len()` slots per customer.
    pub(super) slots: Vec<Slot>,
    pub(super) attrs: Vec<Attr<'a>>,
    pub(super) no_amount: usize,
    pub(super) no_date: usize,
    pub(super) after_as_of: usize,
}

impl<'a> Shard<'a> {
    pub(super) fn new(specs: &[AttrSpec<'a>]) -> Shard<'a> {
        Shard {
            index: HashMap::default(),
            accs: Vec::new(),
            extra: Vec::new(),
            invoices: HashMap::default(),
            counts: KindCounts::default(),
            slots: Vec::new(),
            attrs: specs.iter().map(Attr::new).collect(),
            no_amount: 0,
            no_date: 0,
            after_as_of: 0,
        }
    }

    #[inline]
    pub(super) fn add(&mut self, i: usize, key: IdKey<'a>, inp: &Inputs<'a>) {
        let d = inp.dates.map_or(MISSING_DATE, |v| v[i]);
        if d != MISSING_DATE && d > inp.as_of {
            self.after_as_of += 1;
            return;
        }
        let (x, kind) = inp.reader.row(i);
        if kind == RowKind::Cancel && inp.exclude_cancels {
            self.counts.excluded_cancel_lines += 1;
            return;
        }
        let n_attrs = self.attrs.len();
        let next = self.accs.len() as u32;
        let c = *self.index.entry(key).or_insert(next);
        if c == next {
            self.accs.push(Acc::new(i as u32));
            if inp.extra {
                self.extra.push(NEW_EXTRA);
            }
            self.slots.extend(std::iter::repeat_n(EMPTY, n_attrs));
        }
        if inp.extra {
            self.add_extra(c, i, x, kind, d, inp);
        }
        let a = &mut self.accs[c as usize];
        a.count += 1;
        if inp.reader.has_amount() {
            if x.is_finite() {
                a.sum += x;
                a.n_amount += 1;
                self.counts.negative_amounts += (x < 0.0) as usize;
            } else {
                self.no_amount += 1;
            }
        }
        if d != MISSING_DATE {
            a.first_date = a.first_date.min(d);
            a.last_date = a.last_date.max(d);
        } else if inp.dates.is_some() {
            self.no_date += 1;
        }
        if let Some(b) = inp.balance {
            let x = b[i];
            // The latest dated row wins; equal or missing dates: the later row.
            if x.is_finite() && (d, i as u32) >= (a.bal_date, a.bal_row) {
                a.balance = x;
                a.bal_date = d;
                a.bal_row = i as u32;
            }
        }
        let customers = self.accs.len();
        let base = c as usize * n_attrs;
        for (k, attr) in self.attrs.iter_mut().enumerate() {
            if attr.abandoned {
                continue;
            }
            if let Some(v) = attr.key(i, customers) {
                attr.observe(&mut self.slots[base + k], c, i as u32, v);
            }
        }
    }

    /// The invoice-line and flow sums of customer `c` for row `i`.
    #[inline]
    fn add_extra(&mut self, c: u32, i: usize, x: f64, kind: RowKind, d: i32, inp: &Inputs<'a>) {
        let invoice = inp.invoices.and_then(|d| IdKeys::new(d).key(i));
        let counts = &mut self.counts;
        let e = &mut self.extra[c as usize];
        // Whether this row's invoice is new for the customer as `bit`.
        let mut first_of = |bit: u8| match invoice {
            Some(k) => {
                let flags = self.invoices.entry((c, k)).or_insert(0);
                let new = *flags & bit == 0;
                *flags |= bit;
                new
            }
            None => true,
        };
        match kind {
            RowKind::Purchase => {
                counts.purchase_lines += 1;
                e.purchases += first_of(1) as u32;
                if d != MISSING_DATE {
                    e.first_buy = e.first_buy.min(d);
                    e.last_buy = e.last_buy.max(d);
                }
            }
            RowKind::Cancel => {
                counts.cancel_lines += 1;
                e.cancels += first_of(2) as u32;
                if x.is_finite() {
                    e.cancel_value += x;
                    counts.cancelled_value += x;
                }
            }
            RowKind::In => {
                counts.inflow_rows += 1;
                if x.is_finite() {
                    e.inflow += x;
                }
            }
            RowKind::Out => {
                counts.outflow_rows += 1;
                if x.is_finite() {
                    e.outflow += x;
                }
            }
            RowKind::Unknown => {
                counts.unknown_rows += 1;
                counts.first_unknown.get_or_insert(i);
            }
            RowKind::Plain => {}
        }
    }
}

impl KindCounts {
    pub(super) fn add(&mut self, o: &KindCounts) {
        self.purchase_lines += o.purchase_lines;
        self.cancel_lines += o.cancel_lines;
        self.excluded_cancel_lines += o.excluded_cancel_lines;
        self.cancelled_value += o.cancelled_value;
        self.inflow_rows += o.inflow_rows;
        self.outflow_rows += o.outflow_rows;
        self.unknown_rows += o.unknown_rows;
        self.negative_amounts += o.negative_amounts;
        self.purchase_invoices += o.purchase_invoices;
        self.cancelled_invoices += o.cancelled_invoices;
        self.first_unknown = match (self.first_unknown, o.first_unknown) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}
