//! `custseg sql` verified in real engines: the generated statement runs in
//! SQLite (bundled) and in a throwaway PostgreSQL server, and every
//! customer's segment and label equal `custseg score` on the same table —
//! the bundled samples (English; Chinese column names, GBK) and a generated
//! table with missing, invalid, mistyped and future values.
//!
//! The engines hold the table as a warehouse would: numbers as doubles and
//! dates as dates (custseg's reading of the file's cells), text as the
//! file's raw cells (so custseg's missing markers are the SQL's business).

use crate::sql_util;

use custseg::pipeline::table::ColumnType;
use sql_util::{Cell, Typed, run_sqlite, typed};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn custseg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .expect("custseg runs")
}

fn ok(args: &[&str]) -> String {
    let out = custseg(args);
    assert!(
        out.status.success(),
        "custseg {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Per customer id: the (segment, label) of each of its rows, sorted (an id
/// may repeat: every row is scored).
type Scores = BTreeMap<String, Vec<(i64, String)>>;

fn scores(rows: impl Iterator<Item = (String, i64, String)>) -> Scores {
    let mut out = Scores::new();
    for (id, seg, label) in rows {
        out.entry(id).or_default().push((seg, label));
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

fn read_score(path: &Path) -> Scores {
    let mut r = csv::Reader::from_path(path).unwrap();
    scores(r.records().map(|rec| {
        let rec = rec.unwrap();
        (
            rec[0].to_string(),
            rec[1].parse().unwrap(),
            rec[2].to_string(),
        )
    }))
}

/// A trained model and `custseg score` of its own file.
struct Trained {
    _dir: tempfile::TempDir,
    model: PathBuf,
    scored: Scores,
}

fn train_and_score(file: &Path, score_flags: &[&str]) -> Trained {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok(&[
        "--no-tui",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let model = out.join("model.json");
    let scored = dir.path().join("scored.csv");
    let mut args = vec![
        "score",
        "--model",
        model.to_str().unwrap(),
        file.to_str().unwrap(),
        "--out",
        scored.to_str().unwrap(),
    ];
    args.extend_from_slice(score_flags);
    ok(&args);
    let scored = read_score(&scored);
    Trained {
        _dir: dir,
        model,
        scored,
    }
}

fn sql_for(model: &Path, dialect: &str, table: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "sql",
        "--model",
        model.to_str().unwrap(),
        "--dialect",
        dialect,
        "--table",
        table,
    ];
    args.extend_from_slice(extra);
    ok(&args)
}

/// Every customer row of `custseg score` gets the same segment and label
/// from the engine.
fn assert_agree(engine: &str, what: &str, expected: &Scores, got: &[(String, i64, String, f64)]) {
    let rows: usize = expected.values().map(Vec::len).sum();
    assert_eq!(got.len(), rows, "{engine} {what}: one row per customer row");
    for (_, _, _, distance) in got {
        assert!(
            distance.is_finite() && *distance >= 0.0,
            "{engine}: distance {distance}"
        );
    }
    let got = scores(got.iter().map(|(id, s, l, _)| (id.clone(), *s, l.clone())));
    let mut agree = 0;
    let mut first_bad = Vec::new();
    for (id, want) in expected {
        let have = got.get(id).cloned().unwrap_or_default();
        let same = want.iter().zip(&have).filter(|(a, b)| a == b).count();
        agree += if have.len() == want.len() { same } else { 0 };
        if (same < want.len() || have.len() != want.len()) && first_bad.len() < 5 {
            first_bad.push(format!("{id}: engine {have:?}, custseg {want:?}"));
        }
    }
    eprintln!("{engine} {what}: {agree} of {rows} customers agree with custseg score");
    assert_eq!(agree, rows, "{engine} {what}: {}", first_bad.join("; "));
}

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

struct Case {
    what: &'static str,
    file: PathBuf,
    utf8: String,
    delimiter: u8,
    table: &'static str,
}

fn english() -> Case {
    let file = repo("samples/customers_en.csv");
    Case {
        what: "customers_en.csv",
        utf8: std::fs::read_to_string(&file).unwrap(),
        file,
        delimiter: b',',
        table: "customers",
    }
}

fn chinese() -> Case {
    let file = repo("samples/customers_cn_gbk.csv");
    let bytes = std::fs::read(&file).unwrap();
    let (utf8, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad, "the sample is GBK");
    Case {
        what: "customers_cn_gbk.csv",
        utf8: utf8.into_owned(),
        file,
        delimiter: b';',
        table: "客户 表",
    }
}

/// A table with what real exports hold: missing markers, invalid ages and
/// counts, negative balances, padded text, dates before 1900, a mistyped
/// far-future date (the as-of typo rule) and activity after most of the data.
fn hostile(dir: &Path) -> Case {
    let mut s = String::from(
        "cust_id,age,gender,segment_hint,balance,txn_count,txn_amount,last_txn,opened,products\n",
    );
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let genders = ["M", "F", " F ", "n/a", "", "NULL", "女", "m"];
    for i in 0..900u64 {
        let r = next(100);
        let age = match r {
            0..=2 => "".to_string(),
            3 => "230".into(),
            4 => "-4".into(),
            5 => "NULL".into(),
            _ => (18 + next(70)).to_string(),
        };
        let balance = match next(50) {
            0 => "-1250.50".to_string(),
            1 => "".into(),
            2 => "98765432.10".into(),
            _ => format!("{}.{:02}", next(400_000), next(100)),
        };
        let count = match next(40) {
            0 => "-3".to_string(),
            1 => "N/A".into(),
            _ => next(300).to_string(),
        };
        let amount = format!("{}.{:02}", next(2_000_000), next(100));
        let day = |base: u64, span: u64, n: u64| {
            let d = base + n % span;
            let (y, m, dd) = (2000 + d / 365, 1 + (d % 365) / 31 % 12, 1 + d % 28);
            format!("{y}-{m:02}-{dd:02}")
        };
        let last = match next(200) {
            0 => "2099-12-31".to_string(),
            1 => "1850-03-01".into(),
            2..=5 => "".into(),
            n => day(8000, 900, n * 7919 + i),
        };
        let opened = match next(60) {
            0 => "".to_string(),
            n => day(0, 8000, n * 104_729 + i * 31),
        };
        let products = match next(30) {
            0 => "-1".to_string(),
            _ => (1 + next(8)).to_string(),
        };
        let hint = ["A", "B", "C"][next(3) as usize];
        let g = genders[next(genders.len() as u64) as usize];
        s.push_str(&format!(
            "H{i:05},{age},\"{g}\",{hint},{balance},{count},{amount},{last},{opened},{products}\n"
        ));
    }
    let file = dir.join("hostile.csv");
    std::fs::write(&file, &s).unwrap();
    Case {
        what: "generated hostile table",
        file,
        utf8: s,
        delimiter: b',',
        table: "hostile",
    }
}

fn check_sqlite(case: &Case, score_flags: &[&str], sql_flags: &[&str]) -> Trained {
    let trained = train_and_score(&case.file, score_flags);
    let sql = sql_for(&trained.model, "sqlite", case.table, sql_flags);
    let t = typed(&case.file, &case.utf8, case.delimiter);
    let got = run_sqlite(&t, case.table, &sql);
    assert_agree("sqlite", case.what, &trained.scored, &got);
    trained
}

#[test]
fn sqlite_agrees_on_the_english_sample() {
    check_sqlite(&english(), &[], &[]);
}

#[test]
fn sqlite_agrees_on_the_chinese_sample() {
    check_sqlite(&chinese(), &[], &[]);
}

#[test]
fn sqlite_agrees_on_a_hostile_table() {
    let dir = tempfile::tempdir().unwrap();
    let case = hostile(dir.path());
    check_sqlite(&case, &[], &[]);
    // An as-of date given to both: dates after it are invalid in both.
    check_sqlite(
        &case,
        &["--as-of", "2021-06-30"],
        &["--as-of", "2021-06-30"],
    );
    check_sqlite(
        &case,
        &["--as-of", "2021-06-30"],
        &["--as-of-sql", "'2021-06-30'"],
    );
}

// ---------------------------------------------------------------------------
// Transaction logs of every layout the aggregator reads
// ---------------------------------------------------------------------------

/// xorshift64*: a fixed stream per seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn iso(day: u64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Days::new(day);
    d.format("%Y-%m-%d").to_string()
}

fn log_case(dir: &Path, what: &'static str, header: &str, rows: Vec<String>) -> Case {
    let mut s = String::from(header);
    s.push('\n');
    for r in rows {
        s.push_str(&r);
        s.push('\n');
    }
    let file = dir.join(format!("{}.csv", what.replace(' ', "_")));
    std::fs::write(&file, &s).unwrap();
    Case {
        what,
        file,
        utf8: s,
        delimiter: b',',
        table: "log",
    }
}

/// Customer `c`'s share of activity: a few very active, many quiet.
fn customer(rng: &mut Rng, n: u64) -> u64 {
    let a = rng.below(n);
    let b = rng.below(n);
    a.min(b)
}

/// Retail invoice lines: invoices of 1-4 lines, cancellations as C-numbers
/// with negative quantities, lines without a customer, padded ids, a price
/// that cannot be read.
fn invoice_log(dir: &Path) -> Case {
    let mut rng = Rng::new(7);
    let mut rows = Vec::new();
    for inv in 0..1500u64 {
        let c = customer(&mut rng, 300);
        let cancel = rng.below(15) == 0;
        let id = match rng.below(40) {
            0 => String::new(),
            1 => format!(" {} ", 12_000 + c),
            _ => format!("{}", 12_000 + c),
        };
        let day = (c * 7 + rng.below(500)) % 540;
        let country = ["United Kingdom", "France", "Germany"][(c % 3) as usize];
        for line in 0..1 + rng.below(4) {
            let qty = (1 + rng.below(12)) as i64 * if cancel { -1 } else { 1 };
            let price = match rng.below(200) {
                0 => "n/a".to_string(),
                _ => format!("{}.{:02}", rng.below(30), rng.below(100)),
            };
            let number = format!("{}{}", if cancel { "C" } else { "" }, 536_000 + inv);
            rows.push(format!(
                "{number},{},ITEM {line},{qty},{} 10:{:02},{price},{id},{country}",
                20_000 + rng.below(500),
                iso(day),
                rng.below(60)
            ));
        }
    }
    log_case(
        dir,
        "invoice lines",
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
        rows,
    )
}

/// A debit/credit ledger in Chinese with a direction column (some words
/// traditional, some unknown), a balance on every row (several rows on a
/// customer's last day), and amounts missing now and then.
fn directed_log(dir: &Path) -> Case {
    let mut rng = Rng::new(11);
    let words = [
        "收入", "支出", "貸", "借方", "Cash-In", "CASH_OUT", "TRANSFER", "存入", "支取",
    ];
    let mut rows = Vec::new();
    for i in 0..4000u64 {
        let c = customer(&mut rng, 400);
        let amount = match rng.below(100) {
            0 => "NULL".to_string(),
            _ => format!("{}.{:02}", 10 + rng.below(50_000), rng.below(100)),
        };
        let day = (c * 3 + i / 10 + rng.below(3)) % 600;
        rows.push(format!(
            "{:08},A{c:04},{},{},{amount},{}.{:02}",
            90_000_000 + i,
            iso(day),
            words[rng.below(words.len() as u64) as usize],
            rng.below(900_000),
            rng.below(100)
        ));
    }
    log_case(
        dir,
        "directed ledger",
        "流水号,账号,交易日期,收支类型,交易金额,余额",
        rows,
    )
}

/// Signed amounts (money in positive, out negative), no direction column,
/// a gender attribute whose rows disagree now and then (ties go to the
/// later row), undated rows.
fn signed_log(dir: &Path) -> Case {
    let mut rng = Rng::new(13);
    let mut rows = Vec::new();
    for i in 0..4000u64 {
        let c = customer(&mut rng, 350);
        let sign = if rng.below(2) == 0 { "-" } else { "" };
        let date = match rng.below(80) {
            0 => String::new(),
            _ => iso((c * 5 + rng.below(400)) % 700),
        };
        let gender = match rng.below(12) {
            0 => "F",
            1 => "M",
            _ => ["F", "M"][(c % 2) as usize],
        };
        // An age that a third of the rows disagree on: a tie now and then.
        let age = 20 + c % 55 + u64::from(rng.below(3) == 0);
        rows.push(format!(
            "T{i:07},{},{date},{sign}{}.{:02},{gender},{age}",
            800_000 + c,
            1 + rng.below(20_000),
            rng.below(100)
        ));
    }
    log_case(
        dir,
        "signed amounts",
        "txn_id,account_id,date,amount,gender,age",
        rows,
    )
}

/// Money in and out in two columns of their own (a row with both, or with
/// neither, reads as neither).
fn split_log(dir: &Path) -> Case {
    let mut rng = Rng::new(17);
    let mut rows = Vec::new();
    for i in 0..4000u64 {
        let c = customer(&mut rng, 350);
        let amount = format!("{}.{:02}", 1 + rng.below(9_000), rng.below(100));
        let (credit, debit) = match rng.below(30) {
            0 => (amount.clone(), amount.clone()),
            1 => (String::new(), "0".to_string()),
            n if n % 2 == 0 => (amount, String::new()),
            _ => (String::new(), amount),
        };
        rows.push(format!(
            "R{i:06},{},{},{credit},{debit}",
            5000 + c,
            iso((c * 11 + rng.below(300)) % 650)
        ));
    }
    log_case(
        dir,
        "split flows",
        "Reference,Customer ID,Transaction Date,Credit Amount,Debit Amount",
        rows,
    )
}

fn transactions() -> Case {
    let file = repo("samples/transactions.csv");
    Case {
        what: "transactions.csv",
        utf8: std::fs::read_to_string(&file).unwrap(),
        file,
        delimiter: b',',
        table: "transactions",
    }
}

#[test]
fn sqlite_agrees_on_the_sample_transaction_log() {
    check_sqlite(&transactions(), &[], &[]);
    check_sqlite(
        &transactions(),
        &["--as-of", "2023-06-30"],
        &["--as-of", "2023-06-30"],
    );
}

#[test]
fn sqlite_agrees_on_logs_of_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (invoice_log(dir.path()), "invoice_lines", "invoices"),
        (directed_log(dir.path()), "flows", "last_balance"),
        (signed_log(dir.path()), "flows", "age"),
        (split_log(dir.path()), "split_flows", "txn_inflow"),
    ];
    for (case, layout, feature_source) in cases {
        let trained = check_sqlite(&case, &[], &[]);
        // The log was read as meant, and the features use what it tests.
        let model: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&trained.model).unwrap()).unwrap();
        assert_eq!(model["log_plan"]["layout"]["kind"], layout, "{}", case.what);
        let sources: Vec<&str> = model["features"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["source"]["column"].as_str().unwrap())
            .collect();
        assert!(
            sources.contains(&feature_source),
            "{}: {sources:?}",
            case.what
        );
    }
}

