//! What the rows of a transaction log mean, before they are summed per
//! customer: plain amounts, retail invoice lines (quantity × unit price,
//! invoices, cancellations) or money flowing in and out (a debit/credit
//! column, or signed amounts).
//!
//! The layout is read from the mapping and the data once ([`plan_log`]) and
//! kept in the aggregation report and the saved model, so scoring a later
//! file reads its rows exactly as training did. The policies are options:
//!
//! - `returns` (invoice lines): `net` (default) nets cancellations against
//!   spend and does not count cancelled invoices as purchases; `exclude`
//!   leaves cancellation lines out entirely (gross spend).
//! - `monetary` (flows): which sum is Monetary: `inflow` (default: money the
//!   customer brings in), `outflow` or `net`. The other two are kept as
//!   profile columns. Monetary is never inflow plus outflow.
//! - `signed_amounts`: `auto` (default) reads amounts as flows when at least
//!   10% of them are negative and 10% positive (a ledger); fewer negatives
//!   are refunds or reversals, netted into the total. `flows` and `plain`
//!   force either reading.

use crate::pipeline::mapping::{ColumnUse, Mapping, Role};
use crate::pipeline::table::{Column, ColumnData, Table};
use crate::remedy::{Notice, Remedy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Money in or out of the customer's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    In,
    Out,
}

/// Reads a direction cell: credit/debit, CR/DR, C/D, deposit/withdrawal,
/// in/out, 收入/支出, 存入/支取, 贷/借 (traditional 貸, 轉入 ... too) ...
/// `None` when it says neither.
pub fn classify_direction(cell: &str) -> Option<Flow> {
    // Lower-case letters and digits only, so "Cash-In" and "CASH_IN" meet;
    // traditional characters folded, so a Big5 file's 貸 is 贷.
    let mut buf = [0u8; 24];
    let mut len = 0;
    for c in cell.chars().filter(|c| c.is_alphanumeric()) {
        let c = crate::pipeline::hanzi::fold_traditional(c.to_ascii_lowercase());
        let mut tmp = [0u8; 4];
        let s = c.encode_utf8(&mut tmp).as_bytes();
        if len + s.len() > buf.len() {
            return None;
        }
        buf[len..len + s.len()].copy_from_slice(s);
        len += s.len();
    }
    match std::str::from_utf8(&buf[..len]).ok()? {
        "c" | "cr" | "credit" | "credits" | "credited" | "deposit" | "deposits" | "dep" | "in"
        | "inflow" | "incoming" | "income" | "received" | "receipt" | "cashin" | "transferin"
        | "收入" | "存入" | "收" | "贷" | "贷方" | "转入" | "入账" | "入" | "存款" | "收款"
        | "进账" | "来账" => Some(Flow::In),
        "d" | "dr" | "db" | "debit" | "debits" | "debited" | "withdrawal" | "withdrawals"
        | "withdraw" | "wd" | "out" | "outflow" | "outgoing" | "expense" | "payment"
        | "cashout" | "transferout" | "支出" | "支取" | "取款" | "付" | "借" | "借方" | "转出"
        | "出账" | "出" | "付款" | "消费" | "往账" => Some(Flow::Out),
        _ => None,
    }
}

/// The user's own words for money in and out (`--inflow-values`,
/// `--outflow-values`), read before the built-in ones; compared trimmed and
/// case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectionWords {
    pub inflow: Vec<String>,
    pub outflow: Vec<String>,
}

impl DirectionWords {
    #[inline]
    pub fn classify(&self, cell: &str) -> Option<Flow> {
        if !(self.inflow.is_empty() && self.outflow.is_empty()) {
            let c = cell.trim();
            if self.inflow.iter().any(|w| w.trim().eq_ignore_ascii_case(c)) {
                return Some(Flow::In);
            }
            if self
                .outflow
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(c))
            {
                return Some(Flow::Out);
            }
        }
        classify_direction(cell)
    }
}

