//! Transaction logs -> one row per customer.
//!
//! Bank exports are often one row per transaction (customer id, date, amount,
//! maybe balance, birth date, gender, location, account type). This stage
//! folds them into a customer-level [`Table`] with a fresh [`Mapping`]:
//!
//! | output column       | role         | how                                         |
//! |---------------------|--------------|---------------------------------------------|
//! | (the id column)     | customer_id  | order of first appearance                   |
//! | `txn_count`         | txn_count    | rows with this id                           |
//! | `txn_amount_total`  | txn_amount   | sum of the finite amounts                   |
//! | `txn_amount_mean`   | —  (profile) | total / rows with a finite amount           |
//! | `first_txn_date`    | — (ignored)  | earliest transaction date                   |
//! | `last_txn_date`     | last_date    | latest transaction date                     |
//! | `last_balance`      | balance      | balance on the latest dated row (ties and undated rows: the later row in the file) |
//! | attributes          | as mapped    | most frequent value; ties: the value seen last |
//!
//! Attributes are the columns mapped as age, birth date, gender, branch, open
//! date, products held or tenure, plus unmapped text columns not marked
//! "ignore" (account type, ...). An unmapped text column with more distinct
//! values than there are customers cannot be a customer attribute: it is a
//! per-transaction column (a transaction id) and is not carried; the report
//! says so. (While streaming, such a column is abandoned as soon as its
//! distinct values outnumber the customers seen so far by
//! [`AggregateOptions::max_attribute_levels`], so it never costs memory
//! proportional to transactions.) Unmapped numeric and date columns are
//! per-transaction values and are not carried either.
//!
//! Transactions dated after an `--as-of` date given by the user are left
//! out (counted in the report): the customer table describes the customers
//! as of that date, so Frequency and Monetary cover the period up to it and
//! the last balance is the one known then. Without `--as-of` every
//! transaction counts and Clean takes the latest date as the as-of.
//!
//! Memory is proportional to customers, not transactions: one pass over the
//! rows with a hash map id -> customer index (keys borrow the loaded table),
//! a compact accumulator per customer, and interned categorical values. A
//! customer's attribute is held as one (value, count) pair until a second
//! value turns up; only then does it get a small list of counts.

use crate::error::{Error, Result};
use crate::pipeline::clean::{IdKey, IdKeys, IsoDate};
use crate::pipeline::excerpt;
use crate::pipeline::log_tenure::{LogWindow, NEW_EVIDENCE, NEW_IN_LOG};
use crate::pipeline::mapping::{ColumnMapping, ColumnUse, Mapping, Role};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::{
    Column, ColumnData, ColumnInfo, ColumnType, MISSING_DATE, Table, TextColumn, format_date,
};
use crate::pipeline::txn_meaning::{
    self, DirectionWords, LogLayout, LogPlan, LogPolicyReport, MonetaryBasis, PlanOptions,
    ReturnsPolicy, RowKind, RowReader, SignedAmounts,
};
use crate::remedy::{Notice, Remedy};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

// ---------------------------------------------------------------------------
// A fast, deterministic hasher (ids are not attacker-chosen here).
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Options and decision
// ---------------------------------------------------------------------------

/// `--input`: what one row of the input is.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_input_kind
)]
pub enum InputKind {
    /// Decide from the data (see [`decide_input`]).
    #[default]
    #[strum(to_string = "auto")]
    Auto,
    /// One row per customer; repeated ids are duplicates (Clean's policy).
    #[strum(to_string = "customers", serialize = "customer")]
    Customers,
    /// One row per transaction; aggregate to one row per customer.
    #[strum(
        to_string = "transactions",
        serialize = "transaction",
        serialize = "txn"
    )]
    Transactions,
}

fn unknown_input_kind(s: &str) -> String {
    format!("unknown input kind '{s}' (use auto, customers or transactions)")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregateOptions {
    /// `--input auto|customers|transactions`.
    pub input: InputKind,
    /// Slack for the streaming check: an unmapped text column is abandoned as
    /// per-transaction (e.g. a transaction id) once its distinct values
    /// outnumber the customers seen so far by more than this.
    pub max_attribute_levels: usize,
    /// Cancelled invoice lines: net (default) or exclude (see [`txn_meaning`]).
    pub returns: ReturnsPolicy,
    /// Monetary of a debit/credit log: inflow (default), outflow or net.
    pub monetary: MonetaryBasis,
    /// Negative amounts without a direction column: auto, flows or plain.
    pub signed_amounts: SignedAmounts,
    /// The direction column's own words for money in and out.
    pub direction_words: DirectionWords,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions {
            input: InputKind::Auto,
            max_attribute_levels: 1000,
            returns: ReturnsPolicy::default(),
            monetary: MonetaryBasis::default(),
            signed_amounts: SignedAmounts::default(),
            direction_words: DirectionWords::default(),
        }
    }
}

impl AggregateOptions {
    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            returns: self.returns,
            monetary: self.monetary,
            signed_amounts: self.signed_amounts,
        }
    }
}

/// Whether the table is aggregated, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputDecision {
    pub aggregate: bool,
    pub reason: String,
    /// The input kind that would override an automatic decision.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
    pub rows: usize,
    /// Distinct customer ids, when `auto` mode read the whole id column (it
    /// stops at the first repeated id when a transaction date is mapped).
    pub distinct_ids: Option<usize>,
}

impl InputDecision {
    /// The reason as the command line (and the report) words it.
    pub fn cli_reason(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{} ({})", self.reason, r.cli_phrase()),
            None => self.reason.clone(),
        }
    }
}

/// The `auto` rule: a table is a transaction log when its customer ids repeat
/// and either a transaction-date column is mapped or at least 20% of the rows
/// repeat an id seen before. Fewer repeats without a transaction date are
/// duplicates in a customer table, which Clean handles with its policy.
/// The input kind `kind` ("customers" or "transactions") as a remedy.
fn input_remedy(kind: &str) -> Remedy {
    Remedy::InputKind { kind: kind.into() }
}

/// The option that names the customer id column.
fn id_remedy() -> Remedy {
    Remedy::SetRole {
        role: Role::CustomerId.key().to_string(),
        column: None,
    }
}

