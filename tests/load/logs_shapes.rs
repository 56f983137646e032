//! Transaction logs of every shape, generated here: account-level logs under
//! many id headers, a per-row id next to a repeating account, logs without a
//! customer, retail invoice lines with cancellations and missing customers
//! (English and Chinese headers), debit/credit logs with a direction column
//! or signed amounts, date-time cells, and a new customer next to a dormant
//! one. Each test checks the mapping, the row and customer counts, a few
//! customers' features worked out here from the generated rows, and the
//! warnings.

use custseg::headless::id_warning;
use custseg::pipeline::aggregate::{
    AggregateOptions, Aggregated, InputDecision, aggregate_if_needed, aggregate_with_plan,
};
use custseg::pipeline::clean::{CleanOptions, IsoDate, clean};
use custseg::pipeline::features::{FeatureOptions, Features, TransformMode, build_features};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::mapping::{ColumnUse, IdSource, Mapping, MappingOptions, Role, map_columns};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{ColumnType, Table};
use custseg::pipeline::txn_meaning::{
    LogLayout, LogPlan, MonetaryBasis, ReturnsPolicy, SignedAmounts,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/// xorshift64*: a fixed stream per seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn write_csv(dir: &Path, name: &str, header: &[&str], rows: &[Vec<String>]) -> PathBuf {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Days since 1970 of an ISO date, and back.
fn day(s: &str) -> i32 {
    s.parse::<IsoDate>().unwrap().0
}

fn iso(d: i32) -> String {
    custseg::pipeline::table::format_date(d)
}

/// Load, map and prepare (aggregate when the data says so).
fn prepare(
    path: &Path,
    opts: &AggregateOptions,
) -> (Table, Mapping, InputDecision, Option<Aggregated>) {
    let t = load(path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    let (d, a) = aggregate_if_needed(&t, &m, opts, None, &NoProgress).unwrap();
    (t, m, d, a)
}

/// The aggregated row of customer `id`.
fn row_of(a: &Aggregated, id: &str) -> usize {
    let col = a.mapping.column_for(Role::CustomerId).unwrap();
    let data = &a.table.column(col).unwrap().data;
    (0..a.table.n_rows)
        .find(|&i| data.display(i) == id)
        .unwrap_or_else(|| panic!("customer {id} not in the aggregated table"))
}

fn num(a: &Aggregated, col: &str, row: usize) -> f64 {
    a.table
        .column(col)
        .unwrap_or_else(|| panic!("no column {col}: {:?}", a.table.names()))
        .numbers()
        .unwrap()[row]
}

fn date(a: &Aggregated, col: &str, row: usize) -> i32 {
    a.table.column(col).unwrap().dates().unwrap()[row]
}

/// Clean and Features on an aggregated log, without transforms.
fn features(a: &Aggregated) -> Features {
    let c = clean(&a.table, &a.mapping, &CleanOptions::default()).unwrap();
    let opts = FeatureOptions {
        transform: TransformMode::None,
        ..FeatureOptions::default()
    };
    let f = build_features(&c.table, &a.mapping, &opts, c.as_of.date).unwrap();
    assert_eq!(c.table.n_rows, a.table.n_rows, "Clean keeps every customer");
    f
}

fn feature(f: &Features, name: &str, row: usize) -> f64 {
    let j = f
        .names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no feature {name}: {:?}", f.names));
    f.original[j][row]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

// ---------------------------------------------------------------------------
// §3 who the customer is
// ---------------------------------------------------------------------------

/// Per account: (transactions, sum of amounts, last date).
type Expected = BTreeMap<String, (usize, f64, i32)>;

/// One account-level log: each account with 1-8 transactions, interleaved
/// by date. Returns the rows (id, account, date, amount) and what to expect.
fn account_log(seed: u64, ids: &[String]) -> (Vec<Vec<String>>, Expected) {
    let mut rng = Rng::new(seed);
    let mut rows: Vec<(i32, String, f64)> = Vec::new();
    for id in ids {
        for _ in 0..1 + rng.below(8) {
            let d = day("2024-01-01") + rng.below(300) as i32;
            let cents = 100 + rng.below(500_000);
            rows.push((d, id.clone(), cents as f64 / 100.0));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut expected = Expected::new();
    let out = rows
        .iter()
        .enumerate()
        .map(|(i, (d, id, amount))| {
            let e = expected.entry(id.clone()).or_insert((0, 0.0, i32::MIN));
            e.0 += 1;
            e.1 += amount;
            e.2 = e.2.max(*d);
            vec![
                format!("T{:07}", i + 1),
                id.clone(),
                iso(*d),
                format!("{amount:.2}"),
            ]
        })
        .collect();
    (out, expected)
}

#[test]
fn account_level_logs_are_recognised_under_many_id_headers() {
    let dir = tempfile::tempdir().unwrap();
    let headers = [
        ("account_id", "date"),
        ("acct_no", "txn_date"),
        ("account", "Transaction Date"),
        ("client_id", "date"),
        ("customer number", "date"),
        ("CustomerID", "TransactionDate"),
        ("客户号", "交易日期"),
        ("账号", "交易时间"),
        ("卡号", "交易日期"),
        ("Account Number", "Posting Date"),
        ("AcctNo", "Value Date"),
        ("Card No", "date"),
    ];
    for (k, (id_header, date_header)) in headers.iter().enumerate() {
        // Numeric ids (card and account numbers) and text codes, alternately.
        let ids: Vec<String> = (0..40)
            .map(|i| {
                if k % 2 == 0 {
                    format!("{}", 62220000 + 37 * i)
                } else {
                    format!("AC-{:05}", 10 * i + k)
                }
            })
            .collect();
        let (rows, expected) = account_log(k as u64 + 1, &ids);
        let header = ["trans_id", id_header, date_header, "amount"];
        let path = write_csv(dir.path(), &format!("log{k}.csv"), &header, &rows);
        let (t, m, d, a) = prepare(&path, &AggregateOptions::default());
        assert_eq!(t.n_rows, rows.len());
        assert_eq!(
            m.column_for(Role::CustomerId),
            Some(*id_header),
            "{id_header}"
        );
        assert_eq!(m.id.source, IdSource::Header, "{id_header}: {:?}", m.id);
        assert_eq!(m.column_for(Role::TxnId), Some("trans_id"), "{id_header}");
        assert_eq!(
            m.column_for(Role::TxnDate),
            Some(*date_header),
            "{id_header}"
        );
        assert!(d.aggregate, "{id_header}: {}", d.reason);
        assert!(id_warning(&m.id).is_none(), "{id_header}");
        let a = a.unwrap();
        assert_eq!(
            (a.report.transactions_in, a.report.customers_out),
            (rows.len(), 40),
            "{id_header}"
        );
        for id in [&ids[0], &ids[17], &ids[39]] {
            let r = row_of(&a, id);
            let (count, sum, last) = expected[id];
            assert_eq!(num(&a, "txn_count", r), count as f64, "{id_header} {id}");
            assert!(
                close(num(&a, "txn_amount_total", r), sum),
                "{id_header} {id}"
            );
            assert_eq!(date(&a, "last_txn_date", r), last, "{id_header} {id}");
        }
    }
}

#[test]
fn a_per_row_id_is_never_the_customer_next_to_a_repeating_account() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..60).map(|i| format!("{}", 4_100_000 + 13 * i)).collect();
    let (rows, expected) = account_log(7, &ids);
    // "id" is a header alias of the customer id, but it is different on
    // every row; "acc" is named like nothing, but repeats: the customer.
    let path = write_csv(dir.path(), "a.csv", &["id", "acc", "date", "amount"], &rows);
    let (t, m, d, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.column_for(Role::CustomerId), Some("acc"), "{:?}", m.id);
    assert_eq!(m.id.source, IdSource::Values);
    assert!(m.id.confidence < 0.8 && m.id.confidence > 0.5);
    assert_eq!(m.column_for(Role::TxnId), Some("id"));
    assert!(
        m.id.reason.contains("'id' is different on every row"),
        "{}",
        m.id.reason
    );
    assert!(m.id.reason.contains("60 values over"), "{}", m.id.reason);
    let w = id_warning(&m.id).expect("a key found from values is a warning");
    assert!(
        w.contains("'acc' is taken as the customer id from its values"),
        "{w}"
    );
    assert!(w.contains("--map customer_id=COLUMN"), "{w}");
    assert!(d.aggregate);
    let a = a.unwrap();
    assert_eq!((t.n_rows, a.table.n_rows), (rows.len(), 60));
    let r = row_of(&a, &ids[5]);
    assert_eq!(num(&a, "txn_count", r), expected[&ids[5]].0 as f64);

    // A named transaction id and an account column named like nothing.
    let path = write_csv(
        dir.path(),
        "b.csv",
        &["TransactionID", "ref_no", "TransactionDate", "amount"],
        &rows,
    );
    let (_, m, d, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.column_for(Role::TxnId), Some("TransactionID"));
    assert_eq!(m.column_for(Role::CustomerId), Some("ref_no"), "{:?}", m.id);
    assert!(d.aggregate);
    assert_eq!(a.unwrap().table.n_rows, 60);

    // The unique column as the only candidate: never taken as the customer.
    let only_txn: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r[0].clone(), r[2].clone(), r[3].clone()])
        .collect();
    let path = write_csv(
        dir.path(),
        "c.csv",
        &["trans_id", "date", "amount"],
        &only_txn,
    );
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::CustomerId), None);
    assert!(m.id.rows_look_like_transactions, "{:?}", m.id);
    let e =
        aggregate_if_needed(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap_err();
    let e = custseg::cli::error_line(&e);
    assert!(
        e.contains("c.csv") && e.contains("look like transactions") && e.contains("'trans_id'"),
        "{e}"
    );
    assert!(
        e.contains("--map customer_id=COLUMN") && e.contains("--input customers"),
        "{e}"
    );
}

