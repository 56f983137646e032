//! Who the customer is: the customer-id column chosen from its header and,
//! when the header is silent or misleading, from its values.
//!
//! The header dictionary ([`crate::pipeline::mapping`]) proposes columns;
//! the values decide between them when the file may be a transaction log (a
//! date on every row):
//!
//! - a column whose values repeat across rows is the customer key of a log;
//!   one that is different on every row is a row or transaction id and is
//!   never taken as the customer while a repeating key exists;
//! - without a header match, a column shaped like a key (non-negative whole
//!   numbers of one width, or short codes with digits), repeating across the
//!   dated rows, not named after another entity (product, merchant, branch
//!   ...), is proposed with a confidence below 1 and the evidence;
//! - when nothing qualifies the decision says so, and whether the rows look
//!   like transactions (then they must not be segmented as customers).
//!
//! The values are read from the first [`SAMPLE_ROWS`] rows, so the choice
//! costs the same on a file of any length.

use crate::pipeline::clean::{IdKey, IdKeys};
use crate::pipeline::excerpt::thousands;
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::mapping::{Role, normalise};
use crate::pipeline::table::{Column, ColumnData, ColumnType, Table};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Rows read to judge a column's values as a key.
pub const SAMPLE_ROWS: usize = 100_000;

/// Confidence of a key proposed from its values alone.
const VALUE_CONFIDENCE: f64 = 0.7;
/// ... when another column could be the key as well.
const CONTESTED_CONFIDENCE: f64 = 0.55;

/// Where the customer id came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdSource {
    /// No customer id column: each row is taken as one customer.
    #[default]
    None,
    /// Set by the user (`--map customer_id=...`, or the TUI's role list).
    User,
    /// The header names a customer key.
    Header,
    /// The values look like a customer key (no header says so).
    Values,
}

/// The customer-id decision with its evidence, for both faces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdDecision {
    pub column: Option<String>,
    pub source: IdSource,
    /// 0..=1, as the column's mapping confidence.
    pub confidence: f64,
    /// Why this column (or why none): evidence from the header and values.
    pub reason: String,
    /// Columns that could have been the customer and why they are not.
    pub passed_over: Vec<(String, String)>,
    /// No customer id, but every row is dated and carries a transaction
    /// id, a debit/credit direction or a quantity: the rows are
    /// transactions, not customers.
    pub rows_look_like_transactions: bool,
}

impl IdDecision {
    /// Whether the user should check the choice: no id, or one proposed
    /// from values only.
    pub fn needs_attention(&self) -> bool {
        match self.source {
            IdSource::None => true,
            IdSource::Values => true,
            IdSource::User | IdSource::Header => false,
        }
    }
}

/// How a column's values repeat, over the first [`SAMPLE_ROWS`] rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyStats {
    /// Rows read that hold a value.
    pub rows: usize,
    pub distinct: usize,
}

impl KeyStats {
    pub fn unique(&self) -> bool {
        self.rows >= 2 && self.distinct == self.rows
    }
    /// At least one row in ten repeats a value seen before, and there are
    /// two values or more.
    pub fn repeats(&self) -> bool {
        self.distinct >= 2 && (self.rows - self.distinct) * 10 >= self.rows
    }
    fn describe(&self) -> String {
        format!(
            "{} values over {} rows, about {:.1} rows each",
            thousands(self.distinct),
            thousands(self.rows),
            self.rows as f64 / self.distinct.max(1) as f64
        )
    }
}

pub fn key_stats(col: &Column) -> KeyStats {
    let keys = IdKeys::new(&col.data);
    let n = col.data.len().min(SAMPLE_ROWS);
    let mut seen: HashSet<IdKey<'_>, FxBuild> = HashSet::default();
    let mut rows = 0;
    for i in 0..n {
        if let Some(k) = keys.key(i) {
            rows += 1;
            seen.insert(k);
        }
    }
    KeyStats {
        rows,
        distinct: seen.len(),
    }
}

/// What a column's values look like, when they look like a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyShape {
    /// Non-negative whole numbers, nearly all with the same number of digits.
    Integers { digits: usize },
    /// Short codes without spaces that contain a digit ("C0000313", "AC-77-1").
    Codes,
}

impl KeyShape {
    fn describe(self) -> String {
        match self {
            KeyShape::Integers { digits } => format!("{digits}-digit whole numbers"),
            KeyShape::Codes => "codes".to_string(),
        }
    }
}