pub fn decide_input(table: &Table, mapping: &Mapping, kind: InputKind) -> Result<InputDecision> {
    let id = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| table.column(c));
    let rows = table.n_rows;
    match kind {
        InputKind::Customers => {
            return Ok(InputDecision {
                aggregate: false,
                reason: "one row per customer, as set by the user".into(),
                rows,
                distinct_ids: None,
                remedy: None,
            });
        }
        InputKind::Transactions => {
            if id.is_none() {
                return Err(Error::Setting {
                    setting: Remedy::InputKind {
                        kind: "transactions".into(),
                    },
                    message: "a transaction log needs a customer id column to group by; \
                              none was found"
                        .into(),
                    remedy: Some(Box::new(id_remedy())),
                });
            }
            return Ok(InputDecision {
                aggregate: true,
                reason: "one row per transaction, as set by the user".into(),
                rows,
                distinct_ids: None,
                remedy: None,
            });
        }
        InputKind::Auto => {}
    }
    let Some(id) = id else {
        if mapping.id.rows_look_like_transactions {
            return Err(Error::with_remedy(
                format!(
                    "{}: the rows look like transactions ({}), but no customer id column was found, \
                     so there are no customers to segment",
                    table.source.file_name(),
                    mapping.id.reason
                ),
                Remedy::OneOf(vec![
                    id_remedy(),
                    Remedy::InputKind {
                        kind: "customers".into(),
                    },
                ]),
            ));
        }
        return Ok(InputDecision {
            aggregate: false,
            reason: "no customer id column, so rows are taken as customers".into(),
            rows,
            distinct_ids: None,
            remedy: None,
        });
    };
    let keys = IdKeys::new(&id.data);
    let has_txn_date = mapping.column_for(Role::TxnDate).is_some();
    if has_txn_date {
        // One repeated id decides it: stop at the first.
        let mut first: HashMap<IdKey<'_>, usize, FxBuild> = HashMap::default();
        for i in 0..rows {
            if let Some(k) = keys.key(i)
                && let Some(&j) = first.get(&k)
            {
                return Ok(InputDecision {
                    aggregate: true,
                    reason: format!(
                        "customer ids repeat ('{}' on {} and {}) and there is a transaction date: \
                         a transaction log",
                        id.data.display(i),
                        table.row_label(j),
                        table.row_label(i)
                    ),
                    remedy: Some(input_remedy("customers")),
                    rows,
                    distinct_ids: None,
                });
            } else if let Some(k) = keys.key(i) {
                first.insert(k, i);
            }
        }
        let distinct = first.len();
        return Ok(InputDecision {
            aggregate: false,
            reason: format!(
                "every customer id in '{}' is unique: one row per customer",
                id.name
            ),
            rows,
            distinct_ids: Some(distinct),
            remedy: None,
        });
    }
    let mut seen: std::collections::HashSet<IdKey<'_>, FxBuild> = Default::default();
    let mut with_id = 0usize;
    for i in 0..rows {
        if let Some(k) = keys.key(i) {
            with_id += 1;
            seen.insert(k);
        }
    }
    let distinct = seen.len();
    let repeats = with_id - distinct;
    let (aggregate, reason) = if repeats == 0 {
        (
            false,
            format!(
                "every customer id in '{}' is unique: one row per customer",
                id.name
            ),
        )
    } else if repeats * 5 >= with_id {
        (
            true,
            format!(
                "customer ids repeat on {:.0}% of the rows ({rows} rows, {distinct} ids): \
                 a transaction log",
                100.0 * repeats as f64 / with_id.max(1) as f64
            ),
        )
    } else {
        (
            false,
            format!(
                "{repeats} rows repeat a customer id, too few for a transaction log: \
                 duplicates in a customer table, which Clean handles"
            ),
        )
    };
    // Repeated ids were read one way: the other input kind overrides it.
    let remedy = (repeats > 0).then(|| {
        input_remedy(if aggregate {
            "customers"
        } else {
            "transactions"
        })
    });
    Ok(InputDecision {
        aggregate,
        reason,
        remedy,
        rows,
        distinct_ids: Some(distinct),
    })
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

/// Customers whose rows disagree on an attribute, and how it was resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub column: String,
    pub customers: usize,
    /// "C12: 'Delhi' x3, 'Mumbai' x2 -> 'Delhi'".
    pub example: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AggregateReport {
    pub transactions_in: usize,
    pub customers_out: usize,
    pub rows_without_id: usize,
    /// Rows whose amount was missing or not finite (counted, not summed).
    pub rows_without_amount: usize,
    pub rows_without_date: usize,
    /// The `--as-of` date transactions were cut at, and the rows after it.
    #[serde(default)]
    pub as_of: Option<IsoDate>,
    #[serde(default)]
    pub rows_after_as_of: usize,
    pub disagreements: Vec<Disagreement>,
    /// (output column, how it was built).
    pub columns: Vec<(String, String)>,
    /// (input column, why it was not carried).
    pub not_carried: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// How rows were read (amounts, invoice lines, money in and out), the
    /// policies applied and their counts.
    #[serde(default)]
    pub policy: LogPolicyReport,
}

impl AggregateReport {
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Aggregate: {} transactions in, {} customers out; {} rows without a customer id skipped",
            self.transactions_in, self.customers_out, self.rows_without_id
        );
        if self.rows_without_amount > 0 {
            let _ = writeln!(
                s,
                "  {} rows without a usable amount (counted, not summed)",
                self.rows_without_amount
            );
        }
        if self.rows_without_date > 0 {
            let _ = writeln!(s, "  {} rows without a date", self.rows_without_date);
        }
        if let Some(d) = self.as_of {
            let _ = writeln!(
                s,
                "  {} rows dated after the as-of date {d} left out",
                self.rows_after_as_of
            );
        }
        for p in &self.policy.statements {
            let _ = writeln!(s, "  policy: {p}");
        }
        for (c, how) in &self.columns {
            let _ = writeln!(s, "  {c:<24} {how}");
        }
        for d in &self.disagreements {
            let _ = writeln!(
                s,
                "  '{}': {} customers had differing values; most frequent kept (e.g. {})",
                d.column, d.customers, d.example
            );
        }
        for (c, why) in &self.not_carried {
            let _ = writeln!(s, "  not carried: '{c}': {why}");
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {w}");
        }
        s
    }
}

/// A customer-level table built from a transaction log.
#[derive(Clone, Debug)]
pub struct Aggregated {
    pub table: Table,
    pub mapping: Mapping,
    pub report: AggregateReport,
}

// ---------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------

/// Per customer, compact (48 bytes).
#[derive(Clone, Copy)]
struct Acc {
    count: u32,
    n_amount: u32,
    first_row: u32,
    bal_row: u32,
    first_date: i32,
    last_date: i32,
    bal_date: i32,
    sum: f64,
    balance: f64,
}

impl Acc {
    fn new(first_row: u32) -> Acc {
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

/// One attribute of one customer: the single value seen so far and how often
/// (`count == 0`: none yet; `count == MULTI`: the customer's rows disagree,
/// and `value` is the index of their counts in the attribute's overflow
/// list). All attributes of a customer sit next to each other, so a row
/// touches one cache line for them.
#[derive(Clone, Copy)]
struct Slot {
    value: u32,
    count: u32,
}

const EMPTY: Slot = Slot { value: 0, count: 0 };
const MULTI: u32 = u32::MAX;

enum AttrValues<'a> {
    Text {
        col: &'a TextColumn,
        ids: HashMap<IdKey<'a>, u32, FxBuild>,
        strings: Vec<&'a str>,
        /// Give up (per-transaction column) when distinct values pass the
        /// customers seen so far plus this.
        slack: Option<usize>,
    },
    Number {
        col: &'a [f64],
        ids: HashMap<u64, u32, FxBuild>,
        values: Vec<f64>,
    },
    Date(&'a [i32]),
}

/// A column carried to the customer table as an attribute.
struct AttrSpec<'a> {
    source: &'a Column,
    mapping: Option<&'a ColumnMapping>,
    /// `Some` for unmapped text columns, which may turn out per-transaction.
    slack: Option<usize>,
}

/// A customer whose rows disagree on an attribute: (customer, [(value,
/// count, last row)]).
type Disagreeing = (u32, Vec<(u32, u32, u32)>);

struct Attr<'a> {
    values: AttrValues<'a>,
    overflow: Vec<Disagreeing>,
    abandoned: bool,
}