#[test]
fn no_customer_id_in_a_customer_table_is_said_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(3);
    let rows: Vec<Vec<String>> = (0..50)
        .map(|_| {
            vec![
                format!("{}", 20 + rng.below(60)),
                format!("{}.{:02}", rng.below(90_000), rng.below(100)),
                ["Pune", "Delhi", "Agra"][rng.below(3) as usize].to_string(),
            ]
        })
        .collect();
    let path = write_csv(dir.path(), "t.csv", &["Age", "Balance", "City"], &rows);
    let (_, m, d, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.id.source, IdSource::None);
    assert!(!m.id.rows_look_like_transactions);
    assert!(!d.aggregate && a.is_none());
    let w = id_warning(&m.id).unwrap();
    assert!(
        w.starts_with("no customer id column found")
            && w.contains("every row is taken as one customer")
            && w.contains("line number"),
        "{w}"
    );
}

#[test]
fn value_shaped_columns_named_after_other_things_are_not_the_customer() {
    // A product code repeats on dated rows, but its name says product.
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..30).map(|i| format!("{}", 55_000 + i)).collect();
    let (rows, _) = account_log(11, &ids);
    let path = write_csv(
        dir.path(),
        "p.csv",
        &["TransactionID", "ProductCode", "date", "amount"],
        &rows,
    );
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::CustomerId), None);
    assert!(
        m.id.passed_over
            .iter()
            .any(|(c, why)| c == "ProductCode" && why.contains("name")),
        "{:?}",
        m.id
    );
    assert!(m.id.rows_look_like_transactions);
}