/// A note for a log whose column is named like a direction but whose few
/// values are not all read as money in or out (PRIJEM / VYDAJ, or a code
/// custseg does not know beside one it does): the column is not used, so
/// its amounts are summed whatever their direction, and the user should
/// know which values were not read.
pub fn unread_direction_note(col: &Column) -> Option<Notice> {
    let t = col.texts()?;
    let mut values: Vec<&str> = Vec::new();
    for v in t.iter().flatten().take(5000) {
        if !values.contains(&v) {
            values.push(v);
            if values.len() > 12 {
                return None;
            }
        }
    }
    let (share, _) = direction_share(col);
    if values.len() < 2 || share >= DIRECTION_SHARE {
        return None;
    }
    let quoted = |vs: &[&&str]| -> String {
        let shown: Vec<String> = vs.iter().take(4).map(|v| format!("'{v}'")).collect();
        shown.join(", ")
    };
    let unread: Vec<&&str> = values
        .iter()
        .filter(|v| classify_direction(v).is_none())
        .collect();
    let what = if unread.len() == values.len() {
        format!(
            "its values ({}) are not read as money in or out",
            quoted(&unread)
        )
    } else {
        format!(
            "only {:.0}% of its values read as money in or out ({} not), so it is not used",
            share * 100.0,
            quoted(&unread)
        )
    };
    let text = format!(
        "'{}' is named like a debit/credit direction, but {what}, so the amounts are summed \
         whatever their direction; if it says in or out, give it the direction role and name its \
         values",
        col.name
    );
    Some(
        Notice::new(text)
            .about(&col.name)
            .remedy(Remedy::DirectionValues {
                column: col.name.clone(),
            }),
    )
}

/// Share of a column's values that must read as in or out for it to be
/// taken as the direction.
pub const DIRECTION_SHARE: f64 = 0.8;

/// Share of a text column's present values (the first 5,000) that read as a
/// direction, and whether both directions occur.
pub fn direction_share(col: &Column) -> (f64, bool) {
    let Some(t) = col.texts() else {
        return (0.0, false);
    };
    let (mut seen, mut ins, mut outs) = (0usize, 0usize, 0usize);
    for v in t.iter().flatten().take(5000) {
        seen += 1;
        match classify_direction(v) {
            Some(Flow::In) => ins += 1,
            Some(Flow::Out) => outs += 1,
            None => {}
        }
    }
    if seen == 0 {
        return (0.0, false);
    }
    ((ins + outs) as f64 / seen as f64, ins > 0 && outs > 0)
}

// ---------------------------------------------------------------------------
// Policies (options)
// ---------------------------------------------------------------------------

macro_rules! option_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $v,)+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                let k = s.trim().to_ascii_lowercase();
                $name::ALL.iter().copied().find(|v| v.name() == k).ok_or_else(|| {
                    format!(
                        "unknown value '{s}' (use {})",
                        $name::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
                    )
                })
            }
        }
    };
}

option_enum!(
    /// Cancelled invoice lines (`--returns`).
    ReturnsPolicy {
        /// Net spend: cancellations subtract; cancelled invoices are not purchases.
        #[default]
        Net => "net",
        /// Cancellation lines are left out entirely (gross spend).
        Exclude => "exclude",
    }
);

option_enum!(
    /// Which sum of a debit/credit log is Monetary (`--monetary`).
    MonetaryBasis {
        #[default]
        Inflow => "inflow",
        Outflow => "outflow",
        Net => "net",
    }
);

option_enum!(
    /// How negative amounts without a direction column are read (`--signed-amounts`).
    SignedAmounts {
        /// Flows when at least 10% of the amounts are negative and 10% positive.
        #[default]
        Auto => "auto",
        /// Positive = money in, negative = money out.
        Flows => "flows",
        /// One amount per row, summed (negatives net against the rest).
        Plain => "plain",
    }
);

/// Share of negative (and of positive) amounts above which signed amounts
/// are a ledger of money in and out rather than purchases with refunds.
pub const SIGNED_SHARE: f64 = 0.10;

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