impl<'a> Attr<'a> {
    fn new(spec: &AttrSpec<'a>) -> Attr<'a> {
        let values = match &spec.source.data {
            ColumnData::Text(t) => AttrValues::Text {
                col: t,
                ids: HashMap::default(),
                strings: Vec::new(),
                slack: spec.slack,
            },
            ColumnData::Number(v) => AttrValues::Number {
                col: v,
                ids: HashMap::default(),
                values: Vec::new(),
            },
            ColumnData::Date(v) => AttrValues::Date(v),
        };
        Attr {
            values,
            overflow: Vec::new(),
            abandoned: false,
        }
    }

    /// The interned value of row `i`, `None` when missing.
    #[inline]
    fn key(&mut self, i: usize, customers: usize) -> Option<u32> {
        match &mut self.values {
            AttrValues::Text {
                col,
                ids,
                strings,
                slack,
            } => {
                let s = col.get(i)?;
                let k = IdKey::text(s);
                if let Some(&id) = ids.get(&k) {
                    return Some(id);
                }
                if slack.is_some_and(|sl| strings.len() >= customers + sl) {
                    self.abandoned = true;
                    return None;
                }
                let id = strings.len() as u32;
                ids.insert(k, id);
                strings.push(s);
                Some(id)
            }
            AttrValues::Number { col, ids, values } => {
                let x = col[i];
                if x.is_nan() {
                    return None;
                }
                let bits = if x == 0.0 { 0 } else { x.to_bits() };
                let next = values.len() as u32;
                let id = *ids.entry(bits).or_insert(next);
                if id == next {
                    values.push(x);
                }
                Some(id)
            }
            AttrValues::Date(v) => (v[i] != MISSING_DATE).then_some(v[i] as u32),
        }
    }

    #[inline]
    fn observe(&mut self, slot: &mut Slot, cust: u32, row: u32, v: u32) {
        if slot.count == 0 {
            *slot = Slot { value: v, count: 1 };
        } else if slot.count != MULTI && slot.value == v {
            slot.count += 1;
        } else {
            if slot.count != MULTI {
                // The first value's last row is unknown but earlier than this
                // row and than every later one, so 0 orders it exactly.
                self.overflow
                    .push((cust, vec![(slot.value, slot.count, 0)]));
                *slot = Slot {
                    value: (self.overflow.len() - 1) as u32,
                    count: MULTI,
                };
            }
            let list = &mut self.overflow[slot.value as usize].1;
            match list.iter_mut().find(|e| e.0 == v) {
                Some(e) => {
                    e.1 += 1;
                    e.2 = row;
                }
                None => list.push((v, 1, row)),
            }
        }
    }

    /// Most frequent value of a customer (ties: the value seen last).
    fn resolve(&self, slot: Slot) -> Option<u32> {
        match slot.count {
            0 => None,
            MULTI => self.overflow[slot.value as usize]
                .1
                .iter()
                .max_by_key(|e| (e.1, e.2))
                .map(|e| e.0),
            _ => Some(slot.value),
        }
    }

    fn display(&self, v: u32) -> String {
        match &self.values {
            AttrValues::Text { strings, .. } => {
                format!("'{}'", excerpt::cell(strings[v as usize]))
            }
            AttrValues::Number { values, .. } => {
                crate::pipeline::table::format_number(values[v as usize])
            }
            AttrValues::Date(_) => format_date(v as i32),
        }
    }

    /// The interned strings of a text attribute.
    fn strings(&self) -> &[&'a str] {
        match &self.values {
            AttrValues::Text { strings, .. } => strings,
            _ => &[],
        }
    }
}

/// The columns an accumulator reads.
#[derive(Clone, Copy)]
struct Inputs<'a> {
    /// Each row's value and kind (amount, invoice line, money in or out).
    reader: RowReader<'a>,
    dates: Option<&'a [i32]>,
    balance: Option<&'a [f64]>,
    /// Rows dated after this are left out (`i32::MAX`: none).
    as_of: i32,
    /// Invoice numbers, to count distinct invoices per customer.
    invoices: Option<&'a ColumnData>,
    /// Leave cancellation lines out entirely (returns policy "exclude").
    exclude_cancels: bool,
    /// Per-customer flows and invoices are kept (not the Amounts layout).
    extra: bool,
}

/// Per customer, for invoice lines and flows only.
#[derive(Clone, Copy)]
struct Extra {
    inflow: f64,
    outflow: f64,
    cancel_value: f64,
    /// Distinct purchase invoices (purchase lines without invoice numbers).
    purchases: u32,
    /// Distinct cancelled invoices (cancellation lines without numbers).
    cancels: u32,
    first_buy: i32,
    last_buy: i32,
}