// ---------------------------------------------------------------------------
// §4 invoice lines
// ---------------------------------------------------------------------------

/// Per customer, worked out from the generated lines.
#[derive(Default, Debug)]
struct Shop {
    net: f64,
    gross: f64,
    invoices: BTreeSet<String>,
    cancelled: BTreeSet<String>,
    first_buy: Option<i32>,
    last_buy: Option<i32>,
    /// Latest line of any kind (a customer with only cancellations is dated by them).
    last_any: Option<i32>,
}

/// Online-Retail-like lines: 80 customers, invoices of 1-5 lines with
/// month-first date-times, about 8% cancelled (C-prefixed, negative
/// quantities), about 10% of lines without a customer.
fn invoice_lines(seed: u64) -> (Vec<Vec<String>>, BTreeMap<String, Shop>, usize) {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let mut shops: BTreeMap<String, Shop> = BTreeMap::new();
    let mut without_customer = 0;
    let mut invoice = 536_365u64;
    for _ in 0..400 {
        invoice += 1;
        let customer = if rng.below(10) == 0 {
            None
        } else {
            Some(format!("{}", 12_346 + rng.below(80)))
        };
        let cancel = rng.below(12) == 0;
        let number = format!("{}{invoice}", if cancel { "C" } else { "" });
        let d = day("2010-12-01") + rng.below(365) as i32;
        let date = custseg::pipeline::table::days_to_date(d).unwrap();
        let stamp = format!(
            "{}/{}/{} {:02}:{:02}",
            date.format("%m").to_string().trim_start_matches('0'),
            date.format("%d").to_string().trim_start_matches('0'),
            date.format("%Y"),
            8 + rng.below(10),
            rng.below(60)
        );
        for line in 0..1 + rng.below(5) {
            let qty = (1 + rng.below(24)) as i64 * if cancel { -1 } else { 1 };
            let price = [0.85, 1.25, 2.55, 3.39, 4.95][rng.below(5) as usize];
            rows.push(vec![
                number.clone(),
                format!("{}", 20_000 + rng.below(70_000)),
                format!("ITEM {line}"),
                qty.to_string(),
                stamp.clone(),
                format!("{price}"),
                customer.clone().unwrap_or_default(),
                "United Kingdom".to_string(),
            ]);
            let Some(c) = &customer else {
                without_customer += 1;
                continue;
            };
            let s = shops.entry(c.clone()).or_default();
            let value = qty as f64 * price;
            s.net += value;
            s.last_any = Some(s.last_any.map_or(d, |l| l.max(d)));
            if cancel {
                s.cancelled.insert(number.clone());
            } else {
                s.gross += value;
                s.invoices.insert(number.clone());
                s.first_buy = Some(s.first_buy.map_or(d, |f| f.min(d)));
                s.last_buy = Some(s.last_buy.map_or(d, |l| l.max(d)));
            }
        }
    }
    (rows, shops, without_customer)
}

