//! Shapes of real public files and bank exports that the first logs work
//! did not cover, generated here: statements with money in and money out in
//! two columns of their own (Indian, UK, US and Chinese exports), Big5 logs
//! whose debit/credit flag is written in traditional characters, a type
//! column custseg reads only in part, and a Latin-1 export whose encoding is
//! a close call. Each test checks the mapping, the layout, a few customers'
//! sums worked out here from the generated rows, and the warnings.

use custseg::pipeline::aggregate::{AggregateOptions, Aggregated, aggregate_if_needed};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::mapping::{Mapping, MappingOptions, Role, map_columns};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::Table;
use custseg::pipeline::txn_meaning::{LogLayout, MonetaryBasis};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn prepare(path: &Path, opts: &AggregateOptions) -> (Table, Mapping, Option<Aggregated>) {
    let t = load(path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    let (_, a) = aggregate_if_needed(&t, &m, opts, None, &NoProgress).unwrap();
    (t, m, a)
}

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

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

fn custseg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .unwrap()
}

// ---------------------------------------------------------------------------
// Statements with money in and money out in two columns
// ---------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Flows {
    inflow: f64,
    outflow: f64,
    rows: usize,
}

/// How a statement writes the column that does not hold the row's amount,
/// and the sign of money out.
#[derive(Clone, Copy)]
struct Style {
    other_cell: &'static str,
    debit_negative: bool,
}

/// A statement export of 40 accounts, 700 rows: each row's amount in the
/// money-in or the money-out column; the row at `both_at` has an amount in
/// both (a correction), so it is in neither sum. Columns: account, date,
/// details, out, in, balance.
fn statement(
    seed: u64,
    style: Style,
    both_at: usize,
) -> (Vec<[String; 6]>, BTreeMap<String, Flows>) {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let mut flows: BTreeMap<String, Flows> = BTreeMap::new();
    for i in 0..700 {
        let acct = format!("4090006{:05}", 11_000 + rng.below(40));
        let amount = (100 + rng.below(5_000_000)) as f64 / 100.0;
        let incoming = rng.below(5) < 2;
        let d = 1 + rng.below(28);
        let m = 1 + rng.below(6);
        let f = flows.entry(acct.clone()).or_default();
        f.rows += 1;
        let shown = format!("{amount:.2}");
        let out_shown = if style.debit_negative {
            format!("-{shown}")
        } else {
            shown.clone()
        };
        let (out_cell, in_cell) = if i == both_at {
            (out_shown, shown)
        } else if incoming {
            f.inflow += amount;
            (style.other_cell.to_string(), shown)
        } else {
            f.outflow += amount;
            (out_shown, style.other_cell.to_string())
        };
        rows.push([
            acct,
            format!("2024-{m:02}-{d:02}"),
            format!("NEFT/REF{}", 100_000 + i),
            out_cell,
            in_cell,
            format!("{}.00", 10_000 + rng.below(90_000)),
        ]);
    }
    (rows, flows)
}