const NEW_EXTRA: Extra = Extra {
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
struct KindCounts {
    purchase_lines: usize,
    cancel_lines: usize,
    excluded_cancel_lines: usize,
    cancelled_value: f64,
    inflow_rows: usize,
    outflow_rows: usize,
    unknown_rows: usize,
    first_unknown: Option<usize>,
    negative_amounts: usize,
    /// Distinct (customer, invoice) pairs with a purchase / a cancellation.
    purchase_invoices: usize,
    cancelled_invoices: usize,
}

/// One independent part of the aggregation: the customers whose id hashes to
/// it, numbered in order of first appearance.
struct Shard<'a> {
    index: HashMap<IdKey<'a>, u32, FxBuild>,
    accs: Vec<Acc>,
    /// Parallel to `accs` for invoice lines and flows; empty otherwise.
    extra: Vec<Extra>,
    /// (customer, invoice) -> 1 counted as a purchase, 2 as a cancellation.
    invoices: HashMap<(u32, IdKey<'a>), u8, FxBuild>,
    counts: KindCounts,
    /// `attrs.len()` slots per customer.
    slots: Vec<Slot>,
    attrs: Vec<Attr<'a>>,
    no_amount: usize,
    no_date: usize,
    after_as_of: usize,
}

impl<'a> Shard<'a> {
    fn new(specs: &[AttrSpec<'a>]) -> Shard<'a> {
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
    fn add(&mut self, i: usize, key: IdKey<'a>, inp: &Inputs<'a>) {
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
}

impl<'a> Shard<'a> {
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

/// Customers of all shards in order of first appearance: (first row, shard,
/// index in the shard). First rows are unique, so the order is too.
type Order = Vec<(u32, u8, u32)>;

/// One attribute's output column, customer by customer in `order`.
fn attr_column(
    shards: &[Shard<'_>],
    a: usize,
    spec: &AttrSpec<'_>,
    order: &Order,
    name: &str,
) -> Column {
    let resolve = |&(_, s, l): &(u32, u8, u32)| -> Option<(&Attr<'_>, u32)> {
        let sh = &shards[s as usize];
        let attr = &sh.attrs[a];
        attr.resolve(sh.slots[l as usize * sh.attrs.len() + a])
            .map(|v| (attr, v))
    };
    let data = match &spec.source.data {
        ColumnData::Text(_) => {
            let mut t = TextColumn::default();
            for o in order {
                match resolve(o) {
                    // Interned strings come from a table whose arena already
                    // fit, so this cannot pass 4 GiB in practice; a failure
                    // leaves the cell missing.
                    Some((attr, v)) => {
                        if !t.push(attr.strings()[v as usize]) {
                            t.push_missing();
                        }
                    }
                    None => t.push_missing(),
                }
            }
            ColumnData::Text(t)
        }
        ColumnData::Number(_) => ColumnData::Number(
            order
                .iter()
                .map(|o| {
                    resolve(o).map_or(f64::NAN, |(attr, v)| match &attr.values {
                        AttrValues::Number { values, .. } => values[v as usize],
                        _ => f64::NAN,
                    })
                })
                .collect(),
        ),
        ColumnData::Date(_) => ColumnData::Date(
            order
                .iter()
                .map(|o| resolve(o).map_or(MISSING_DATE, |(_, v)| v as i32))
                .collect(),
        ),
    };
    Column {
        name: name.to_string(),
        ctype: spec.source.ctype,
        data,
        info: ColumnInfo::default(),
    }
}

impl KindCounts {
    fn add(&mut self, o: &KindCounts) {
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

/// The customer table under construction: its columns, their mapping and
/// how each was built.
#[derive(Default)]
struct OutColumns {
    columns: Vec<Column>,
    cmap: Vec<ColumnMapping>,
    how: Vec<(String, String)>,
}

impl OutColumns {
    /// Adds `col`, renamed with `_agg` while its name is taken.
    fn add(&mut self, mut col: Column, role: Option<Role>, usage: ColumnUse, how: String) {
        while self.columns.iter().any(|c| c.name == col.name) {
            col.name.push_str("_agg");
        }
        self.cmap.push(ColumnMapping {
            column: col.name.clone(),
            ctype: col.ctype,
            role,
            confidence: 1.0,
            reason: format!("aggregated from transactions: {how}"),
            usage,
            hygiene: Default::default(),
        });
        self.how.push((col.name.clone(), how));
        self.columns.push(col);
    }
}

/// The input columns the measures come from, by name.
struct MeasureSources<'a> {
    amount: Option<&'a str>,
    quantity: Option<&'a str>,
    price: Option<&'a str>,
    /// The invoice-number column, when invoices are counted.
    invoice: Option<&'a str>,
    direction: Option<&'a str>,
    /// The columns of money in and out, when the log has one each.
    split: Option<(&'a str, &'a str)>,
}

/// `num / den`, missing when `den` is 0.
fn ratio(num: f64, den: u32) -> f64 {
    if den > 0 {
        num / f64::from(den)
    } else {
        f64::NAN
    }
}

/// Frequency and Monetary columns (and their companions) of the layout.
fn measure_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    layout: LogLayout,
    src: &MeasureSources<'_>,
) {
    let total = |a: &&Acc| if a.n_amount > 0 { a.sum } else { f64::NAN };
    match layout {
        LogLayout::Amounts => {
            out.add(
                Column::number(
                    "txn_count",
                    accs.iter().map(|a| f64::from(a.count)).collect(),
                ),
                Some(Role::TxnCount),
                ColumnUse::Feature,
                "number of transactions".into(),
            );
            if let Some(a) = src.amount {
                out.add(
                    Column::number("txn_amount_total", accs.iter().map(total).collect()),
                    Some(Role::TxnAmount),
                    ColumnUse::Feature,
                    format!("sum of '{a}'"),
                );
                out.add(
                    Column::number(
                        "txn_amount_mean",
                        accs.iter().map(|a| ratio(a.sum, a.n_amount)).collect(),
                    ),
                    None,
                    ColumnUse::Profile,
                    format!("mean of '{a}' (profile only; set it to feature to cluster on it)"),
                );
            }
        }
        LogLayout::InvoiceLines { .. } => invoice_columns(out, accs, extras, plan, src),
        LogLayout::Flows { .. } | LogLayout::SplitFlows => {
            flow_columns(out, accs, extras, plan, src)
        }
    }
}

fn invoice_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    src: &MeasureSources<'_>,
) {
    let (q, p) = (src.quantity.unwrap_or("?"), src.price.unwrap_or("?"));
    let (count_name, counted) = match src.invoice {
        Some(inv) => (
            "invoices",
            format!("distinct purchase invoices in '{inv}' (not lines)"),
        ),
        None => (
            "purchase_lines",
            "purchase lines (no invoice number is mapped)".to_string(),
        ),
    };
    out.add(
        Column::number(
            count_name,
            extras.iter().map(|e| f64::from(e.purchases)).collect(),
        ),
        Some(Role::TxnCount),
        ColumnUse::Feature,
        counted,
    );
    let net = plan.returns == ReturnsPolicy::Net;
    out.add(
        Column::number(
            "spend",
            accs.iter()
                .map(|a| if a.n_amount > 0 { a.sum } else { f64::NAN })
                .collect(),
        ),
        Some(Role::TxnAmount),
        ColumnUse::Feature,
        if net {
            format!("sum of '{q}' × '{p}', net of cancellations")
        } else {
            format!("sum of '{q}' × '{p}' over purchases (cancellations left out)")
        },
    );
    out.add(
        Column::number(
            if src.invoice.is_some() {
                "spend_per_invoice"
            } else {
                "spend_per_line"
            },
            accs.iter()
                .zip(extras)
                .map(|(a, e)| ratio(a.sum, e.purchases))
                .collect(),
        ),
        None,
        ColumnUse::Profile,
        "spend divided by the purchases counted (profile only)".into(),
    );
    if net {
        out.add(
            Column::number(
                if src.invoice.is_some() {
                    "cancelled_invoices"
                } else {
                    "cancelled_lines"
                },
                extras.iter().map(|e| f64::from(e.cancels)).collect(),
            ),
            None,
            ColumnUse::Profile,
            "cancellations (not counted as purchases; profile only)".into(),
        );
        out.add(
            Column::number(
                "returns_value",
                extras.iter().map(|e| -e.cancel_value).collect(),
            ),
            None,
            ColumnUse::Profile,
            format!(
                "value of the cancelled lines, as a positive amount of '{q}' × '{p}' (profile only)"
            ),
        );
    }
}

fn flow_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    plan: &LogPlan,
    src: &MeasureSources<'_>,
) {
    out.add(
        Column::number(
            "txn_count",
            accs.iter().map(|a| f64::from(a.count)).collect(),
        ),
        Some(Role::TxnCount),
        ColumnUse::Feature,
        "number of transactions, in and out".into(),
    );
    let amount = src.amount.unwrap_or("?");
    let by = match src.direction {
        Some(d) => format!("rows '{d}' marks as"),
        None => "rows whose amount is".to_string(),
    };
    let (in_how, out_how) = match src.split {
        Some((i, o)) => (format!("sum of '{i}'"), format!("sum of '{o}'")),
        None => (
            format!("sum of '{amount}' on {by} money in"),
            format!("sum of '{amount}' on {by} money out"),
        ),
    };
    let present = |a: &&Acc, v: f64| if a.n_amount > 0 { v } else { f64::NAN };
    let sums = [
        (
            MonetaryBasis::Inflow,
            "txn_inflow",
            in_how,
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.inflow))
                .collect::<Vec<_>>(),
        ),
        (
            MonetaryBasis::Outflow,
            "txn_outflow",
            out_how,
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.outflow))
                .collect(),
        ),
        (
            MonetaryBasis::Net,
            "txn_net",
            "money in minus money out".to_string(),
            accs.iter()
                .zip(extras)
                .map(|(a, e)| present(a, e.inflow - e.outflow))
                .collect(),
        ),
    ];
    for (basis, name, how, values) in sums {
        let monetary = basis == plan.monetary;
        out.add(
            Column::number(name, values),
            monetary.then_some(Role::TxnAmount),
            if monetary {
                ColumnUse::Feature
            } else {
                ColumnUse::Profile
            },
            if monetary {
                format!("{how} (Monetary)")
            } else {
                format!("{how} (profile only)")
            },
        );
    }
}

/// Who a log shows to be new (see [`crate::pipeline::log_tenure`]).
struct NewInLog {
    window: LogWindow,
    /// Customers the log shows to be new.
    new: usize,
    /// Dated customers it cannot tell from established ones.
    established: usize,
}

/// First and last transaction dates, and, unless the log carries an open
/// date or a tenure of its own, `new_in_log`: 1 for a customer the log
/// shows to be new, a profile column that tells new customers from
/// established ones (a log's Tenure is censored by its window, so it is
/// not built). Invoice lines use purchase dates and invoices (a customer
/// with only cancellations: any line's).
fn date_columns(
    out: &mut OutColumns,
    accs: &[&Acc],
    extras: &[&Extra],
    layout: LogLayout,
    date: &str,
    carries_tenure: bool,
) -> Option<NewInLog> {
    let fix = |d: i32| if d == i32::MAX { MISSING_DATE } else { d };
    let invoice = matches!(layout, LogLayout::InvoiceLines { .. });
    // (first, last, dated transactions) per customer.
    let (first, (last, n)): (Vec<i32>, (Vec<i32>, Vec<u32>)) = accs
        .iter()
        .enumerate()
        .map(|(i, a)| match extras.get(i) {
            Some(e) if invoice && e.last_buy != MISSING_DATE => {
                (e.first_buy, (e.last_buy, e.purchases.max(1)))
            }
            _ => (fix(a.first_date), (a.last_date, a.count)),
        })
        .unzip();
    let (first_name, last_name, what) = if invoice {
        ("first_purchase_date", "last_purchase_date", "purchase")
    } else {
        ("first_txn_date", "last_txn_date", "transaction")
    };
    let window = if carries_tenure {
        None
    } else {
        LogWindow::of(&first, &last)
    };
    let flags: Option<Vec<f64>> = window.map(|w| {
        first
            .iter()
            .zip(&n)
            .map(|(&f, &k)| match f {
                MISSING_DATE => f64::NAN,
                _ => f64::from(u8::from(w.is_new(f, k))),
            })
            .collect()
    });
    let dated = first.iter().filter(|&&f| f != MISSING_DATE).count();
    out.add(
        Column::date(first_name, first),
        None,
        ColumnUse::Ignore,
        format!("earliest '{date}' of a {what}"),
    );
    out.add(
        Column::date(last_name, last),
        Some(Role::LastDate),
        ColumnUse::Feature,
        format!("latest '{date}' of a {what}"),
    );
    let (window, flags) = (window?, flags?);
    let new = flags.iter().filter(|&&x| x == 1.0).count();
    out.add(
        Column::number(NEW_IN_LOG, flags),
        None,
        ColumnUse::Profile,
        format!(
            "1 when the log shows the customer to be new: a first {what} so late is under {:.0}% likely for a customer there from the log's first day ({}) (profile only)",
            NEW_EVIDENCE * 100.0,
            format_date(window.start)
        ),
    );
    Some(NewInLog {
        window,
        new,
        established: dated - new,
    })
}

/// The policy statement of a log without an open date.
fn tenure_statement(t: &NewInLog, what: &str, date: &str) -> String {
    format!(
        "No Tenure: the log has no account open date, and a first {what} in '{date}' is not the day \
         a customer joined; the log ({} to {}) shows {} customer{} to be new (so late a first {what} \
         would be under {:.0}% likely had they been there from its start) and cannot tell the other {} \
         from long-standing ones; '{NEW_IN_LOG}' says which, per segment",
        format_date(t.window.start),
        format_date(t.window.end),
        crate::pipeline::export::report::human(t.new as f64),
        if t.new == 1 { "" } else { "s" },
        NEW_EVIDENCE * 100.0,
        crate::pipeline::export::report::human(t.established as f64),
    )
}

/// The policy statements and counts of the report.
fn policy_report(
    plan: &LogPlan,
    layout: LogLayout,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    table: &Table,
) -> LogPolicyReport {
    let mut r = LogPolicyReport {
        plan: Some(LogPlan { layout, ..*plan }),
        purchase_lines: c.purchase_lines,
        cancel_lines: c.cancel_lines + c.excluded_cancel_lines,
        cancelled_value: c.cancelled_value,
        inflow_rows: c.inflow_rows,
        outflow_rows: c.outflow_rows,
        unknown_direction_rows: c.unknown_rows,
        purchase_invoices: c.purchase_invoices,
        cancelled_invoices: c.cancelled_invoices,
        ..LogPolicyReport::default()
    };
    let amount = src.amount.unwrap_or("?");
    match layout {
        LogLayout::Amounts => {
            r.negative_amounts = c.negative_amounts;
            if src.amount.is_some() {
                r.statements.push(format!(
                    "one amount per row: Monetary is the sum of '{amount}', Frequency the number of rows"
                ));
            }
            if c.negative_amounts > 0 {
                r.statements.push(format!(
                    "{} negative amounts (refunds or reversals) are netted into the total; \
                     under {:.0}% of the amounts are negative, so they are not read as money out \
                     (signed amounts policy '{}')",
                    c.negative_amounts,
                    txn_meaning::SIGNED_SHARE * 100.0,
                    if plan.layout == LogLayout::Amounts {
                        "auto or plain"
                    } else {
                        "plain"
                    }
                ));
            }
        }
        LogLayout::InvoiceLines { cancel_prefix } => {
            invoice_statements(&mut r, plan, c, src, cancel_prefix)
        }
        LogLayout::Flows { by_sign } => {
            flow_statements(&mut r, plan, c, src, by_sign, table);
        }
        LogLayout::SplitFlows => flow_statements(&mut r, plan, c, src, false, table),
    }
    r
}

fn invoice_statements(
    r: &mut LogPolicyReport,
    plan: &LogPlan,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    cancel_prefix: bool,
) {
    let (q, p) = (src.quantity.unwrap_or("?"), src.price.unwrap_or("?"));
    r.statements.push(format!(
        "invoice lines: Monetary is the sum of '{q}' × '{p}'{}; Frequency counts {}; \
         Recency and Tenure come from the last and first purchase",
        if plan.returns == ReturnsPolicy::Net {
            ", net of cancellations"
        } else {
            ""
        },
        match src.invoice {
            Some(inv) => format!("distinct invoices in '{inv}', not lines"),
            None => "purchase lines, as no invoice number is mapped".into(),
        }
    ));
    let marks = if cancel_prefix {
        "invoice numbers starting with C, or negative quantities"
    } else {
        "negative quantities"
    };
    let lines = c.cancel_lines + c.excluded_cancel_lines;
    let invoices = if src.invoice.is_some() {
        format!(
            " on {} invoices ({} purchase invoices counted)",
            c.cancelled_invoices, c.purchase_invoices
        )
    } else {
        String::new()
    };
    r.statements.push(match plan.returns {
        ReturnsPolicy::Net => format!(
            "cancellations ({marks}): {lines} lines{invoices} worth {:.2}, netted against spend; \
             cancelled invoices are not counted as purchases (returns policy 'net')",
            c.cancelled_value
        ),
        ReturnsPolicy::Exclude => format!(
            "cancellations ({marks}): {lines} lines left out entirely (returns policy 'exclude'){}",
            if src.invoice.is_some() {
                format!("; {} purchase invoices counted", c.purchase_invoices)
            } else {
                String::new()
            }
        ),
    });
    if let Some(a) = src.amount {
        r.statements
            .push(format!("'{a}' is not summed: Monetary is '{q}' × '{p}'"));
    }
}

fn flow_statements(
    r: &mut LogPolicyReport,
    plan: &LogPlan,
    c: &KindCounts,
    src: &MeasureSources<'_>,
    by_sign: bool,
    table: &Table,
) {
    let amount = src.amount.unwrap_or("?");
    let by = match (by_sign, src.direction, src.split) {
        (_, _, Some((i, o))) => format!("their own columns, '{i}' (in) and '{o}' (out)"),
        (false, Some(d), _) => format!("the direction in '{d}'"),
        _ => format!(
            "the sign of '{amount}' (positive: in, negative: out; signed amounts policy '{}')",
            if plan.layout == (LogLayout::Flows { by_sign: true }) {
                "auto or flows"
            } else {
                "flows"
            }
        ),
    };
    r.statements.push(format!(
        "money in and out by {by}: {} rows in, {} rows out; Monetary is {} (monetary policy '{}'), \
         never in plus out; the other sums are profile columns",
        c.inflow_rows,
        c.outflow_rows,
        match plan.monetary {
            MonetaryBasis::Inflow => "money in",
            MonetaryBasis::Outflow => "money out",
            MonetaryBasis::Net => "money in minus money out",
        },
        plan.monetary.name()
    ));
    if c.unknown_rows > 0 {
        let example = c.first_unknown.and_then(|i| {
            let col = table.column(src.direction?)?;
            Some((i, col.data.display(i)))
        });
        let what = if src.split.is_some() {
            "with an amount in both columns or in neither"
        } else {
            "whose direction reads neither in nor out"
        };
        let example = example.or_else(|| {
            let i = c.first_unknown.filter(|_| src.split.is_some())?;
            Some((i, String::new()))
        });
        r.statements.push(format!(
            "{} rows {what}{} count as transactions but in neither sum",
            c.unknown_rows,
            example
                .as_ref()
                .map_or(String::new(), |(i, v)| if v.is_empty() {
                    format!(" (e.g. {})", table.row_label(*i))
                } else {
                    format!(" (e.g. {}: '{v}')", table.row_label(*i))
                })
        ));
        r.unknown_direction_examples
            .extend(example.filter(|(_, v)| !v.is_empty()));
    }
}

/// Roles that describe the customer rather than one transaction.
const ATTRIBUTE_ROLES: [Role; 7] = [
    Role::Age,
    Role::BirthDate,
    Role::Gender,
    Role::Branch,
    Role::OpenDate,
    Role::ProductCount,
    Role::Tenure,
];

/// Decides with [`decide_input`] and aggregates when it says so; otherwise
/// returns `None` (use the table as it is).
pub fn aggregate_if_needed(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    progress: &dyn Progress,
) -> Result<(InputDecision, Option<Aggregated>)> {
    let decision = decide_input(table, mapping, opts.input)?;
    if !decision.aggregate {
        return Ok((decision, None));
    }
    let agg = aggregate_transactions(table, mapping, opts, as_of, progress)?;
    Ok((decision, Some(agg)))
}

/// Folds a transaction log into one row per customer (see the module docs).
/// `as_of` is the user's `--as-of`: later transactions are left out.
pub fn aggregate_transactions(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    progress: &dyn Progress,
) -> Result<Aggregated> {
    aggregate_with_plan(table, mapping, opts, as_of, None, progress)
}

/// [`aggregate_transactions`] reading the rows as `plan` says (a saved
/// model's), or as [`txn_meaning::plan_log`] decides from the data when
/// `plan` is `None`.
pub fn aggregate_with_plan(
    table: &Table,
    mapping: &Mapping,
    opts: &AggregateOptions,
    as_of: Option<IsoDate>,
    plan: Option<LogPlan>,
    progress: &dyn Progress,
) -> Result<Aggregated> {
    let file = table.source.file_name();
    let Some(id_col) = mapping
        .column_for(Role::CustomerId)
        .and_then(|c| table.column(c))
    else {
        return Err(Error::Setting {
            setting: Remedy::InputKind {
                kind: "transactions".into(),
            },
            message: format!("{file}: aggregating transactions needs a customer id column"),
            remedy: Some(Box::new(id_remedy())),
        });
    };
    if table.n_rows > u32::MAX as usize - 2 {
        return Err(Error::data(format!(
            "{file}: {} rows is more than this version can aggregate (4 billion)",
            table.n_rows
        )));
    }
    let role_col = |role: Role| -> Option<&Column> {
        mapping
            .column_for(role)
            .and_then(|c| table.column(c))
            .filter(|c| mapping.usage_of(&c.name) != ColumnUse::Ignore || role == Role::TxnDate)
    };
    let plan = plan.unwrap_or_else(|| txn_meaning::plan_log(table, mapping, opts.plan_options()));
    let reader = RowReader::new(table, mapping, &plan, &opts.direction_words);
    let layout = reader.layout();
    let amount_col =
        role_col(Role::TxnAmount).filter(|_| !matches!(layout, LogLayout::InvoiceLines { .. }));
    let amount_name = amount_col.map(|c| c.name.clone());
    let date_col = role_col(Role::TxnDate).or_else(|| role_col(Role::LastDate));
    let dates = date_col.and_then(|c| c.dates());
    let balance_col = role_col(Role::Balance);
    let balance = balance_col.and_then(|c| c.numbers());

    let mut report = AggregateReport {
        transactions_in: table.n_rows,
        as_of: as_of.filter(|_| dates.is_some()),
        ..AggregateReport::default()
    };
    if as_of.is_some() && dates.is_none() {
        report.warnings.push(
            "no transaction date column is mapped, so transactions cannot be cut at the as-of date"
                .into(),
        );
    }

    // Which columns are carried as attributes.
    let mut specs: Vec<AttrSpec<'_>> = Vec::new();
    let used: Vec<&str> = [Some(id_col), balance_col, date_col]
        .into_iter()
        .flatten()
        .map(|c| c.name.as_str())
        .chain(amount_name.as_deref())
        .collect();
    for col in &table.columns {
        if used.contains(&col.name.as_str()) {
            continue;
        }
        let cm = mapping.columns.iter().find(|c| c.column == col.name);
        let role = cm.and_then(|c| c.role);
        let usage = cm.map_or(ColumnUse::Ignore, |c| c.usage);
        let is_attr_role = role.is_some_and(|r| ATTRIBUTE_ROLES.contains(&r));
        let carry = if is_attr_role {
            true
        } else if let Some(r) = role {
            report.not_carried.push((
                col.name.clone(),
                format!(
                    "mapped as {}, which is per transaction; the aggregates replace it",
                    r.label()
                ),
            ));
            false
        } else if col.ctype == ColumnType::Text && usage != ColumnUse::Ignore {
            true
        } else {
            report.not_carried.push((
                col.name.clone(),
                if usage == ColumnUse::Ignore {
                    "marked 'ignore' in the mapping".to_string()
                } else {
                    format!(
                        "an unmapped {} column is taken as a per-transaction value; map it to a role to carry it",
                        col.ctype.name()
                    )
                },
            ));
            false
        };
        if !carry {
            continue;
        }
        specs.push(AttrSpec {
            source: col,
            mapping: cm,
            slack: (!is_attr_role).then_some(opts.max_attribute_levels),
        });
    }

    // The pass over the transactions, in chunks. Each row goes to one of
    // SHARDS independent aggregators by the hash of its id, and the shards of
    // a chunk run in parallel. SHARDS is fixed, so the result does not depend
    // on the number of threads. The chunk buffers are the only per-row memory.
    const SHARDS: usize = 16;
    const NO_ID: u8 = u8::MAX;
    const CHUNK: usize = 1 << 18;
    let keys = IdKeys::new(&id_col.data);
    let inputs = Inputs {
        reader,
        dates,
        balance,
        as_of: report.as_of.map_or(i32::MAX, |d| d.0),
        invoices: reader.invoices(),
        exclude_cancels: plan.returns == ReturnsPolicy::Exclude,
        extra: layout != LogLayout::Amounts,
    };
    let mut first_without_id: Option<usize> = None;
    let build = FxBuild::default();
    let mut shards: Vec<Shard<'_>> = (0..SHARDS).map(|_| Shard::new(&specs)).collect();
    let n = table.n_rows;
    let mut shard_of = vec![0u8; CHUNK.min(n)];
    let mut rows = vec![0u32; CHUNK.min(n)];
    for start in (0..n).step_by(CHUNK) {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        progress.report(
            start as f64 / n.max(1) as f64,
            &format!("aggregating transactions: {start} of {n} rows"),
        );
        let end = (start + CHUNK).min(n);
        let len = end - start;
        shard_of[..len]
            .par_iter_mut()
            .with_min_len(1 << 12)
            .enumerate()
            .for_each(|(j, s)| {
                *s = keys.key(start + j).map_or(NO_ID, |k| {
                    ((build.hash_one(k) >> 32) as usize % SHARDS) as u8
                });
            });
        // Counting sort of the chunk's rows by shard, in row order.
        let mut offs = [0usize; SHARDS + 1];
        for (j, &s) in shard_of[..len].iter().enumerate() {
            if s == NO_ID {
                first_without_id.get_or_insert(start + j);
                report.rows_without_id += 1;
            } else {
                offs[s as usize + 1] += 1;
            }
        }
        for s in 0..SHARDS {
            offs[s + 1] += offs[s];
        }
        let mut next = offs;
        for (j, &s) in shard_of[..len].iter().enumerate() {
            if s != NO_ID {
                rows[next[s as usize]] = j as u32;
                next[s as usize] += 1;
            }
        }
        let rows = &rows;
        shards.par_iter_mut().enumerate().for_each(|(s, sh)| {
            for &j in &rows[offs[s]..offs[s + 1]] {
                let i = start + j as usize;
                if let Some(k) = keys.key(i) {
                    sh.add(i, k, &inputs);
                }
            }
        });
    }
    let mut counts = KindCounts::default();
    for sh in shards.iter_mut() {
        sh.index = HashMap::default();
        sh.invoices = HashMap::default();
        counts.add(&sh.counts);
        report.rows_without_amount += sh.no_amount;
        report.rows_without_date += sh.no_date;
        report.rows_after_as_of += sh.after_as_of;
    }
    if let Some(row) = first_without_id {
        report.warnings.push(format!(
            "{} transaction{} without a customer id in '{}' left out (the first on {})",
            report.rows_without_id,
            if report.rows_without_id == 1 { "" } else { "s" },
            id_col.name,
            table.row_label(row)
        ));
    }
    if let Some(d) = report.as_of
        && report.rows_after_as_of > 0
    {
        report.warnings.push(format!(
            "{} transaction{} dated after the as-of date {d} left out",
            report.rows_after_as_of,
            if report.rows_after_as_of == 1 {
                ""
            } else {
                "s"
            },
        ));
    }
    // Values the loader could not read are missing here; say which.
    let sources = [date_col, balance_col, amount_col]
        .into_iter()
        .flatten()
        .chain(specs.iter().map(|s| s.source));
    for col in sources {
        if col.info.unparsed == 0 {
            continue;
        }
        let examples: Vec<String> = col
            .info
            .unparsed_examples
            .iter()
            .take(3)
            .map(|(row, raw)| format!("{}: '{}'", table.row_label(*row), excerpt::cell(raw)))
            .collect();
        report.warnings.push(format!(
            "'{}': {} value{} could not be read as {} and count as missing: {}",
            col.name,
            col.info.unparsed,
            if col.info.unparsed == 1 { "" } else { "s" },
            match col.ctype {
                ColumnType::Date => "dates",
                _ => "numbers",
            },
            examples.join(", ")
        ));
    }
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
    let accs: Vec<&Acc> = order
        .iter()
        .map(|&(_, s, l)| &shards[s as usize].accs[l as usize])
        .collect();
    let customers = accs.len();
    report.customers_out = customers;
    if customers == 0
        && let Some(d) = report.as_of
        && report.rows_after_as_of > 0
    {
        return Err(Error::Setting {
            setting: Remedy::AsOf {
                date: Some(d.to_string()),
            },
            message: format!("{file}: every dated transaction is after the as-of date {d}"),
            remedy: Some(Box::new(Remedy::AsOf { date: None })),
        });
    }
    if customers == 0 {
        return Err(Error::data(format!(
            "{file}: no row has a customer id in '{}', so there is nothing to aggregate",
            id_col.name
        )));
    }
    progress.report(1.0, "building the customer table");

    // Output columns.
    let mut out = OutColumns::default();
    let id_data = match &id_col.data {
        ColumnData::Text(t) => {
            let mut out = TextColumn::with_capacity(customers, 0);
            for a in &accs {
                if !out.push(t.raw(a.first_row as usize)) {
                    return Err(Error::data("customer ids exceed 4 GiB of text"));
                }
            }
            ColumnData::Text(out)
        }
        ColumnData::Number(v) => {
            ColumnData::Number(accs.iter().map(|a| v[a.first_row as usize]).collect())
        }
        ColumnData::Date(v) => {
            ColumnData::Date(accs.iter().map(|a| v[a.first_row as usize]).collect())
        }
    };
    let mut id_out = Column {
        name: id_col.name.clone(),
        ctype: id_col.ctype,
        data: id_data,
        info: ColumnInfo::default(),
    };
    id_out
        .info
        .notes
        .push("one row per customer, in order of first appearance".into());
    out.add(
        id_out,
        Some(Role::CustomerId),
        mapping.usage_of(&id_col.name),
        format!("customer id from '{}'", id_col.name),
    );
    let extras: Vec<&Extra> = if inputs.extra {
        order
            .iter()
            .map(|&(_, s, l)| &shards[s as usize].extra[l as usize])
            .collect()
    } else {
        Vec::new()
    };
    let sources = MeasureSources {
        amount: amount_name.as_deref(),
        quantity: role_col(Role::Quantity).map(|c| c.name.as_str()),
        price: role_col(Role::UnitPrice).map(|c| c.name.as_str()),
        invoice: reader.invoices().and(mapping.column_for(Role::TxnId)),
        direction: role_col(Role::Direction).map(|c| c.name.as_str()),
        split: (layout == LogLayout::SplitFlows)
            .then(|| {
                let name = |r| role_col(r).map(|c: &Column| c.name.as_str());
                name(Role::TxnInflow).zip(name(Role::TxnOutflow))
            })
            .flatten(),
    };
    measure_columns(&mut out, &accs, &extras, &plan, layout, &sources);
    if sources.invoice.is_some() {
        counts.purchase_invoices = extras.iter().map(|e| e.purchases as usize).sum();
        counts.cancelled_invoices = extras.iter().map(|e| e.cancels as usize).sum();
    }
    report.policy = policy_report(&plan, layout, &counts, &sources, table);
    if !reader.has_amount() {
        report.warnings.push(
            "no transaction amount column is mapped: no total or mean amount (Monetary cannot be built)"
                .into(),
        );
    }
    if let Some(dc) = date_col {
        let carries_tenure = specs.iter().any(|s| {
            s.mapping
                .and_then(|m| m.role)
                .is_some_and(|r| matches!(r, Role::OpenDate | Role::Tenure))
        });
        let what = if matches!(layout, LogLayout::InvoiceLines { .. }) {
            "purchase"
        } else {
            "transaction"
        };
        if let Some(t) = date_columns(&mut out, &accs, &extras, layout, &dc.name, carries_tenure) {
            report
                .policy
                .statements
                .push(tenure_statement(&t, what, &dc.name));
        }
    } else {
        report.warnings.push(
            "no transaction date column is mapped: no first/last dates (Recency cannot be built)"
                .into(),
        );
    }
    if let Some(bc) = balance_col {
        out.add(
            Column::number("last_balance", accs.iter().map(|a| a.balance).collect()),
            Some(Role::Balance),
            ColumnUse::Feature,
            format!("'{}' on the customer's latest transaction", bc.name),
        );
    }
    let multi_row = accs.iter().filter(|a| a.count >= 2).count();
    for (a, spec) in specs.iter().enumerate() {
        let name = spec.source.name.clone();
        let abandoned = shards.iter().any(|sh| sh.attrs[a].abandoned);
        let levels = if spec.slack.is_some() {
            shards
                .iter()
                .flat_map(|sh| sh.attrs[a].strings().iter().copied())
                .collect::<std::collections::HashSet<&str>>()
                .len()
        } else {
            0
        };
        if abandoned || levels > customers {
            report.not_carried.push((
                name,
                format!(
                    "more distinct values than customers ({customers}): a per-transaction \
                     column (e.g. a transaction id), not a customer attribute"
                ),
            ));
            continue;
        }
        let disagreeing: usize = shards.iter().map(|sh| sh.attrs[a].overflow.len()).sum();
        if spec.slack.is_some() && disagreeing * 2 > multi_row && multi_row >= 10 {
            // A product, description or channel varies within a customer.
            report.not_carried.push((
                name,
                format!(
                    "differs between the rows of {disagreeing} of the {multi_row} customers \
                     with several rows: a per-transaction column, not a customer attribute"
                ),
            ));
            continue;
        }
        // The example: the disagreeing customer that appears first.
        let first = shards
            .iter()
            .enumerate()
            .flat_map(|(s, sh)| {
                sh.attrs[a]
                    .overflow
                    .iter()
                    .map(move |(l, list)| (sh.accs[*l as usize].first_row, s, *l, list))
            })
            .min_by_key(|e| e.0);
        if let Some((first_row, s, l, list)) = first {
            let sh = &shards[s];
            let attr = &sh.attrs[a];
            let display = |v: u32| attr.display(v);
            let mut parts: Vec<String> = list
                .iter()
                .map(|e| format!("{} x{}", display(e.0), e.1))
                .collect();
            parts.truncate(4);
            let chosen = attr
                .resolve(sh.slots[l as usize * sh.attrs.len() + a])
                .map_or(String::new(), display);
            report.disagreements.push(Disagreement {
                column: name.clone(),
                customers: disagreeing,
                example: format!(
                    "{}: {} -> {chosen}",
                    id_col.data.display(first_row as usize),
                    parts.join(", ")
                ),
            });
        }
        let role = spec.mapping.and_then(|m| m.role);
        let usage = spec.mapping.map_or(ColumnUse::Profile, |m| m.usage);
        let col = attr_column(&shards, a, spec, &order, &name);
        out.add(
            col,
            role,
            usage,
            format!("customer attribute '{name}': most frequent value per customer"),
        );
        // What the hygiene rules found in the log holds for the attribute.
        if let (Some(last), Some(m)) = (out.cmap.last_mut(), spec.mapping) {
            last.hygiene = m.hygiene.clone();
        }
    }
    report.columns = std::mem::take(&mut out.how);

    let row_origin = accs
        .iter()
        .map(|a| {
            table
                .row_origin
                .get(a.first_row as usize)
                .copied()
                .unwrap_or(a.first_row + 2)
        })
        .collect();
    drop(accs);
    let mut source = table.source.clone();
    source.warnings.push(format!(
        "aggregated {} transactions into {} customers; a customer's line is that of their first transaction",
        table.n_rows, customers
    ));
    let table_out = Table {
        columns: out.columns,
        n_rows: customers,
        row_origin,
        source,
    };
    let mut notes = mapping.notes.clone();
    notes.push(Notice::new(format!(
        "columns rebuilt by aggregating {} transactions",
        table.n_rows
    )));
    Ok(Aggregated {
        table: table_out,
        mapping: Mapping {
            columns: out.cmap,
            notes,
            id: mapping.id.clone(),
        },
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mapping::{MappingOptions, map_columns};
    use crate::pipeline::progress::NoProgress;
    use crate::pipeline::table::SourceInfo;
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

    #[test]
    fn input_kind_parses() {
        assert_eq!(
            "Transactions".parse::<InputKind>(),
            Ok(InputKind::Transactions)
        );
        assert!("rows".parse::<InputKind>().is_err());
    }

    #[test]
    fn numeric_ids_and_no_amount() {
        let t = Table::new(
            vec![
                Column::number("CustomerID", vec![7.0, 8.0, 7.0, -0.0, 0.0]),
                Column::text(
                    "Gender",
                    TextColumn::from_values([Some("M"), Some("F"), Some("M"), None, Some("F")]),
                ),
            ],
            SourceInfo::default(),
        );
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        let a = aggregate_transactions(&t, &m, &AggregateOptions::default(), None, &NoProgress)
            .unwrap();
        assert_eq!(a.table.n_rows, 3);
        assert_eq!(
            a.table.column("CustomerID").unwrap().numbers().unwrap(),
            &[7.0, 8.0, -0.0]
        );
        assert_eq!(
            a.table.column("txn_count").unwrap().numbers().unwrap(),
            &[2.0, 1.0, 2.0]
        );
        assert_eq!(a.table.row_origin, vec![2, 3, 5]);
        assert!(
            a.report
                .warnings
                .iter()
                .any(|w| w.contains("no transaction amount"))
        );
        let g = a.table.column("Gender").unwrap().texts().unwrap();
        assert_eq!(g.get(2), Some("F"));
    }
}