const RETAIL_EN: [&str; 8] = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
];
const RETAIL_CN: [&str; 8] = [
    "发票号",
    "商品编码",
    "商品名称",
    "数量",
    "交易时间",
    "单价",
    "客户号",
    "国家",
];

#[test]
fn invoice_lines_count_invoices_and_net_cancellations() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, shops, without_customer) = invoice_lines(5);
    for header in [RETAIL_EN, RETAIL_CN] {
        let path = write_csv(dir.path(), &format!("{}.csv", header[0]), &header, &rows);
        let (t, m, d, a) = prepare(&path, &AggregateOptions::default());
        assert_eq!(t.n_rows, rows.len());
        assert_eq!(
            t.column(header[0]).unwrap().ctype,
            ColumnType::Text,
            "C-numbers stay text"
        );
        assert_eq!(
            t.column(header[4]).unwrap().ctype,
            ColumnType::Date,
            "date-times are dates"
        );
        for (role, col) in [
            (Role::TxnId, 0),
            (Role::Quantity, 3),
            (Role::TxnDate, 4),
            (Role::UnitPrice, 5),
            (Role::CustomerId, 6),
        ] {
            assert_eq!(m.column_for(role), Some(header[col]), "{role:?}");
        }
        assert!(d.aggregate, "{}", d.reason);
        let a = a.unwrap();
        let r = &a.report;
        assert_eq!(r.rows_without_id, without_customer);
        assert_eq!(r.customers_out, shops.len());
        let p = &r.policy;
        assert_eq!(
            p.plan.unwrap().layout,
            LogLayout::InvoiceLines {
                cancel_prefix: true
            }
        );
        let cancel_lines: usize = rows
            .iter()
            .filter(|l| l[0].starts_with('C') && !l[6].is_empty())
            .count();
        assert_eq!(p.cancel_lines, cancel_lines);
        assert_eq!(
            p.purchase_invoices,
            shops.values().map(|s| s.invoices.len()).sum::<usize>()
        );
        assert_eq!(
            p.cancelled_invoices,
            shops.values().map(|s| s.cancelled.len()).sum::<usize>()
        );
        assert!(
            p.statements.iter().any(|s| s.contains("distinct invoices")
                && s.contains(&format!("'{}' × '{}'", header[3], header[5]))),
            "{:?}",
            p.statements
        );
        assert!(
            p.statements
                .iter()
                .any(|s| s.contains("returns policy 'net'")
                    && s.contains(&format!("{cancel_lines} lines"))),
            "{:?}",
            p.statements
        );
        assert!(
            r.warnings.iter().any(|w| w.contains(&format!(
                "{without_customer} transactions without a customer id"
            ))),
            "{:?}",
            r.warnings
        );
        // StockCode and Description vary within a customer: not attributes.
        assert!(a.table.column(header[1]).is_none() && a.table.column(header[2]).is_none());
        let f = features(&a);
        // No open date: RFM, and who is new as a profile column (no Tenure
        // counted from a first purchase, which the log's window censors).
        assert_eq!(f.names, ["Recency", "Frequency", "Monetary"]);
        assert!(a.table.column("new_in_log").is_some());
        let as_of = shops
            .values()
            .filter_map(|s| s.last_buy.or(s.last_any))
            .max()
            .unwrap();
        for (id, s) in shops.iter().take(5) {
            let row = row_of(&a, id);
            assert_eq!(num(&a, "invoices", row), s.invoices.len() as f64, "{id}");
            assert_eq!(num(&a, "cancelled_invoices", row), s.cancelled.len() as f64);
            assert!(close(num(&a, "spend", row), s.net), "{id}: {s:?}");
            assert!(close(feature(&f, "Monetary", row), s.net), "{id}");
            assert_eq!(feature(&f, "Frequency", row), s.invoices.len() as f64);
            if let Some(last) = s.last_buy {
                assert_eq!(feature(&f, "Recency", row), f64::from(as_of - last), "{id}");
            }
        }
    }
}