/// Whether the values (the first 5,000 present) are shaped like a key.
/// Amounts, counts and scores are not: they have fractions, signs or
/// varying widths.
pub fn key_shape(col: &Column) -> Option<KeyShape> {
    const LOOK: usize = 5000;
    match (&*col.data, col.ctype) {
        (ColumnData::Number(v), ColumnType::Number) => {
            let mut widths = [0usize; 20];
            let mut seen = 0;
            for &x in v.iter().filter(|x| !x.is_nan()).take(LOOK) {
                if x < 0.0 || x.fract() != 0.0 || x >= 1e19 {
                    return None;
                }
                seen += 1;
                widths[digits(x)] += 1;
            }
            let (width, count) = widths
                .iter()
                .enumerate()
                .max_by_key(|(w, c)| (**c, *w))
                .map(|(w, c)| (w, *c))?;
            (seen > 0 && width >= 3 && count * 10 >= seen * 9)
                .then_some(KeyShape::Integers { digits: width })
        }
        (ColumnData::Text(t), ColumnType::Text) => {
            let mut seen = 0;
            let mut codes = 0;
            for s in t.iter().flatten().take(LOOK) {
                seen += 1;
                codes += is_code(s) as usize;
            }
            (seen > 0 && codes * 20 >= seen * 19).then_some(KeyShape::Codes)
        }
        _ => None,
    }
}

fn digits(x: f64) -> usize {
    let mut n = 1;
    let mut v = x;
    while v >= 10.0 && n < 19 {
        v /= 10.0;
        n += 1;
    }
    n
}

fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && b.iter().any(u8::is_ascii_digit)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/' | b'#'))
}

/// Header words naming something other than the customer: a column named
/// like this is never proposed as the customer from its values, nor from a
/// partial header match ("MerchantAccountNo", "对方账号").
pub fn names_other_entity(header: &str) -> bool {
    let n = normalise(header);
    const OTHER: [&str; 46] = [
        "product",
        "stock",
        "item",
        "sku",
        "article",
        "merchant",
        "store",
        "shop",
        "terminal",
        "atm",
        "device",
        "branch",
        "zip",
        "postcode",
        "postal",
        "phone",
        "mobile",
        "counterpart",
        "beneficiary",
        "payee",
        "recipient",
        "dest",
        "category",
        "country",
        "city",
        "region",
        "invoice",
        "order",
        "trans",
        "txn",
        "receipt",
        "lineno",
        "lineid",
        "batch",
        "session",
        "商品",
        "产品",
        "商户",
        "对方",
        "收款",
        "网点",
        "终端",
        "订单",
        "流水",
        "发票",
        "电话",
    ];
    OTHER.iter().any(|w| n.contains(w))
}

/// A role given to a column: (column index, confidence, reason).
pub type Assigned = BTreeMap<Role, (usize, f64, String)>;

/// A column that could be the customer key, with its evidence.
struct Candidate {
    j: usize,
    /// The header's score for customer id; 0 for value-only candidates.
    header: f64,
    stats: KeyStats,
    shape: Option<KeyShape>,
}

/// Settles the customer id after the header-based assignment: checks the
/// header's choice against the values when rows may be transactions, picks
/// a repeating key over a per-row id, proposes a key from values when no
/// header names one, and says what it decided. `header_ids` are the
/// customer-id header candidates (score, column). May move the customer-id
/// role, give a per-row id the transaction-id role and give the only date
/// column of a log the transaction-date role.
pub fn settle(
    table: &Table,
    assigned: &mut Assigned,
    header_ids: &[(f64, usize)],
    user_set: bool,
) -> IdDecision {
    let decision = decide(table, assigned, header_ids, user_set);
    if let Some(id) = assigned.get_mut(&Role::CustomerId) {
        id.1 = decision.confidence;
        id.2 = decision.reason.clone();
    }
    decision
}

