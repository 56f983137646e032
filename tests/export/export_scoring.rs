//! A run's export writes scoring SQL (`--sql-dialect`) and PMML (`--pmml`)
//! through the same output set as its other files, and they score like
//! the run: the exported SQLite statement run in SQLite gives every
//! customer the segment of segmentation_results.csv (a generated messy
//! customer table under a Chinese file name, and a generated transaction
//! log); the statement under its header is what `custseg sql` writes and
//! the header's own command writes it again; the PMML is byte for byte
//! `custseg pmml`'s; run.toml replays them; a bad dialect or table name is
//! refused before anything is written.

use crate::sql_util;

use custseg::pipeline::export::outset::Manifest;
use sql_util::{run_sqlite, typed};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("custseg runs")
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "custseg {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `custseg sample` into `dir/name` with `flags`.
fn sample(dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut args = vec!["sample", "--out", s(&path)];
    args.extend_from_slice(flags);
    ok(&args);
    path
}

/// A headless run into `out` with `flags`; its `--json` summary.
fn export(input: &Path, out: &Path, flags: &[&str]) -> serde_json::Value {
    let mut args = vec!["--no-tui", s(input), "--out", s(out), "--json"];
    args.extend_from_slice(flags);
    serde_json::from_str(&ok(&args)).unwrap()
}

/// segmentation_results.csv: customer id -> segment.
fn results(out: &Path) -> BTreeMap<String, i64> {
    let mut r = csv::Reader::from_path(out.join("segmentation_results.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!((&header[0], &header[1]), ("customer_id", "segment"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].parse().unwrap())
        })
        .collect()
}