#[test]
fn the_exclude_policy_leaves_cancellations_out() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, shops, _) = invoice_lines(9);
    let path = write_csv(dir.path(), "r.csv", &RETAIL_EN, &rows);
    let opts = AggregateOptions {
        returns: ReturnsPolicy::Exclude,
        ..AggregateOptions::default()
    };
    let (_, _, _, a) = prepare(&path, &opts);
    let a = a.unwrap();
    // Customers with only cancellations disappear with them.
    let buyers: Vec<(&String, &Shop)> = shops.iter().filter(|s| !s.1.invoices.is_empty()).collect();
    assert_eq!(a.table.n_rows, buyers.len());
    assert!(a.table.column("cancelled_invoices").is_none());
    for (id, s) in buyers.iter().take(6) {
        let row = row_of(&a, id);
        assert!(close(num(&a, "spend", row), s.gross), "{id}");
        assert_eq!(num(&a, "invoices", row), s.invoices.len() as f64);
        assert_eq!(date(&a, "first_purchase_date", row), s.first_buy.unwrap());
    }
    assert!(
        a.report
            .policy
            .statements
            .iter()
            .any(|s| s.contains("left out entirely (returns policy 'exclude')")),
        "{:?}",
        a.report.policy.statements
    );
}

// ---------------------------------------------------------------------------
// §4 debit/credit
// ---------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Flows {
    inflow: f64,
    outflow: f64,
    rows: usize,
}

/// A ledger of 50 accounts: about half the rows money in. `direction`
/// writes (in, out) words, or `None` for signed amounts. Every 25th row's
/// direction is "TRANSFER" (neither).
fn ledger(
    seed: u64,
    direction: Option<(&str, &str)>,
) -> (Vec<Vec<String>>, BTreeMap<String, Flows>, usize) {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let mut flows: BTreeMap<String, Flows> = BTreeMap::new();
    let mut unknown = 0;
    for i in 0..900 {
        let acct = format!("{}", 70_001 + rng.below(50));
        let amount = (100 + rng.below(400_000)) as f64 / 100.0;
        let incoming = rng.below(2) == 0;
        let d = day("2024-01-01") + rng.below(180) as i32;
        let f = flows.entry(acct.clone()).or_default();
        f.rows += 1;
        let mut row = vec![format!("{}", 9_000_000 + i), acct, iso(d)];
        match direction {
            Some((inw, outw)) => {
                let word = if direction.is_some() && i % 25 == 24 {
                    unknown += 1;
                    "TRANSFER"
                } else if incoming {
                    f.inflow += amount;
                    inw
                } else {
                    f.outflow += amount;
                    outw
                };
                row.push(word.to_string());
                row.push(format!("{amount:.2}"));
            }
            None => {
                if incoming {
                    f.inflow += amount;
                    row.push(format!("{amount:.2}"));
                } else {
                    f.outflow += amount;
                    row.push(format!("-{amount:.2}"));
                }
            }
        }
        rows.push(row);
    }
    (rows, flows, unknown)
}

#[test]
fn debit_credit_logs_separate_money_in_from_money_out() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            ["txn_id", "account_id", "date", "type", "amount"],
            ("credit", "debit"),
        ),
        (
            ["txn_id", "account_id", "date", "DR/CR", "amount"],
            ("CR", "DR"),
        ),
        (
            ["流水号", "账号", "交易日期", "收支类型", "交易金额"],
            ("收入", "支出"),
        ),
        (
            ["txn_id", "acct_no", "date", "Direction", "amount"],
            ("Deposit", "Withdrawal"),
        ),
    ];
    for (k, (header, words)) in cases.iter().enumerate() {
        let (rows, flows, unknown) = ledger(k as u64 + 20, Some(*words));
        let path = write_csv(dir.path(), &format!("d{k}.csv"), header, &rows);
        let (_, m, d, a) = prepare(&path, &AggregateOptions::default());
        assert_eq!(m.column_for(Role::Direction), Some(header[3]), "{header:?}");
        assert_eq!(m.column_for(Role::CustomerId), Some(header[1]));
        assert!(d.aggregate);
        let a = a.unwrap();
        assert_eq!(a.table.n_rows, flows.len());
        let p = &a.report.policy;
        assert_eq!(p.plan.unwrap().layout, LogLayout::Flows { by_sign: false });
        assert_eq!(p.unknown_direction_rows, unknown);
        assert_eq!(p.inflow_rows + p.outflow_rows + unknown, rows.len());
        assert!(
            p.statements
                .iter()
                .any(|s| s.contains("never in plus out") && s.contains("monetary policy 'inflow'")),
            "{:?}",
            p.statements
        );
        assert!(
            p.statements
                .iter()
                .any(|s| s.contains(&format!("{unknown} rows whose direction"))
                    && s.contains("'TRANSFER'")),
            "{:?}",
            p.statements
        );
        assert_eq!(a.mapping.column_for(Role::TxnAmount), Some("txn_inflow"));
        let f = features(&a);
        for (id, fl) in flows.iter().take(4) {
            let row = row_of(&a, id);
            assert!(close(num(&a, "txn_inflow", row), fl.inflow), "{id}");
            assert!(close(num(&a, "txn_outflow", row), fl.outflow), "{id}");
            assert!(
                close(num(&a, "txn_net", row), fl.inflow - fl.outflow),
                "{id}"
            );
            assert!(close(feature(&f, "Monetary", row), fl.inflow), "{id}");
            assert_eq!(feature(&f, "Frequency", row), fl.rows as f64);
        }
    }
}