fn decide(
    table: &Table,
    assigned: &mut Assigned,
    header_ids: &[(f64, usize)],
    user_set: bool,
) -> IdDecision {
    let chosen = assigned.get(&Role::CustomerId).map(|(j, s, _)| (*j, *s));
    if user_set {
        return header_kept(table, assigned, chosen, IdSource::User, "");
    }
    let Some(date_j) = dated_rows(table, assigned) else {
        // No date on every row: a customer table; the header decides.
        return header_kept(table, assigned, chosen, IdSource::Header, "");
    };
    let (candidates, mut passed_over) = gather(table, assigned, header_ids, chosen);
    // The header's choice stands when it repeats like a customer key.
    if let Some((j, _)) = chosen
        && let Some(c) = candidates.iter().find(|c| c.j == j)
        && !c.stats.unique()
    {
        let evidence = format!(
            "; {} ({})",
            c.stats.describe(),
            if c.stats.repeats() {
                "a transaction log"
            } else {
                "few repeats"
            }
        );
        let mut d = header_kept(table, assigned, chosen, IdSource::Header, &evidence);
        passed_over.extend(unique_ones(&candidates, j, table));
        d.passed_over = passed_over;
        return d;
    }
    if let Some(mut d) = switch_to_repeating(table, assigned, &candidates, chosen, date_j) {
        passed_over.append(&mut d.passed_over);
        d.passed_over = passed_over;
        return d;
    }
    if chosen.is_some() {
        // No repeating key: a customer table with dates.
        let mut d = header_kept(
            table,
            assigned,
            chosen,
            IdSource::Header,
            "; different on every row: one row per customer",
        );
        d.passed_over = passed_over;
        return d;
    }
    passed_over.extend(unique_ones(&candidates, usize::MAX, table));
    no_key(table, assigned, date_j, passed_over)
}

/// The assignment's choice as it is (or no id), with `evidence` appended
/// to its reason.
fn header_kept(
    table: &Table,
    assigned: &Assigned,
    chosen: Option<(usize, f64)>,
    source: IdSource,
    evidence: &str,
) -> IdDecision {
    match chosen {
        Some((j, score)) => IdDecision {
            column: Some(table.columns[j].name.clone()),
            source,
            confidence: score,
            reason: format!("{}{evidence}", assigned[&Role::CustomerId].2),
            ..IdDecision::default()
        },
        None => IdDecision {
            reason: "no column is named like a customer id".into(),
            ..IdDecision::default()
        },
    }
}

/// Columns that could be the key of a log: the header's candidates still
/// free (and the chosen one), then key-shaped columns without a role; and
/// key-shaped columns passed over for their names.
fn gather(
    table: &Table,
    assigned: &Assigned,
    header_ids: &[(f64, usize)],
    chosen: Option<(usize, f64)>,
) -> (Vec<Candidate>, Vec<(String, String)>) {
    let taken: HashSet<usize> = assigned.values().map(|(j, ..)| *j).collect();
    let mut passed_over = Vec::new();
    let mut candidates: Vec<Candidate> = header_ids
        .iter()
        .filter(|(_, j)| Some(*j) == chosen.map(|c| c.0) || !taken.contains(j))
        .map(|&(score, j)| Candidate {
            j,
            header: score,
            stats: key_stats(&table.columns[j]),
            shape: key_shape(&table.columns[j]),
        })
        .collect();
    for (j, col) in table.columns.iter().enumerate() {
        if taken.contains(&j) || candidates.iter().any(|c| c.j == j) {
            continue;
        }
        // From values alone, numbers need 4 digits or more: 3-digit
        // constants of width are scores and codes of few values far more
        // often than customers.
        let Some(shape) =
            key_shape(col).filter(|s| !matches!(s, KeyShape::Integers { digits } if *digits < 4))
        else {
            continue;
        };
        if names_other_entity(&col.name) {
            passed_over.push((
                col.name.clone(),
                "its values look like a key, but its name says it is not the customer".into(),
            ));
            continue;
        }
        candidates.push(Candidate {
            j,
            header: 0.0,
            stats: key_stats(col),
            shape: Some(shape),
        });
    }
    (candidates, passed_over)
}