/// Runs the exported SQLite statement over `input` loaded as table
/// `table`, and checks every customer of the run gets its segment. An id
/// on several rows of a customer table (kept once by the run) is scored
/// on each row: its run segment must be among them. Returns how many
/// customers were checked.
fn assert_sqlite_gives_the_run_segments(
    input: &Path,
    delimiter: u8,
    table: &str,
    out: &Path,
) -> usize {
    let sql = std::fs::read_to_string(out.join("scoring_sqlite.sql")).unwrap();
    let utf8 = std::fs::read_to_string(input).unwrap();
    let got = run_sqlite(&typed(input, &utf8, delimiter), table, &sql);
    let mut by_id: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (id, segment, _, distance) in got {
        assert!(distance.is_finite() && distance >= 0.0, "{id}: {distance}");
        by_id.entry(id).or_default().push(segment);
    }
    let expected = results(out);
    let mut wrong = Vec::new();
    for (id, seg) in &expected {
        match by_id.get(id) {
            Some(segs) if segs.len() == 1 && segs[0] == *seg => {}
            Some(segs) if segs.len() > 1 && segs.contains(seg) => {}
            other => wrong.push(format!("{id}: run {seg}, sqlite {other:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} customers differ: {:?}",
        wrong.len(),
        expected.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert_eq!(
        by_id.len(),
        expected.len(),
        "no customer the run did not have"
    );
    expected.len()
}

/// The statement of an exported file: what follows its export header.
fn statement(file_text: &str) -> &str {
    let at = file_text
        .find("-- custseg ")
        .expect("the statement's own header");
    &file_text[at..]
}

/// The header's `-- Regenerate: custseg sql ...` command, run by a shell
/// with this custseg: its output.
fn regenerate(file_text: &str) -> String {
    let line = file_text
        .lines()
        .find_map(|l| l.strip_prefix("-- Regenerate: custseg "))
        .expect("a Regenerate line");
    let exe = env!("CARGO_BIN_EXE_custseg");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("'{exe}' {line}"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn assert_in_the_set(out: &Path, names: &[&str]) {
    let manifest = Manifest::read(out).unwrap().expect("a manifest");
    for name in names {
        let entry = manifest
            .files
            .iter()
            .find(|f| f.name == *name)
            .unwrap_or_else(|| panic!("{name} not in manifest.json"));
        let meta = std::fs::metadata(out.join(name)).unwrap();
        assert_eq!(meta.len(), entry.bytes, "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        }
    }
}

#[test]
fn a_customer_table_exports_sql_and_pmml_that_score_like_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    // Missing, invalid and duplicated values; a Chinese header and a file
    // name that is no identifier as it stands.
    let input = sample(
        tmp.path(),
        "客户 数据 (2024).csv",
        &["--rows", "1500", "--messy", "--chinese"],
    );
    let out = tmp.path().join("out");
    let json = export(
        &input,
        &out,
        &["--sql-dialect", "sqlite,postgres", "--pmml"],
    );
    let files = ["scoring_sqlite.sql", "scoring_postgres.sql", "model.pmml"];
    assert_in_the_set(&out, &files);
    let outputs = json["outputs"].to_string();
    for f in files {
        assert!(outputs.contains(f), "--json outputs lack {f}: {outputs}");
    }
    let sql = &json["scoring"]["sql"];
    assert_eq!(sql[0]["dialect"], "sqlite");
    assert_eq!(sql[1]["dialect"], "postgres");
    assert_eq!(sql[0]["table"], "客户_数据_2024");
    assert_eq!(sql[0]["table_from"], "input_name");
    assert_eq!(sql[0]["as_of"], "latest_in_table");
    assert!(
        json["scoring"]["pmml"]
            .as_str()
            .unwrap()
            .ends_with("model.pmml")
    );

    let n = assert_sqlite_gives_the_run_segments(&input, b',', "客户_数据_2024", &out);
    assert!(n > 1000, "{n} customers");

    // The header says what the statement reads and how to write it again.
    let text = std::fs::read_to_string(out.join("scoring_sqlite.sql")).unwrap();
    assert!(
        text.contains(
            "-- Table: \"客户_数据_2024\" (named after the input file 客户 数据 (2024).csv)."
        ),
        "{text}"
    );
    assert!(text.contains("-- As-of date: the latest activity date in the table when the statement runs, as the run took"));
    let model = out.join("model.json");
    let again = ok(&[
        "sql",
        "--model",
        s(&model),
        "--dialect",
        "sqlite",
        "--table",
        "客户_数据_2024",
    ]);
    assert_eq!(statement(&text), again, "the statement is custseg sql's");
    assert_eq!(
        regenerate(&text),
        again,
        "the header's command writes it again"
    );
    let pg = std::fs::read_to_string(out.join("scoring_postgres.sql")).unwrap();
    assert_eq!(regenerate(&pg), statement(&pg));

    // The PMML is custseg pmml's, byte for byte.
    let pmml = tmp.path().join("cmd.pmml");
    ok(&["pmml", "--model", s(&model), "--out", s(&pmml)]);
    assert_eq!(
        std::fs::read(&pmml).unwrap(),
        std::fs::read(out.join("model.pmml")).unwrap()
    );

    // The report names them; model.json does not depend on them.
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("## Scoring in the warehouse"), "{report}");
    assert!(report.contains("`scoring_postgres.sql`") && report.contains("`model.pmml`"));
    let plain = tmp.path().join("plain");
    export(&input, &plain, &[]);
    assert_eq!(
        std::fs::read(plain.join("model.json")).unwrap(),
        std::fs::read(&model).unwrap(),
        "model.json is the same with or without the scoring files"
    );
    assert!(!plain.join("model.pmml").exists() && !plain.join("scoring_sqlite.sql").exists());
}

#[test]
fn a_transaction_log_exports_sql_that_aggregates_it_like_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample(
        tmp.path(),
        "txns.csv",
        &["--rows", "6000", "--transactions"],
    );
    let out = tmp.path().join("out");
    let json = export(
        &input,
        &out,
        &[
            "--sql-dialect",
            "sqlite",
            "--sql-dialect",
            "duckdb",
            "--sql-table",
            "raw_log",
        ],
    );
    assert_eq!(json["aggregated_transactions"], true);
    assert_eq!(json["scoring"]["sql"][0]["table"], "raw_log");
    assert_eq!(json["scoring"]["sql"][0]["table_from"], "given");
    assert_eq!(json["scoring"]["pmml"], serde_json::Value::Null);
    assert_in_the_set(&out, &["scoring_sqlite.sql", "scoring_duckdb.sql"]);
    assert!(!out.join("model.pmml").exists());
    let n = assert_sqlite_gives_the_run_segments(&input, b',', "raw_log", &out);
    assert!(n >= 900, "{n} customers");
    let text = std::fs::read_to_string(out.join("scoring_sqlite.sql")).unwrap();
    assert!(text.contains("reads the raw transaction log"), "{text}");
    assert!(text.contains("-- Table: \"raw_log\" (as named for the export)."));
}

#[test]
fn a_given_as_of_date_is_fixed_in_the_statement() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample(tmp.path(), "customers.csv", &["--rows", "1200", "--messy"]);
    let out = tmp.path().join("out");
    let json = export(
        &input,
        &out,
        &["--sql-dialect", "sqlite", "--as-of", "2024-03-31"],
    );
    assert_eq!(json["scoring"]["sql"][0]["as_of"], "2024-03-31");
    let text = std::fs::read_to_string(out.join("scoring_sqlite.sql")).unwrap();
    assert!(
        text.contains("-- As-of date: 2024-03-31, fixed, as the run was given it."),
        "{text}"
    );
    assert!(
        text.contains("--table customers --as-of 2024-03-31"),
        "{text}"
    );
    assert_sqlite_gives_the_run_segments(&input, b',', "customers", &out);
    assert_eq!(regenerate(&text), statement(&text));
}

#[test]
fn run_toml_replays_the_scoring_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample(tmp.path(), "customers.csv", &["--rows", "800"]);
    let first = tmp.path().join("first");
    export(
        &input,
        &first,
        &[
            "--sql-dialect",
            "oracle,sqlite",
            "--pmml",
            "--sql-table",
            "DW.CUSTOMERS",
        ],
    );
    let toml = std::fs::read_to_string(first.join("run.toml")).unwrap();
    assert!(
        toml.contains("[export]") && toml.contains("\"oracle\"") && toml.contains("DW.CUSTOMERS"),
        "{toml}"
    );
    let again = tmp.path().join("again");
    let saved = first.join("run.toml");
    ok(&["--no-tui", "--config", s(&saved), "--out", s(&again)]);
    for f in [
        "scoring_oracle.sql",
        "scoring_sqlite.sql",
        "model.pmml",
        "model.json",
    ] {
        let a = std::fs::read_to_string(first.join(f)).unwrap();
        let b = std::fs::read_to_string(again.join(f)).unwrap();
        // The headers point at their own folder's model.json.
        let b = b.replace(
            s(&again.canonicalize().unwrap()),
            s(&first.canonicalize().unwrap()),
        );
        assert_eq!(a, b, "{f} replays");
    }
    // A flag replaces the saved engines.
    let other = tmp.path().join("other");
    ok(&[
        "--no-tui",
        "--config",
        s(&saved),
        "--out",
        s(&other),
        "--sql-dialect",
        "trino",
    ]);
    assert!(other.join("scoring_trino.sql").exists() && !other.join("scoring_oracle.sql").exists());
    // Exporting again into the folder without them removes them.
    let mut toml_off = toml.replace("pmml = true", "pmml = false");
    toml_off = toml_off.replace("sql_table = \"DW.CUSTOMERS\"\n", "");
    let start = toml_off.find("sql_dialects = [").unwrap();
    let end = start + toml_off[start..].find(']').unwrap() + 1;
    toml_off.replace_range(start..end, "sql_dialects = []");
    let off = tmp.path().join("off.toml");
    std::fs::write(&off, toml_off).unwrap();
    ok(&[
        "--no-tui",
        "--config",
        s(&off),
        "--out",
        s(&first),
        "--force",
    ]);
    assert!(!first.join("model.pmml").exists() && !first.join("scoring_oracle.sql").exists());
    assert!(first.join("model.json").exists());
}

/// One line on stderr, exit code 2, and no output folder.
fn refused<A: AsRef<std::ffi::OsStr>>(args: &[A], out: &Path) -> String {
    let o = bin().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!out.exists(), "nothing written: {err}");
    err
}

#[test]
fn bad_dialects_and_tables_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let input = sample(tmp.path(), "customers.csv", &["--rows", "300"]);
    let out = tmp.path().join("out");
    let base = ["--no-tui", s(&input), "--out", s(&out)];
    let with = |extra: &[&'static str]| -> Vec<String> {
        base.iter().chain(extra).map(|a| a.to_string()).collect()
    };

    let err = refused(&with(&["--sql-dialect", "sqlite,oracle8i", "--pmml"]), &out);
    assert!(
        err.contains("'oracle8i'") && err.contains("--sql-dialect"),
        "{err}"
    );
    for d in [
        "postgres",
        "sqlite",
        "duckdb",
        "spark",
        "hive",
        "trino",
        "oracle",
        "sqlserver",
        "teradata",
        "bigquery",
        "snowflake",
        "mysql",
    ] {
        assert!(err.contains(d), "the valid names are listed: {err}");
    }
    let err = refused(
        &with(&["--sql-dialect", "sqlite", "--sql-table", "dw..customers"]),
        &out,
    );
    assert!(
        err.contains("--sql-table") && err.contains("empty part"),
        "{err}"
    );
    let err = refused(&with(&["--sql-table", "customers"]), &out);
    assert!(err.contains("no SQL dialect"), "{err}");

    // The same checks for run.toml, naming the file, line and key.
    let toml = tmp.path().join("run.toml");
    std::fs::write(&toml, "[export]\nsql_dialects = [\"sqlite\", \"db2\"]\n").unwrap();
    let cfg = [
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--config",
        s(&toml),
    ];
    let err = refused(&cfg, &out);
    assert!(
        err.contains("run.toml: line 2")
            && err.contains("unknown SQL dialect 'db2'")
            && err.contains("snowflake"),
        "{err}"
    );
    std::fs::write(
        &toml,
        "[export]\nsql_dialects = [\"sqlite\"]\nsql_table = \" t\"\n",
    )
    .unwrap();
    let err = refused(&cfg, &out);
    assert!(
        err.contains("export.sql_table") && err.contains("space"),
        "{err}"
    );
}

/// A model the SQL cannot express (no customer id column: every row is a
/// customer by its line number) fails the export in one line naming the
/// file, and the folder gets none of the run's files.
#[test]
fn a_model_the_sql_cannot_express_fails_the_export_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("measures.csv");
    let mut text = String::from("spend,visits,tenure_months\n");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push_str(&format!(
            "{}.{:02},{},{}\n",
            x % 5000,
            x % 100,
            x % 40,
            x % 120
        ));
    }
    std::fs::write(&input, text).unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "--no-tui",
        s(&input),
        "--out",
        s(&out),
        "--sql-dialect",
        "sqlite",
        "--pmml",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err
        .lines()
        .filter(|l| !l.starts_with('['))
        .collect::<Vec<_>>();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(last.len(), 1, "{err}");
    assert!(
        last[0].contains("scoring_sqlite.sql") && last[0].contains("customer id"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&out).map_or_else(|_| Vec::new(), |d| d.collect());
    assert!(left.is_empty(), "nothing written: {left:?}");
}