#[test]
fn a_direction_in_words_custseg_does_not_know_is_said_and_can_be_named() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, flows, unknown) = ledger(61, Some(("PRIJEM", "VYDAJ")));
    let header = ["trans_id", "account_id", "date", "type", "amount"];
    let path = write_csv(dir.path(), "berka.csv", &header, &rows);
    let (_, m, _, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.column_for(Role::Direction), None);
    let note = m
        .notes
        .iter()
        .find(|n| {
            n.text
                .contains("'type' is named like a debit/credit direction")
        })
        .unwrap_or_else(|| panic!("{:?}", m.notes));
    assert!(
        note.text.contains("'PRIJEM'") && note.text.contains("summed whatever their direction")
    );
    // The remedy is typed; the command line words it with the flags.
    assert!(note.is_about("type"), "{note:?}");
    assert!(note.cli_line().contains("--inflow-values"), "{note:?}");
    assert_eq!(
        a.unwrap().report.policy.plan.unwrap().layout,
        LogLayout::Amounts
    );

    // Named: the role and the words.
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let mut mo = MappingOptions::default();
    mo.roles.insert(Role::Direction, "type".into());
    let m = map_columns(&t, &mo).unwrap();
    let opts = AggregateOptions {
        direction_words: custseg::pipeline::txn_meaning::DirectionWords {
            inflow: vec!["prijem".into()],
            outflow: vec!["VYDAJ".into()],
        },
        ..AggregateOptions::default()
    };
    let a = aggregate_if_needed(&t, &m, &opts, None, &NoProgress)
        .unwrap()
        .1
        .unwrap();
    assert_eq!(a.report.policy.unknown_direction_rows, unknown);
    let (id, fl) = flows.iter().nth(3).unwrap();
    let row = row_of(&a, id);
    assert!(close(num(&a, "txn_inflow", row), fl.inflow));
    assert!(close(num(&a, "txn_outflow", row), fl.outflow));
}

#[test]
fn signed_amounts_are_flows_and_the_monetary_basis_is_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, flows, _) = ledger(31, None);
    let path = write_csv(
        dir.path(),
        "s.csv",
        &["ref", "account_no", "date", "amount"],
        &rows,
    );
    for (basis, column) in [
        (MonetaryBasis::Inflow, "txn_inflow"),
        (MonetaryBasis::Outflow, "txn_outflow"),
        (MonetaryBasis::Net, "txn_net"),
    ] {
        let opts = AggregateOptions {
            monetary: basis,
            ..AggregateOptions::default()
        };
        let (_, _, _, a) = prepare(&path, &opts);
        let a = a.unwrap();
        assert_eq!(
            a.report.policy.plan.unwrap().layout,
            LogLayout::Flows { by_sign: true }
        );
        assert_eq!(a.mapping.column_for(Role::TxnAmount), Some(column));
        let f = features(&a);
        for (id, fl) in flows.iter().take(3) {
            let row = row_of(&a, id);
            let want = match basis {
                MonetaryBasis::Inflow => fl.inflow,
                MonetaryBasis::Outflow => fl.outflow,
                MonetaryBasis::Net => fl.inflow - fl.outflow,
            };
            assert!(close(feature(&f, "Monetary", row), want), "{basis:?} {id}");
        }
        assert!(a.report.policy.statements[0].contains("the sign of 'amount'"));
    }
    // Plain forces one summed amount.
    let opts = AggregateOptions {
        signed_amounts: SignedAmounts::Plain,
        ..AggregateOptions::default()
    };
    let a = prepare(&path, &opts).3.unwrap();
    let (id, fl) = flows.iter().next().unwrap();
    let row = row_of(&a, id);
    assert!(close(
        num(&a, "txn_amount_total", row),
        fl.inflow - fl.outflow
    ));
}