/// How the rows of a log are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogLayout {
    /// One amount per row, summed per customer.
    Amounts,
    /// Retail invoice lines: value = quantity × unit price; Frequency counts
    /// invoices (or lines when there is no invoice number). `cancel_prefix`:
    /// invoice numbers starting with C (C536379) mark cancellations here.
    InvoiceLines { cancel_prefix: bool },
    /// Money in and out: from a direction column, or from the amount's sign.
    Flows { by_sign: bool },
    /// Money in and out in two columns of their own (`Credit Amount` /
    /// `Debit Amount`, `Deposits` / `Withdrawals`): a row's amount is in the
    /// one that holds it.
    SplitFlows,
}

/// The resolved reading of a log, saved with the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPlan {
    pub layout: LogLayout,
    pub returns: ReturnsPolicy,
    pub monetary: MonetaryBasis,
}

/// The options a plan is made from (part of `AggregateOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    pub returns: ReturnsPolicy,
    pub monetary: MonetaryBasis,
    pub signed_amounts: SignedAmounts,
}

/// A role's column, unless it is marked "ignore".
fn usable<'a>(table: &'a Table, mapping: &Mapping, role: Role) -> Option<&'a Column> {
    mapping
        .column_for(role)
        .and_then(|c| table.column(c))
        .filter(|c| mapping.usage_of(&c.name) != ColumnUse::Ignore || role == Role::TxnId)
}

/// Decides how the log's rows are read (see the module docs).
pub fn plan_log(table: &Table, mapping: &Mapping, opts: PlanOptions) -> LogPlan {
    let plan = |layout| LogPlan {
        layout,
        returns: opts.returns,
        monetary: opts.monetary,
    };
    let qty = usable(table, mapping, Role::Quantity).and_then(|c| c.numbers());
    let price = usable(table, mapping, Role::UnitPrice).and_then(|c| c.numbers());
    if qty.is_some() && price.is_some() {
        let cancel_prefix = mapping
            .column_for(Role::TxnId)
            .and_then(|c| table.column(c))
            .is_some_and(cancel_prefix_in_use);
        return plan(LogLayout::InvoiceLines { cancel_prefix });
    }
    let inflow = usable(table, mapping, Role::TxnInflow).and_then(|c| c.numbers());
    let outflow = usable(table, mapping, Role::TxnOutflow).and_then(|c| c.numbers());
    if inflow.is_some() && outflow.is_some() {
        return plan(LogLayout::SplitFlows);
    }
    let amount = usable(table, mapping, Role::TxnAmount).and_then(|c| c.numbers());
    let Some(amount) = amount else {
        return plan(LogLayout::Amounts);
    };
    if usable(table, mapping, Role::Direction).is_some() {
        return plan(LogLayout::Flows { by_sign: false });
    }
    let signed = match opts.signed_amounts {
        SignedAmounts::Flows => true,
        SignedAmounts::Plain => false,
        SignedAmounts::Auto => {
            let (neg, pos) = signs(amount);
            let all = (neg + pos).max(1) as f64;
            neg as f64 >= SIGNED_SHARE * all && pos as f64 >= SIGNED_SHARE * all
        }
    };
    plan(if signed {
        LogLayout::Flows { by_sign: true }
    } else {
        LogLayout::Amounts
    })
}

/// (negative, positive) finite amounts.
pub fn signs(amount: &[f64]) -> (usize, usize) {
    amount.iter().fold((0, 0), |(n, p), &x| {
        (n + (x < 0.0) as usize, p + (x > 0.0) as usize)
    })
}

/// Whether invoice numbers starting with C followed by a digit occur and
/// are the exception (under half of them), as cancellations are.
fn cancel_prefix_in_use(col: &Column) -> bool {
    let ColumnData::Text(t) = &*col.data else {
        return false;
    };
    let (mut seen, mut c) = (0usize, 0usize);
    for v in t.iter().flatten().take(200_000) {
        seen += 1;
        c += is_cancel_number(v) as usize;
    }
    c > 0 && c * 2 < seen
}

/// "C536379": a C and then a digit.
#[inline]
pub fn is_cancel_number(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 2 && (b[0] == b'C' || b[0] == b'c') && b[1].is_ascii_digit()
}

// ---------------------------------------------------------------------------
// Reading one row
// ---------------------------------------------------------------------------