fn statement_csv(header: [&str; 6], rows: &[[String; 6]]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

#[test]
fn statements_with_money_in_and_out_columns_sum_each_apart() {
    let dir = tempfile::tempdir().unwrap();
    let blank = Style {
        other_cell: "",
        debit_negative: false,
    };
    let cases: [([&str; 6], Style); 5] = [
        (
            [
                "Account No",
                "DATE",
                "TRANSACTION DETAILS",
                " WITHDRAWAL AMT ",
                " DEPOSIT AMT ",
                "BALANCE AMT",
            ],
            blank,
        ),
        (
            [
                "Account Number",
                "Posting Date",
                "Description",
                "Debit Amount",
                "Credit Amount",
                "Balance",
            ],
            Style {
                other_cell: "0.00",
                debit_negative: true,
            },
        ),
        (
            [
                "Customer ID",
                "Date",
                "Description",
                "Paid out",
                "Paid in",
                "Balance",
            ],
            blank,
        ),
        (
            [
                "账号",
                "交易日期",
                "摘要",
                "借方发生额",
                "贷方发生额",
                "余额",
            ],
            Style {
                other_cell: "0",
                debit_negative: false,
            },
        ),
        (
            [
                "acct_no",
                "txn_date",
                "narration",
                "withdrawals",
                "deposits",
                "closing_balance",
            ],
            blank,
        ),
    ];
    for (k, (header, style)) in cases.into_iter().enumerate() {
        let (rows, flows) = statement(k as u64 + 3, style, 17);
        let path = write(
            dir.path(),
            &format!("s{k}.csv"),
            &statement_csv(header, &rows),
        );
        let (_, m, a) = prepare(&path, &AggregateOptions::default());
        // Headers are read trimmed.
        let (outw, inw) = (header[3].trim(), header[4].trim());
        assert_eq!(m.column_for(Role::TxnInflow), Some(inw), "{header:?}");
        assert_eq!(m.column_for(Role::TxnOutflow), Some(outw), "{header:?}");
        assert_eq!(
            m.column_for(Role::CustomerId),
            Some(header[0]),
            "{header:?}"
        );
        let a = a.expect("a statement is a log");
        assert_eq!(a.table.n_rows, flows.len());
        let p = &a.report.policy;
        assert_eq!(p.plan.unwrap().layout, LogLayout::SplitFlows);
        assert_eq!(p.unknown_direction_rows, 1, "the row with two amounts");
        assert_eq!(p.inflow_rows + p.outflow_rows + 1, rows.len());
        let said = p.statements.join(" | ");
        assert!(
            said.contains(&format!("'{inw}' (in) and '{outw}' (out)"))
                && said.contains("never in plus out")
                && said.contains("1 rows with an amount in both columns or in neither")
                && said.contains("line 19"),
            "{said}"
        );
        assert_eq!(a.mapping.column_for(Role::TxnAmount), Some("txn_inflow"));
        for (id, f) in flows.iter().step_by(7) {
            let row = row_of(&a, id);
            assert!(
                close(num(&a, "txn_inflow", row), f.inflow),
                "{id} {header:?}"
            );
            assert!(close(num(&a, "txn_outflow", row), f.outflow), "{id}");
            assert!(close(num(&a, "txn_net", row), f.inflow - f.outflow), "{id}");
            assert_eq!(num(&a, "txn_count", row), f.rows as f64);
        }
        assert!(
            !m.notes.iter().any(|n| n.text.contains("summed whatever")),
            "{:?}",
            m.notes
        );
    }
}

#[test]
fn a_statement_end_to_end_takes_the_monetary_option_and_scores_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let style = Style {
        other_cell: "",
        debit_negative: false,
    };
    let (rows, flows) = statement(41, style, 5);
    let header = [
        "Account No",
        "DATE",
        "TRANSACTION DETAILS",
        " WITHDRAWAL AMT ",
        " DEPOSIT AMT ",
        "BALANCE AMT",
    ];
    let input = write(dir.path(), "bank.csv", &statement_csv(header, &rows));
    let out = dir.path().join("out");
    let o = custseg(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--k",
        "3",
        "--monetary",
        "outflow",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["customers"], flows.len());
    assert_eq!(
        v["aggregate"]["policy"]["plan"]["layout"]["kind"],
        "split_flows"
    );
    assert_eq!(v["mapping"]["inflow_amount"], "DEPOSIT AMT");
    assert_eq!(v["mapping"]["outflow_amount"], "WITHDRAWAL AMT");
    let warnings = v["warnings"].to_string();
    assert!(!warnings.contains("Monetary cannot be built"), "{warnings}");
    let mut r = csv::Reader::from_path(out.join("segmentation_results.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (id, money) = (
        h.iter().position(|c| c == "customer_id").unwrap(),
        h.iter().position(|c| c == "Monetary").unwrap(),
    );
    let mut checked = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let f = &flows[&rec[id]];
        let m: f64 = rec[money].parse().unwrap();
        assert!((m - f.outflow).abs() < 0.01, "{} {m} {f:?}", &rec[id]);
        checked += 1;
    }
    assert_eq!(checked, flows.len());

    // The model reads the same file the same way.
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
    let seg = |p: &Path| -> Vec<String> {
        let mut r = csv::Reader::from_path(p).unwrap();
        let s = r
            .headers()
            .unwrap()
            .iter()
            .position(|c| c == "segment")
            .unwrap();
        r.records().map(|x| x.unwrap()[s].to_string()).collect()
    };
    assert_eq!(seg(&out.join("segmentation_results.csv")), seg(&scored));
}