#[test]
fn a_few_negative_amounts_are_refunds_netted_into_spend() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..30).map(|i| format!("C{:04}", i)).collect();
    let (mut rows, _) = account_log(41, &ids);
    // Every 20th amount becomes a refund (5%).
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for (i, r) in rows.iter_mut().enumerate() {
        if i % 20 == 0 {
            r[3] = format!("-{}", r[3]);
        }
        *sums.entry(r[1].clone()).or_default() += r[3].parse::<f64>().unwrap();
    }
    let path = write_csv(
        dir.path(),
        "n.csv",
        &["TxnID", "CustomerID", "date", "amount"],
        &rows,
    );
    let a = prepare(&path, &AggregateOptions::default()).3.unwrap();
    let p = &a.report.policy;
    assert_eq!(p.plan.unwrap().layout, LogLayout::Amounts);
    assert_eq!(p.negative_amounts, rows.len().div_ceil(20));
    assert!(
        p.statements
            .iter()
            .any(|s| s.contains("negative amounts (refunds or reversals) are netted")),
        "{:?}",
        p.statements
    );
    let row = row_of(&a, &ids[3]);
    assert!(close(num(&a, "txn_amount_total", row), sums[&ids[3]]));
}

/// A saved plan wins over what the data would say: scoring a later file
/// with fewer negatives still reads it as flows.
#[test]
fn a_saved_plan_reads_a_later_file_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let (mut rows, _, _) = ledger(51, None);
    // Later month: only a few withdrawals.
    for (i, r) in rows.iter_mut().enumerate() {
        if i % 30 != 0 {
            r[3] = r[3].trim_start_matches('-').to_string();
        }
    }
    let path = write_csv(
        dir.path(),
        "later.csv",
        &["ref", "account_no", "date", "amount"],
        &rows,
    );
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    let opts = AggregateOptions::default();
    let auto = aggregate_with_plan(&t, &m, &opts, None, None, &NoProgress).unwrap();
    assert_eq!(auto.report.policy.plan.unwrap().layout, LogLayout::Amounts);
    let trained = LogPlan {
        layout: LogLayout::Flows { by_sign: true },
        returns: ReturnsPolicy::Net,
        monetary: MonetaryBasis::Inflow,
    };
    let scored = aggregate_with_plan(&t, &m, &opts, None, Some(trained), &NoProgress).unwrap();
    assert_eq!(scored.report.policy.plan, Some(trained));
    assert_eq!(
        scored.mapping.column_for(Role::TxnAmount),
        Some("txn_inflow")
    );
}

// ---------------------------------------------------------------------------
// date-times, tenure
// ---------------------------------------------------------------------------

#[test]
fn a_new_customer_is_not_a_dormant_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    let mut push = |id: &str, d: &str, amount: &str| {
        let n = rows.len();
        rows.push(vec![
            format!("{}", 1000 + n),
            id.to_string(),
            d.to_string(),
            amount.to_string(),
        ]);
    };
    // NEW: two transactions in the last three weeks. DORMANT: two, long ago
    // (first 2022-03-10). Others fill the log.
    push("NEW", "2024-06-12T09:15:00", "120.00");
    push("NEW", "2024-06-28 17:40:12", "80.00");
    push("DORMANT", "2022-03-10T11:00:00", "150.00");
    push("DORMANT", "2023-02-01 08:26:00", "50.00");
    for i in 0..40 {
        let id = format!("R{:02}", i % 10);
        let d = day("2022-01-15") + 23 * i;
        push(&id, &format!("{}T12:00:00", iso(d)), "10.00");
    }
    push("R00", "2024-06-30T23:59:59", "10.00");
    let path = write_csv(
        dir.path(),
        "t.csv",
        &["TxnNo", "CustomerID", "TxnDate", "Amount"],
        &rows,
    );
    let (t, m, _, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(t.column("TxnDate").unwrap().ctype, ColumnType::Date);
    assert_eq!(m.column_for(Role::TxnDate), Some("TxnDate"));
    let a = a.unwrap();
    // No open date: the log gives no Tenure (its window censors it), but
    // says who is new, as a profile column.
    assert_eq!(a.mapping.column_for(Role::OpenDate), None);
    let f = features(&a);
    assert!(!f.names.iter().any(|n| n == "Tenure"), "{:?}", f.names);
    let (new, dormant) = (row_of(&a, "NEW"), row_of(&a, "DORMANT"));
    // NEW: two transactions in the last 2% of a log from 2022-01-15
    // ((0.02)^2 < 5%) are evidence of a new customer. DORMANT first showed
    // up 2022-03-10, 6% of the way in: the log cannot tell them from a
    // customer who was there before it. R00 transacts all through it.
    assert_eq!(num(&a, "new_in_log", new), 1.0);
    assert_eq!(num(&a, "new_in_log", dormant), 0.0);
    assert_eq!(num(&a, "new_in_log", row_of(&a, "R00")), 0.0);
    assert_eq!(
        a.mapping
            .columns
            .iter()
            .find(|c| c.column == "new_in_log")
            .map(|c| c.usage),
        Some(ColumnUse::Profile)
    );
    assert_eq!(feature(&f, "Recency", new), 2.0);
    assert_eq!(
        feature(&f, "Recency", dormant),
        f64::from(day("2024-06-30") - day("2023-02-01"))
    );
    assert!(
        a.report.policy.statements.iter().any(|s| s
            .starts_with("No Tenure: the log has no account open date")
            && s.contains("2022-01-15 to 2024-06-30")
            && s.contains("shows 1 customer to be new")
            && s.contains("cannot tell the other 11")),
        "{:?}",
        a.report.policy.statements
    );
}