/// `custseg score` refuses an as-of date before every date; so does the
/// statement, naming the earliest date, in a customer table and a log.
#[test]
fn an_as_of_date_before_every_date_is_refused() {
    for case in [english(), transactions()] {
        let trained = train_and_score(&case.file, &[]);
        let refused = custseg(&[
            "score",
            "--model",
            trained.model.to_str().unwrap(),
            case.file.to_str().unwrap(),
            "--out",
            "/dev/null",
            "--as-of",
            "1990-01-01",
        ]);
        assert!(!refused.status.success(), "custseg score refuses it");
        let said = String::from_utf8_lossy(&refused.stderr).to_string();
        let sql = sql_for(
            &trained.model,
            "sqlite",
            case.table,
            &["--as-of", "1990-01-01"],
        );
        let t = typed(&case.file, &case.utf8, case.delimiter);
        let run = std::panic::AssertUnwindSafe(|| run_sqlite(&t, case.table, &sql));
        let err = std::panic::catch_unwind(run).expect_err("the statement stops");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            msg.contains("the as-of date 1990-01-01 is earlier than every"),
            "{msg}"
        );
        // The customer table's earliest date is the one custseg names.
        if let Some(at) = said.find("the earliest is ") {
            let date = &said[at..at + 26];
            assert!(msg.contains(date), "custseg: {said}\nsql: {msg}");
        }
    }
}