/// What one row is, for the sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// An amount (Amounts layout).
    Plain,
    Purchase,
    Cancel,
    In,
    Out,
    /// A flow whose direction cell says neither in nor out (or is empty);
    /// in two columns, a row with an amount in both or in neither.
    Unknown,
}

/// The columns a plan reads, borrowed from the table.
#[derive(Clone, Copy)]
pub enum RowReader<'a> {
    Amounts(Option<&'a [f64]>),
    Invoice {
        qty: &'a [f64],
        price: &'a [f64],
        invoice: Option<&'a ColumnData>,
        cancel_prefix: bool,
    },
    SignedFlows(&'a [f64]),
    DirectedFlows {
        amount: &'a [f64],
        direction: &'a crate::pipeline::table::TextColumn,
        words: &'a DirectionWords,
    },
    SplitFlows {
        inflow: &'a [f64],
        outflow: &'a [f64],
    },
}

impl<'a> RowReader<'a> {
    pub fn new(
        table: &'a Table,
        mapping: &Mapping,
        plan: &LogPlan,
        words: &'a DirectionWords,
    ) -> RowReader<'a> {
        let nums = |r| usable(table, mapping, r).and_then(|c: &Column| c.numbers());
        let amount = nums(Role::TxnAmount);
        match plan.layout {
            LogLayout::InvoiceLines { cancel_prefix } => {
                match (nums(Role::Quantity), nums(Role::UnitPrice)) {
                    (Some(qty), Some(price)) => RowReader::Invoice {
                        qty,
                        price,
                        invoice: mapping
                            .column_for(Role::TxnId)
                            .and_then(|c| table.column(c))
                            .map(|c| &*c.data),
                        cancel_prefix,
                    },
                    _ => RowReader::Amounts(amount),
                }
            }
            LogLayout::Flows { by_sign: true } => {
                amount.map_or(RowReader::Amounts(None), RowReader::SignedFlows)
            }
            LogLayout::Flows { by_sign: false } => {
                let direction = usable(table, mapping, Role::Direction).and_then(|c| c.texts());
                match (amount, direction) {
                    (Some(amount), Some(direction)) => RowReader::DirectedFlows {
                        amount,
                        direction,
                        words,
                    },
                    (amount, _) => RowReader::Amounts(amount),
                }
            }
            LogLayout::SplitFlows => match (nums(Role::TxnInflow), nums(Role::TxnOutflow)) {
                (Some(inflow), Some(outflow)) => RowReader::SplitFlows { inflow, outflow },
                _ => RowReader::Amounts(amount),
            },
            LogLayout::Amounts => RowReader::Amounts(amount),
        }
    }

    /// The layout actually read (a plan whose columns are missing falls back
    /// to amounts).
    pub fn layout(&self) -> LogLayout {
        match self {
            RowReader::Amounts(_) => LogLayout::Amounts,
            RowReader::Invoice { cancel_prefix, .. } => LogLayout::InvoiceLines {
                cancel_prefix: *cancel_prefix,
            },
            RowReader::SignedFlows(_) => LogLayout::Flows { by_sign: true },
            RowReader::DirectedFlows { .. } => LogLayout::Flows { by_sign: false },
            RowReader::SplitFlows { .. } => LogLayout::SplitFlows,
        }
    }

    pub fn has_amount(&self) -> bool {
        !matches!(self, RowReader::Amounts(None))
    }

    /// Row `i`: its value (NaN when missing; flows are magnitudes) and kind.
    #[inline]
    pub fn row(&self, i: usize) -> (f64, RowKind) {
        match *self {
            RowReader::Amounts(a) => (a.map_or(f64::NAN, |a| a[i]), RowKind::Plain),
            RowReader::Invoice {
                qty,
                price,
                invoice,
                cancel_prefix,
            } => {
                let q = qty[i];
                let cancelled = q < 0.0
                    || (cancel_prefix
                        && matches!(invoice, Some(ColumnData::Text(t)) if t.get(i).is_some_and(is_cancel_number)));
                (
                    q * price[i],
                    if cancelled {
                        RowKind::Cancel
                    } else {
                        RowKind::Purchase
                    },
                )
            }
            RowReader::SignedFlows(a) => {
                let x = a[i];
                (x.abs(), if x < 0.0 { RowKind::Out } else { RowKind::In })
            }
            RowReader::DirectedFlows {
                amount,
                direction,
                words,
            } => {
                let kind = match direction.get(i).and_then(|v| words.classify(v)) {
                    Some(Flow::In) => RowKind::In,
                    Some(Flow::Out) => RowKind::Out,
                    None => RowKind::Unknown,
                };
                (amount[i].abs(), kind)
            }
            RowReader::SplitFlows { inflow, outflow } => split_row(inflow[i], outflow[i]),
        }
    }

    /// The invoice number column, for counting distinct invoices.
    pub fn invoices(&self) -> Option<&'a ColumnData> {
        match self {
            RowReader::Invoice { invoice, .. } => *invoice,
            _ => None,
        }
    }
}