/// A repeating key replaces a missing or per-row id: header candidates
/// first, then by distinct values. A key found from values alone replaces
/// a header's choice only when that is a bare row number ("id", "No",
/// "序号"). The replaced column becomes the transaction id; the log's only
/// date column its transaction date.
fn switch_to_repeating(
    table: &Table,
    assigned: &mut Assigned,
    candidates: &[Candidate],
    chosen: Option<(usize, f64)>,
    date_j: usize,
) -> Option<IdDecision> {
    let name = |j: usize| table.columns[j].name.clone();
    let values_may_replace = chosen.is_none_or(|(j, _)| is_bare_row_id(&name(j)));
    let mut repeating: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.stats.repeats() && (c.header > 0.0 || values_may_replace))
        .collect();
    repeating.sort_by(|a, b| {
        (b.header > 0.0)
            .cmp(&(a.header > 0.0))
            .then(b.header.total_cmp(&a.header))
            .then(b.stats.distinct.cmp(&a.stats.distinct))
            .then(a.j.cmp(&b.j))
    });
    let best = *repeating.first()?;
    let (confidence, source, mut reason) = if best.header > 0.0 {
        (
            best.header,
            IdSource::Header,
            format!(
                "header '{}' matches customer id; {}",
                name(best.j),
                best.stats.describe()
            ),
        )
    } else {
        let rival = repeating
            .get(1)
            .filter(|r| r.header == 0.0 && r.stats.distinct * 2 >= best.stats.distinct);
        let confidence = if rival.is_some() {
            CONTESTED_CONFIDENCE
        } else {
            VALUE_CONFIDENCE
        };
        let why = format!(
            "values look like a customer key: {} repeating across rows ({}), with a date in '{}' on each row{}",
            best.shape.map_or("values".into(), KeyShape::describe),
            best.stats.describe(),
            name(date_j),
            rival.map_or(String::new(), |r| format!(
                "; '{}' could be the key too ({} values)",
                name(r.j),
                thousands(r.stats.distinct)
            ))
        );
        (confidence, IdSource::Values, why)
    };
    if let Some((old, _)) = chosen.filter(|c| c.0 != best.j) {
        reason.push_str(&format!(
            "; '{}' is different on every row, so it identifies rows, not customers",
            name(old)
        ));
        assigned.remove(&Role::CustomerId);
        assigned.entry(Role::TxnId).or_insert_with(|| {
            let why = format!(
                "different on every row next to the repeating key '{}': a transaction id",
                name(best.j)
            );
            (old, 0.8, why)
        });
    }
    assigned.insert(Role::CustomerId, (best.j, confidence, reason.clone()));
    claim_date_column(assigned, date_j);
    Some(IdDecision {
        column: Some(name(best.j)),
        source,
        confidence,
        reason,
        passed_over: unique_ones(candidates, best.j, table),
        rows_look_like_transactions: false,
    })
}

/// No customer key in a dated table: whether its rows are transactions
/// (a transaction id, a direction or a quantity on each dated row).
fn no_key(
    table: &Table,
    assigned: &Assigned,
    date_j: usize,
    passed_over: Vec<(String, String)>,
) -> IdDecision {
    let markers: Vec<String> = TRANSACTION_MARKERS
        .iter()
        .filter_map(|r| {
            assigned
                .get(r)
                .map(|(j, ..)| format!("'{}' ({})", table.columns[*j].name, r.label()))
        })
        .collect();
    let looks_like_log = !markers.is_empty();
    let reason = if looks_like_log {
        format!(
            "no column is named like a customer id and none repeats like one, yet every row \
             has a date ('{}') and a transaction's {}",
            table.columns[date_j].name,
            markers.join(" and ")
        )
    } else {
        "no column is named like a customer id and none repeats like one".into()
    };
    IdDecision {
        reason,
        passed_over,
        rows_look_like_transactions: looks_like_log,
        ..IdDecision::default()
    }
}

/// Roles only a row of a transaction log has.
const TRANSACTION_MARKERS: [Role; 5] = [
    Role::TxnId,
    Role::Direction,
    Role::Quantity,
    Role::TxnInflow,
    Role::TxnOutflow,
];

/// The key-shaped columns other than `keep` that are different on every row.
fn unique_ones(candidates: &[Candidate], keep: usize, t: &Table) -> Vec<(String, String)> {
    candidates
        .iter()
        .filter(|c| c.j != keep && c.stats.unique())
        .map(|c| {
            (
                t.columns[c.j].name.clone(),
                "different on every row: a row or transaction id, not a customer".into(),
            )
        })
        .collect()
}

/// Generic names of a row number rather than of a customer.
fn is_bare_row_id(header: &str) -> bool {
    matches!(
        normalise(header).as_str(),
        "id" | "no" | "nr" | "num" | "rowid" | "index" | "idx" | "序号" | "编号" | "行号"
    )
}