#[test]
fn every_dialect_writes_a_statement() {
    let trained = train_and_score(&transactions().file, &[]);
    for d in custseg::pipeline::score_sql::Dialect::ALL {
        let sql = sql_for(&trained.model, d.name(), "db.txns", &[]);
        assert!(sql.contains("custseg_assigned"), "{}", d.name());
    }
}

#[test]
fn unknown_dialects_are_named() {
    let res = custseg(&[
        "sql",
        "--model",
        "m.json",
        "--dialect",
        "oracle8i",
        "--table",
        "t",
    ]);
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(
        err.contains("oracle") && err.contains("use one of"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// PostgreSQL: a throwaway server on a unix socket
// ---------------------------------------------------------------------------

/// A PostgreSQL program: /usr/local/bin, /usr/bin, or Debian's versioned
/// /usr/lib/postgresql/N/bin (where `apt-get install postgresql` puts it).
fn pg_bin(name: &str) -> Option<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/local/bin"), PathBuf::from("/usr/bin")];
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        dirs.extend(versions.flatten().map(|v| v.path().join("bin")));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.exists())
}

struct Postgres {
    dir: tempfile::TempDir,
    pg_ctl: PathBuf,
    psql: PathBuf,
}

impl Postgres {
    /// initdb + pg_ctl start as the `postgres` user (the server refuses root).
    fn start() -> Option<Postgres> {
        let (Some(initdb), Some(pg_ctl), Some(psql)) =
            (pg_bin("initdb"), pg_bin("pg_ctl"), pg_bin("psql"))
        else {
            eprintln!(
                "\n*** SKIPPED: PostgreSQL binaries (initdb, pg_ctl, psql) not found; \
                 install postgresql (.ci/run does) to run the PostgreSQL agreement test ***\n"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres", dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
        let data = dir.path().join("data");
        let as_pg = |args: &[&str]| {
            let out = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        as_pg(&[
            initdb.to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        let opts = format!("-k {} -c listen_addresses=''", dir.path().display());
        let log = dir.path().join("log");
        as_pg(&[
            pg_ctl.to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
        Some(Postgres { dir, pg_ctl, psql })
    }

    fn psql(&self, script: &str) -> String {
        let out = Command::new(&self.psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-h"])
            .arg(self.dir.path())
            .args(["-U", "postgres", "-d", "postgres", "-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(script.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Loads the table with `\copy` from a CSV of the typed cells.
    fn load(&self, t: &Typed, table: &str) {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let cols: Vec<String> = t
            .names
            .iter()
            .zip(&t.types)
            .map(|(n, ty)| {
                let ty = match ty {
                    ColumnType::Number | ColumnType::Flag => "DOUBLE PRECISION",
                    ColumnType::Date => "DATE",
                    ColumnType::Text => "TEXT",
                };
                format!("{} {ty}", q(n))
            })
            .collect();
        let csv_path = self.dir.path().join(format!("{}.csv", t.names.len()));
        let mut w = csv::Writer::from_path(&csv_path).unwrap();
        w.write_record(&t.names).unwrap();
        for row in &t.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Num(Some(x)) => format!("{x:?}"),
                    Cell::Date(Some(d)) => d.clone(),
                    Cell::Text(s) => s.clone(),
                    _ => String::new(),
                })
                .collect();
            w.write_record(&cells).unwrap();
        }
        w.flush().unwrap();
        self.psql(&format!(
            "DROP TABLE IF EXISTS {t}; CREATE TABLE {t} ({});\n\\copy {t} FROM '{}' WITH (FORMAT csv, HEADER true)\n",
            cols.join(", "),
            csv_path.display(),
            t = q(table)
        ));
    }

    fn score(&self, sql: &str) -> Vec<(String, i64, String, f64)> {
        let out = self.psql(sql);
        let mut r = csv::Reader::from_reader(out.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (
                    rec[0].to_string(),
                    rec[1].parse().unwrap(),
                    rec[2].to_string(),
                    rec[4].parse().unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&self.pg_ctl)
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

#[test]
fn postgres_agrees_on_every_sample() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile(dir.path());
    let logs = [
        transactions(),
        invoice_log(dir.path()),
        directed_log(dir.path()),
        signed_log(dir.path()),
        split_log(dir.path()),
    ];
    let (en, cn) = (english(), chinese());
    let mut runs: Vec<(&Case, &[&str], &[&str])> = vec![
        (&en, &[], &[]),
        (&cn, &[], &[]),
        (&hostile, &[], &[]),
        (
            &hostile,
            &["--as-of", "2021-06-30"],
            &["--as-of", "2021-06-30"],
        ),
        (
            &logs[0],
            &["--as-of", "2023-06-30"],
            &["--as-of-sql", "DATE '2023-06-30'"],
        ),
    ];
    runs.extend(logs.iter().map(|c| (c, &[][..], &[][..])));
    for (case, score_flags, sql_flags) in runs {
        let trained = train_and_score(&case.file, score_flags);
        let sql = sql_for(&trained.model, "postgres", case.table, sql_flags);
        pg.load(&typed(&case.file, &case.utf8, case.delimiter), case.table);
        let got = pg.score(&sql);
        assert_agree("postgres", case.what, &trained.scored, &got);
    }
}

/// `--schema`: the engine's description of the table is checked before a
/// statement is written; every missing or mistyped column is named.
#[test]
fn a_table_that_does_not_fit_the_model_is_named_column_by_column() {
    let trained = train_and_score(&transactions().file, &[]);
    let dir = tempfile::tempdir().unwrap();
    let schema = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let run = |p: &Path| {
        custseg(&[
            "sql",
            "--model",
            trained.model.to_str().unwrap(),
            "--dialect",
            "snowflake",
            "--table",
            "txns",
            "--schema",
            p.to_str().unwrap(),
        ])
    };
    let bad = schema(
        "bad.csv",
        "column_name,data_type\nTRANSACTIONID,VARCHAR\nCustomerID,VARCHAR\nCustomerDOB,DATE\n\
         CustAccountBalance,DATE\n\"TransactionAmount (INR)\",\"NUMBER(18,2)\"\n",
    );
    let res = run(&bad);
    assert!(!res.status.success());
    assert!(res.stdout.is_empty(), "no statement is written");
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    for part in [
        "bad.csv",
        "'txns' does not fit the model",
        "no column 'TransactionDate' (read as a date)",
        "'CustAccountBalance' is DATE in the table, but the model reads a number",
        "no column 'TransactionID' (read as text), but 'TRANSACTIONID'",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let good = schema(
        "good.csv",
        "TransactionID,VARCHAR(16)\nCustomerID,VARCHAR(16)\nCustomerDOB,DATE\nCustAccountBalance,FLOAT\n\
         TransactionDate,TIMESTAMP_NTZ\n\"TransactionAmount (INR)\",\"NUMBER(18,2)\"\n",
    );
    let res = run(&good);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(String::from_utf8_lossy(&res.stdout).contains("custseg_assigned"));
}