/// A row of two amount columns: money in when only the in column holds an
/// amount (0 and empty cells hold none), money out when only the out
/// column does; magnitudes, as some exports write debits negative.
#[inline]
fn split_row(inflow: f64, outflow: f64) -> (f64, RowKind) {
    let held = |x: f64| x.is_finite() && x != 0.0;
    match (held(inflow), held(outflow)) {
        (true, false) => (inflow.abs(), RowKind::In),
        (false, true) => (outflow.abs(), RowKind::Out),
        (true, true) => (f64::NAN, RowKind::Unknown),
        (false, false) => {
            let zero = inflow == 0.0 || outflow == 0.0;
            (if zero { 0.0 } else { f64::NAN }, RowKind::Unknown)
        }
    }
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

/// The plan as applied, with counts, for the aggregation report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogPolicyReport {
    /// The plan (`None` in reports written before plans existed).
    pub plan: Option<LogPlan>,
    /// One sentence per policy, for every face.
    pub statements: Vec<String>,
    pub purchase_lines: usize,
    pub cancel_lines: usize,
    /// Distinct invoices with a purchase / with a cancellation.
    pub purchase_invoices: usize,
    pub cancelled_invoices: usize,
    /// Sum of quantity × price over cancellation lines (negative).
    pub cancelled_value: f64,
    pub inflow_rows: usize,
    pub outflow_rows: usize,
    pub unknown_direction_rows: usize,
    /// The first direction cells that said neither in nor out: (row, value).
    pub unknown_direction_examples: Vec<(usize, String)>,
    pub inflow_total: f64,
    pub outflow_total: f64,
    /// Negative amounts summed into the total (Amounts layout).
    pub negative_amounts: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_read_in_english_and_chinese() {
        for s in [
            "Credit",
            "CR",
            "c",
            "Deposit",
            "IN",
            "收入",
            "存入",
            "贷",
            "貸",
            "貸方",
            "轉入",
            "Cash-In",
            " transfer in ",
        ] {
            assert_eq!(classify_direction(s), Some(Flow::In), "{s}");
        }
        for s in [
            "DEBIT",
            "Dr",
            "D",
            "withdrawal",
            "out",
            "支出",
            "支取",
            "借",
            "轉出",
            "消費",
            "CASH_OUT",
            "Payment",
        ] {
            assert_eq!(classify_direction(s), Some(Flow::Out), "{s}");
        }
        for s in ["TRANSFER", "savings", "", "x", "PRIJEM"] {
            assert_eq!(classify_direction(s), None, "{s}");
        }
    }

    #[test]
    fn policies_parse_and_name_themselves() {
        assert_eq!(
            "Exclude".parse::<ReturnsPolicy>(),
            Ok(ReturnsPolicy::Exclude)
        );
        assert_eq!("net".parse::<MonetaryBasis>(), Ok(MonetaryBasis::Net));
        assert!(
            "both"
                .parse::<MonetaryBasis>()
                .unwrap_err()
                .contains("inflow, outflow, net")
        );
        assert_eq!(SignedAmounts::default().name(), "auto");
    }

    #[test]
    fn cancellation_numbers() {
        assert!(is_cancel_number("C536379"));
        assert!(!is_cancel_number("536379"));
        assert!(!is_cancel_number("CA1"));
    }
}