#[test]
fn a_lone_money_column_and_credit_scores_are_no_flows() {
    let dir = tempfile::tempdir().unwrap();
    // A deposit-only log: its one money column is the amount, as before.
    let mut s = String::from("account_id,date,Deposit Amount\n");
    let mut rng = Rng::new(9);
    let mut total: BTreeMap<u64, f64> = BTreeMap::new();
    for _ in 0..300 {
        let a = 500 + rng.below(30);
        let x = (100 + rng.below(100_000)) as f64 / 100.0;
        *total.entry(a).or_default() += x;
        s.push_str(&format!("{a},2024-03-{:02},{x:.2}\n", 1 + rng.below(28)));
    }
    let path = write(dir.path(), "deposits.csv", &s);
    let (_, m, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.column_for(Role::TxnInflow), None);
    assert_eq!(m.column_for(Role::TxnAmount), Some("Deposit Amount"));
    let a = a.unwrap();
    assert_eq!(a.report.policy.plan.unwrap().layout, LogLayout::Amounts);
    let (id, t) = total.iter().next().unwrap();
    assert!(close(
        num(&a, "txn_amount_total", row_of(&a, &id.to_string())),
        *t
    ));

    // A customer table with credit scores and limits: no money columns.
    let mut s = String::from("CustomerID,CreditScore,CreditLimit,DebitCards,Balance\n");
    for i in 0..200 {
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            10_000 + i,
            350 + rng.below(500),
            1000 * (1 + rng.below(20)),
            rng.below(3),
            rng.below(100_000)
        ));
    }
    let path = write(dir.path(), "cards.csv", &s);
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::TxnInflow), None, "{:?}", m.columns);
    assert_eq!(m.column_for(Role::TxnOutflow), None);
    assert_eq!(m.column_for(Role::Balance), Some("Balance"));
}

// ---------------------------------------------------------------------------
// Direction words in traditional characters; a direction read in part
// ---------------------------------------------------------------------------

/// A log of 60 cards whose flag says 借 (out) or 貸/贷 (in); returns the
/// text and each card's (inflow, outflow).
fn flagged_log(
    seed: u64,
    header: &str,
    debit: &str,
    credit: &str,
) -> (String, BTreeMap<String, (f64, f64)>) {
    let mut rng = Rng::new(seed);
    let mut s = format!("{header}\n");
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for _ in 0..1200 {
        let card = format!("6222{:012}", 100_000 + rng.below(60));
        let x = (100 + rng.below(900_000)) as f64 / 100.0;
        let e = sums.entry(card.clone()).or_default();
        let flag = if rng.below(2) == 0 {
            e.1 += x;
            debit
        } else {
            e.0 += x;
            credit
        };
        let sex = if rng.below(2) == 0 { "男" } else { "女" };
        s.push_str(&format!(
            "{card},2024{:02}{:02},{x:.2},{flag},{sex}\n",
            1 + rng.below(6),
            1 + rng.below(28)
        ));
    }
    (s, sums)
}

#[test]
fn big5_logs_with_traditional_debit_credit_flags_separate_in_from_out() {
    let dir = tempfile::tempdir().unwrap();
    for (k, header) in [
        "客戶號,交易日期,交易金額,借貸標誌,性別",
        "cust_no,txn_date,amount,dc_flag,gender",
    ]
    .into_iter()
    .enumerate()
    {
        let (text, sums) = flagged_log(k as u64 + 70, header, "借", "貸");
        let (big5, _, bad) = encoding_rs::BIG5.encode(&text);
        assert!(!bad);
        let path = write_bytes(dir.path(), &format!("big5_{k}.csv"), &big5);
        let (t, m, a) = prepare(&path, &AggregateOptions::default());
        assert_eq!(t.source.encoding_report.as_ref().unwrap().name, "Big5");
        let flag = header.split(',').nth(3).unwrap();
        assert_eq!(m.column_for(Role::Direction), Some(flag), "{:?}", m.notes);
        let a = a.unwrap();
        assert_eq!(
            a.report.policy.plan.unwrap().layout,
            LogLayout::Flows { by_sign: false }
        );
        assert_eq!(a.report.policy.unknown_direction_rows, 0);
        for (card, (inflow, outflow)) in sums.iter().step_by(9) {
            let row = row_of(&a, card);
            assert!(close(num(&a, "txn_inflow", row), *inflow), "{card}");
            assert!(close(num(&a, "txn_outflow", row), *outflow), "{card}");
        }
    }
}

fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_direction_read_in_part_says_which_values_and_what_it_costs() {
    let dir = tempfile::tempdir().unwrap();
    // Half the rows say credit or debit, the rest are codes custseg does not know.
    let mut rng = Rng::new(5);
    let mut s = String::from("account_id,date,type,amount\n");
    for i in 0..400 {
        let kind = ["CREDIT", "DEBIT", "FPO", "BGC"][i % 4];
        s.push_str(&format!(
            "{},2024-02-{:02},{kind},{}.50\n",
            300 + rng.below(25),
            1 + rng.below(28),
            10 + rng.below(900)
        ));
    }
    let path = write(dir.path(), "uk.csv", &s);
    let (_, m, a) = prepare(&path, &AggregateOptions::default());
    assert_eq!(m.column_for(Role::Direction), None);
    let notes = m
        .notes
        .iter()
        .map(|n| n.cli_line())
        .collect::<Vec<_>>()
        .join(" | ");
    assert!(
        notes.contains("only 50% of its values read as money in or out ('FPO', 'BGC' not)")
            && notes.contains("summed whatever their direction")
            && notes.contains("--map direction=type"),
        "{notes}"
    );
    assert_eq!(
        a.unwrap().report.policy.plan.unwrap().layout,
        LogLayout::Amounts
    );
    let _ = MonetaryBasis::Inflow;
}

// ---------------------------------------------------------------------------
// A close call between two code pages
// ---------------------------------------------------------------------------

#[test]
fn a_close_encoding_call_names_the_runner_up_and_the_cell_they_read_apart() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["José", "Müller", "François", "Zoë", "Søren", "Chloé"];
    let mut s = String::from("CustomerID,Name,Age,Balance\r\n");
    let mut rng = Rng::new(12);
    for i in 0..300 {
        s.push_str(&format!(
            "{},{},{},{}.25\r\n",
            100_000 + i,
            names[i % names.len()],
            18 + rng.below(70),
            rng.below(90_000)
        ));
    }
    let (latin, _, bad) = encoding_rs::WINDOWS_1252.encode(&s);
    assert!(!bad);
    let path = write_bytes(dir.path(), "excel.csv", &latin);
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let r = t.source.encoding_report.clone().unwrap();
    assert_eq!(r.name, "windows-1252", "{r:?}");
    let names_read: Vec<String> = (0..6)
        .map(|i| t.column("Name").unwrap().data.display(i))
        .collect();
    assert_eq!(names_read, names);
    // Only 'ø' (windows-1250: 'ř') tells the two code pages apart: a close
    // call. The warning must not call the runner-up likely, and it shows the
    // cell the two read differently.
    let problem = r.problem().expect("a close call is a warning");
    {
        let runner = r.runner_up.as_ref().expect("a close call has a runner-up");
        assert!(!problem.contains("likely"), "{problem}");
        assert!(
            problem.contains(&format!(
                "the runner-up is {}, which reads 'Søren' as",
                runner.name
            )),
            "{problem}"
        );
        let o = custseg(&[
            "--no-tui",
            path.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["encoding"]["differs_in"][0], "Søren");
        assert!(
            v["warnings"][0]
                .as_str()
                .unwrap()
                .contains("which reads 'Søren' as")
        );
    }
}

// ---------------------------------------------------------------------------
// A bank export's title block above the table
// ---------------------------------------------------------------------------