// ---------------------------------------------------------------------------
// both faces, end to end
// ---------------------------------------------------------------------------

fn custseg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_summary_json_and_report_carry_the_policy_and_scoring_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, shops, without_customer) = invoice_lines(77);
    let input = write_csv(dir.path(), "retail.csv", &RETAIL_EN, &rows);
    let out = dir.path().join("out");
    let o = custseg(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--k",
        "3",
        "--returns",
        "exclude",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let buyers = shops.values().filter(|s| !s.invoices.is_empty()).count();
    assert_eq!(v["customers"], buyers);
    assert_eq!(v["customer_id"]["column"], "CustomerID");
    assert_eq!(v["customer_id"]["source"], "header");
    assert_eq!(v["aggregate"]["rows_without_id"], without_customer);
    assert_eq!(v["aggregate"]["policy"]["plan"]["returns"], "exclude");
    assert_eq!(
        v["aggregate"]["policy"]["plan"]["layout"]["kind"],
        "invoice_lines"
    );
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("How the rows were read"), "{report}");
    assert!(report.contains("returns policy 'exclude'"));
    let model = std::fs::read_to_string(out.join("model.json")).unwrap();
    assert!(
        model.contains("\"log_plan\""),
        "the plan is saved with the model"
    );

    // The text summary says the policy too.
    let o = custseg(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("out2").to_str().unwrap(),
        "--k",
        "3",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("policy: invoice lines: Monetary is the sum of 'Quantity' × 'UnitPrice'"),
        "{text}"
    );

    // Scoring the training file with the model: every customer keeps its segment.
    let scored = dir.path().join("scored.csv");
    let o = custseg(&[
        "score",
        "--model",
        out.join("model.json").to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        scored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let segments = |p: &Path, id: &str| -> BTreeMap<String, String> {
        let mut r = csv::Reader::from_path(p).unwrap();
        let h = r.headers().unwrap().clone();
        let (i, s) = (
            h.iter().position(|c| c == id).unwrap(),
            h.iter().position(|c| c == "segment").unwrap(),
        );
        r.records()
            .map(|x| {
                let x = x.unwrap();
                (x[i].to_string(), x[s].to_string())
            })
            .collect()
    };
    let trained = segments(&out.join("segmentation_results.csv"), "customer_id");
    let again = segments(&scored, "customer_id");
    assert_eq!(trained.len(), buyers);
    assert_eq!(trained, again);
}

#[test]
fn no_customer_id_is_a_warning_in_json_and_a_refusal_for_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    let rows: Vec<Vec<String>> = (0..60)
        .map(|_| {
            vec![
                format!("{}", 20 + rng.below(60)),
                format!("{}", rng.below(90_000)),
            ]
        })
        .collect();
    let input = write_csv(dir.path(), "c.csv", &["Age", "Balance"], &rows);
    let o = custseg(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
        "--json",
        "--k",
        "2",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["customer_id"]["source"], "none");
    assert!(
        v["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .starts_with("no customer id column found")),
        "{}",
        v["warnings"]
    );

    let ids: Vec<String> = (0..20).map(|i| format!("{}", 300 + i)).collect();
    let (log, _) = account_log(2, &ids);
    let only_txn: Vec<Vec<String>> = log
        .iter()
        .map(|r| vec![r[0].clone(), r[2].clone(), r[3].clone()])
        .collect();
    let input = write_csv(
        dir.path(),
        "log.csv",
        &["TransactionID", "date", "amount"],
        &only_txn,
    );
    let o = custseg(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("o2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("log.csv") && err.contains("look like transactions"),
        "{err}"
    );
}