/// The column that dates every row of a possible log: the transaction-date
/// column, else the only date column without a role when another column
/// marks the rows as transactions (a transaction id, a debit/credit
/// direction, a quantity).
fn dated_rows(table: &Table, assigned: &Assigned) -> Option<usize> {
    if let Some((j, ..)) = assigned.get(&Role::TxnDate) {
        return Some(*j);
    }
    if !TRANSACTION_MARKERS.iter().any(|r| assigned.contains_key(r)) {
        return None;
    }
    let taken: HashSet<usize> = assigned.values().map(|(j, ..)| *j).collect();
    let mut free = table
        .columns
        .iter()
        .enumerate()
        .filter(|(j, c)| c.ctype == ColumnType::Date && !taken.contains(j))
        .map(|(j, _)| j);
    match (free.next(), free.next()) {
        (Some(j), None) => Some(j),
        _ => None,
    }
}

/// Gives a log's only unassigned date column the transaction-date role.
fn claim_date_column(assigned: &mut Assigned, date_j: usize) {
    if assigned.values().any(|(j, ..)| *j == date_j) || assigned.contains_key(&Role::TxnDate) {
        return;
    }
    assigned.insert(
        Role::TxnDate,
        (
            date_j,
            0.7,
            "the only date column of a transaction log: the date of each transaction".into(),
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::TextColumn;

    #[test]
    fn shapes_of_keys_and_of_measures() {
        let ints = Column::number("a", vec![1001.0, 1002.0, 1001.0, 1999.0]);
        assert_eq!(key_shape(&ints), Some(KeyShape::Integers { digits: 4 }));
        let amounts = Column::number("b", vec![10.5, 3.0]);
        assert_eq!(key_shape(&amounts), None);
        let counts = Column::number("c", vec![1.0, 12.0, 150.0, 3.0]);
        assert_eq!(key_shape(&counts), None);
        let codes = Column::text(
            "d",
            TextColumn::from_values([Some("C0000313"), Some("C0000548")]),
        );
        assert_eq!(key_shape(&codes), Some(KeyShape::Codes));
        let words = Column::text("e", TextColumn::from_values([Some("Delhi"), Some("Pune")]));
        assert_eq!(key_shape(&words), None);
        assert!(names_other_entity("StockCode"));
        assert!(names_other_entity("对方账号"));
        assert!(!names_other_entity("acc"));
    }

    fn map(cols: Vec<Column>) -> crate::pipeline::mapping::Mapping {
        let t = Table::new(cols, crate::pipeline::table::SourceInfo::default());
        crate::pipeline::mapping::map_columns(&t, &Default::default()).unwrap()
    }

    #[test]
    fn a_dated_customer_table_keeps_its_unique_id() {
        let n = 40usize;
        let ids: Vec<f64> = (0..n).map(|i| 1000.0 + i as f64).collect();
        let dates: Vec<i32> = (0..n).map(|i| 19_000 + (i % 7) as i32).collect();
        // A 3-digit score repeats on these dated rows, but it is no customer.
        let scores: Vec<f64> = (0..n).map(|i| 600.0 + (i % 5) as f64 * 10.0).collect();
        let m = map(vec![
            Column::number("id", ids.clone()),
            Column::date("date", dates.clone()),
            Column::number("score", scores),
        ]);
        assert_eq!(m.column_for(Role::CustomerId), Some("id"), "{:?}", m.id);
        assert!(
            m.id.reason.contains("one row per customer"),
            "{}",
            m.id.reason
        );
        // A named id different on every row is kept even next to a
        // repeating key-shaped column found from values.
        let accounts: Vec<f64> = (0..n).map(|i| 50_000.0 + (i % 8) as f64).collect();
        let m = map(vec![
            Column::number("CustomerID", ids),
            Column::date("date", dates),
            Column::number("ref", accounts),
        ]);
        assert_eq!(m.column_for(Role::CustomerId), Some("CustomerID"));
        assert_eq!(m.id.source, IdSource::Header);
    }

    #[test]
    fn stats_tell_unique_from_repeating() {
        let c = Column::number("x", vec![1.0, 2.0, 3.0, f64::NAN]);
        let s = key_stats(&c);
        assert!(s.unique() && !s.repeats());
        let c = Column::number("x", vec![1.0, 2.0, 1.0, 2.0]);
        assert!(key_stats(&c).repeats());
    }
}