#[test]
fn a_title_block_above_the_header_is_skipped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(33);
    let mut rows = String::new();
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    for i in 0..120 {
        let c = format!("C{}", 5_000_000 + rng.below(40));
        let x = (100 + rng.below(500_000)) as f64 / 100.0;
        *total.entry(c.clone()).or_default() += x;
        rows.push_str(&format!(
            "T{},{c},{}/8/16,{x:.2}\n",
            i + 1,
            1 + rng.below(28)
        ));
    }
    let header = "TransactionID,CustomerID,TransactionDate,TransactionAmount (INR)\n";
    for (k, title) in [
        "Account statement export\nGenerated: 2016-10-21 09:00\nBranch: ALL\n\n",
        "\"Statement of account\"\nAccount:,ALL\nPeriod:,1/8/16 to 31/8/16\n\n",
    ]
    .into_iter()
    .enumerate()
    {
        let path = write(
            dir.path(),
            &format!("t{k}.csv"),
            &format!("{title}{header}{rows}"),
        );
        let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
        assert_eq!(t.n_rows, 120, "{:?}", t.source.warnings);
        assert_eq!(
            t.names(),
            [
                "TransactionID",
                "CustomerID",
                "TransactionDate",
                "TransactionAmount (INR)"
            ]
        );
        let said = t.source.warnings.join(" | ");
        assert!(
            said.contains("lines 1-4 above the header (line 5) are a title block")
                && said.contains("they were skipped"),
            "{said}"
        );
        // Line numbers still count from the top of the file.
        assert_eq!(t.row_label(0), "line 6");
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        let (_, a) =
            aggregate_if_needed(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap();
        let a = a.unwrap();
        let (id, sum) = total.iter().next().unwrap();
        assert!(close(num(&a, "txn_amount_total", row_of(&a, id)), *sum));
    }

    // A header shorter than its data rows is no title: the file is refused
    // as before, not read with a data row for a header.
    let mut s = String::from("id,age,balance\n");
    for i in 0..50 {
        s.push_str(&format!("{i},{},{}.5,,\n", 20 + i, 100 * i));
    }
    let path = write(dir.path(), "short_header.csv", &s);
    let e = load(&path, &LoadOptions::default(), &NoProgress).unwrap_err();
    assert!(e.to_string().contains("line 2: expected 3 fields"), "{e}");
}

// ---------------------------------------------------------------------------
// Dates whose order nothing in the data decides
// ---------------------------------------------------------------------------

#[test]
fn dates_that_read_both_ways_are_a_warning_in_the_summary_json_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    // A US export whose days all happen to be 12 or less.
    let mut s = String::from("CustomerID,Balance,LastTransactionDate,OpenDate\n");
    for i in 0..200 {
        s.push_str(&format!(
            "{},{},{}/{}/2024,{}/{}/{}\n",
            1000 + i,
            100 + rng.below(90_000),
            1 + rng.below(12),
            1 + rng.below(12),
            1 + rng.below(12),
            1 + rng.below(12),
            2005 + rng.below(15)
        ));
    }
    let path = write(dir.path(), "us.csv", &s);
    let out = dir.path().join("out");
    let o = custseg(&[
        "--no-tui",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--k",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = v["warnings"].to_string();
    for col in ["LastTransactionDate", "OpenDate"] {
        assert!(
            w.contains(&format!(
                "'{col}': every date reads both day-first and month-first"
            )) && w.contains("read as day/month/year")
                && w.contains("--date-order mdy"),
            "{w}"
        );
    }
    // Told, it reads month-first and says which order it used.
    let o = custseg(&[
        "--no-tui",
        path.to_str().unwrap(),
        "--out",
        dir.path().join("out2").to_str().unwrap(),
        "--json",
        "--k",
        "3",
        "--date-order",
        "mdy",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["warnings"].to_string().contains("read as month/day/year"));

    // A file whose days go above 12 decides by itself: no warning.
    let fixed = s.replacen("/1/2024", "/25/2024", 1);
    let path2 = write(dir.path(), "us2.csv", &fixed);
    let t = load(&path2, &LoadOptions::default(), &NoProgress).unwrap();
    assert_eq!(
        t.column("LastTransactionDate")
            .unwrap()
            .info
            .date_order_guessed,
        None
    );

    // Scoring a file like it says so too.
    let o = custseg(&[
        "score",
        "--model",
        out.join("model.json").to_str().unwrap(),
        path.to_str().unwrap(),
        "--out",
        dir.path().join("scored.csv").to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("every date reads both day-first and month-first"),
        "{err}"
    );
}
