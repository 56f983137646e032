//! Clean, transaction aggregation and Features: hand-checkable fixtures for
//! every rule, plus a property test that no NaN or infinity ever reaches the
//! clustering. Expected values are worked out in the comments.

use custseg::Error;
use custseg::pipeline::aggregate::{
    AggregateOptions, InputKind, aggregate_if_needed, aggregate_transactions, decide_input,
};
use custseg::pipeline::clean::{
    CleanOptions, CleanParams, ColumnAction, FillMethod, FillValue, IsoDate, apply_clean, clean,
};
use custseg::pipeline::features::{
    CORRELATION_ROWS, FeatureMode, FeatureOptions, FeatureParams, Transform, TransformMode,
    Winsorize, ZeroVariance, apply_features, build_features,
};
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::mapping::{ColumnUse, Mapping, MappingOptions, Role, map_columns};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::{Column, MISSING_DATE, SourceInfo, Table, TextColumn};
use custseg::remedy::Remedy;
use proptest::prelude::*;
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

fn table(cols: Vec<Column>) -> Table {
    Table::new(cols, SourceInfo::default())
}

fn text(name: &str, vals: &[Option<&str>]) -> Column {
    Column::text(name, TextColumn::from_values(vals.iter().copied()))
}

fn ids(n: usize) -> Column {
    let v: Vec<String> = (0..n).map(|i| format!("C{i:03}")).collect();
    Column::text(
        "customer_id",
        TextColumn::from_values(v.iter().map(|s| Some(s.as_str()))),
    )
}

fn day(s: &str) -> i32 {
    s.parse::<IsoDate>().unwrap().0
}

fn dates(name: &str, vals: &[Option<&str>]) -> Column {
    Column::date(
        name,
        vals.iter().map(|v| v.map_or(MISSING_DATE, day)).collect(),
    )
}

fn mapped(t: &Table) -> Mapping {
    map_columns(t, &MappingOptions::default()).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clean")
        .join(name)
}

fn load_fixture(name: &str) -> (Table, Mapping) {
    let t = load(&fixture(name), &LoadOptions::default(), &NoProgress).unwrap();
    let m = mapped(&t);
    (t, m)
}

fn nums<'a>(t: &'a Table, col: &str) -> &'a [f64] {
    t.column(col)
        .unwrap_or_else(|| panic!("no column {col}"))
        .numbers()
        .unwrap()
}

fn feature_column(f: &custseg::pipeline::features::Features, name: &str, scaled: bool) -> Vec<f64> {
    let j = f
        .names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no feature {name} in {:?}", f.names));
    if scaled {
        f.scaled_column(j).collect()
    } else {
        f.original_column(j).to_vec()
    }
}

fn no_transform() -> FeatureOptions {
    FeatureOptions {
        transform: TransformMode::None,
        ..FeatureOptions::default()
    }
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: {a} != {b}");
}

// ---------------------------------------------------------------------------
// Clean
// ---------------------------------------------------------------------------

#[test]
fn numeric_missing_gets_the_median_reported_and_stored() {
    // present: 10 20 30 40 50 60 70 80 -> median (40 + 50) / 2 = 45
    let nan = f64::NAN;
    let t = table(vec![
        ids(10),
        Column::number(
            "balance",
            vec![10.0, nan, 30.0, 20.0, nan, 40.0, 50.0, 60.0, 70.0, 80.0],
        ),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(
        nums(&c.table, "balance"),
        &[10.0, 45.0, 30.0, 20.0, 45.0, 40.0, 50.0, 60.0, 70.0, 80.0]
    );
    let r = c.report.column("balance").unwrap();
    assert_eq!(r.action, ColumnAction::Imputed);
    assert_eq!((r.missing_in, r.missing_before, r.missing_after), (2, 2, 0));
    let imp = r.imputation.as_ref().unwrap();
    assert_eq!(imp.method, FillMethod::Median);
    assert_eq!(imp.value, FillValue::Number(45.0));
    let p = c
        .params
        .columns
        .iter()
        .find(|p| p.name == "balance")
        .unwrap();
    assert_eq!(
        p.imputation.as_ref().unwrap().value,
        FillValue::Number(45.0)
    );
    assert!(c.report.to_text().contains("imputed with median 45"));
}

#[test]
fn categorical_missing_gets_the_mode_ties_to_the_first_seen() {
    let t = table(vec![
        ids(6),
        text(
            "gender",
            &[Some("M"), Some("F"), Some("F"), None, Some("M"), Some("F")],
        ),
        text(
            "segment",
            &[Some("b"), Some("a"), Some("a"), Some("b"), None, Some("c")],
        ),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let g = c.table.column("gender").unwrap().texts().unwrap();
    assert_eq!(g.get(3), Some("F"), "F x3 beats M x2");
    let s = c.table.column("segment").unwrap().texts().unwrap();
    assert_eq!(s.get(4), Some("b"), "a x2 and b x2 tie: b was seen first");
    let r = c.report.column("gender").unwrap();
    assert_eq!(r.imputation.as_ref().unwrap().method, FillMethod::Mode);
    assert_eq!(
        r.imputation.as_ref().unwrap().value,
        FillValue::Text("F".into())
    );
}

#[test]
fn exactly_thirty_percent_missing_is_kept_and_above_is_dropped() {
    let nan = f64::NAN;
    let t = table(vec![
        ids(10),
        // 3 of 10 missing = 30%: kept
        Column::number(
            "x_three",
            vec![nan, nan, nan, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        ),
        // 4 of 10 missing = 40%: dropped
        Column::number(
            "x_four",
            vec![nan, nan, nan, nan, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        ),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert!(c.table.column("x_three").is_some());
    assert!(c.table.column("x_four").is_none());
    let r = c.report.column("x_four").unwrap();
    assert_eq!(r.action, ColumnAction::Dropped);
    assert!(r.reason.contains("40.0% missing"), "{}", r.reason);
    // The limit is in the reason; the option to change it is a typed remedy
    // the command line words as its flag.
    assert!(
        r.reason.contains("max-missing limit of 30%"),
        "{}",
        r.reason
    );
    assert_eq!(r.remedy, Some(Remedy::MaxMissing { value: None }));
    assert!(
        r.cli_reason().contains("raise --max-missing"),
        "{}",
        r.cli_reason()
    );
    assert!(
        c.params
            .columns
            .iter()
            .any(|p| p.name == "x_four" && p.dropped.is_some())
    );
    assert!(
        c.report
            .notes
            .iter()
            .any(|n| n.contains("after invalid values"))
    );

    // The same with 1000 rows: 300 kept, 301 dropped.
    let col = |k: usize| -> Vec<f64> {
        (0..1000)
            .map(|i| if i < k { nan } else { i as f64 })
            .collect()
    };
    let t = table(vec![
        ids(1000),
        Column::number("k300", col(300)),
        Column::number("k301", col(301)),
    ]);
    let c = clean(&t, &mapped(&t), &CleanOptions::default()).unwrap();
    assert!(c.table.column("k300").is_some());
    assert!(c.table.column("k301").is_none());

    // --max-missing 0.4 keeps the 40% column.
    let t = table(vec![
        ids(10),
        Column::number(
            "x_four",
            vec![nan, nan, nan, nan, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        ),
    ]);
    let opts = CleanOptions {
        max_missing: 0.4,
        ..CleanOptions::default()
    };
    assert!(
        clean(&t, &mapped(&t), &opts)
            .unwrap()
            .table
            .column("x_four")
            .is_some()
    );
}

#[test]
fn invalid_ages_become_missing_before_the_median() {
    // valid: 25 40 35 30 45 50 60 33 -> sorted 25 30 33 35 40 45 50 60 -> 37.5
    // (with 130 and 140 left in, the median would be 42.5)
    let t = table(vec![
        ids(10),
        Column::number(
            "age",
            vec![25.0, 130.0, 140.0, 40.0, 35.0, 30.0, 45.0, 50.0, 60.0, 33.0],
        ),
        Column::number(
            "num_products",
            vec![1.0, -1.0, 2.0, 2.0, 3.0, 1.0, 2.0, 2.0, 1.0, 4.0],
        ),
        Column::number(
            "score",
            vec![
                1.0,
                f64::INFINITY,
                2.0,
                3.0,
                f64::NEG_INFINITY,
                4.0,
                5.0,
                6.0,
                7.0,
                8.0,
            ],
        ),
    ]);
    let m = mapped(&t);
    assert_eq!(m.column_for(Role::Age), Some("age"));
    assert_eq!(m.column_for(Role::ProductCount), Some("num_products"));
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let age = c.report.column("age").unwrap();
    assert_eq!(age.invalid, 2);
    assert_eq!(age.invalid_examples, vec!["line 3: 130", "line 4: 140"]);
    assert_eq!(
        age.imputation.as_ref().unwrap().value,
        FillValue::Number(37.5)
    );
    assert_eq!(nums(&c.table, "age")[1], 37.5);
    assert!(age.validity.contains("0 to 120"), "{}", age.validity);

    let p = c.report.column("num_products").unwrap();
    assert_eq!(p.invalid, 1, "negative product count");
    assert_eq!(nums(&c.table, "num_products")[1], 2.0);

    let s = c.report.column("score").unwrap();
    assert_eq!(s.invalid, 2, "non-finite numbers");
    assert_eq!(s.invalid_examples, vec!["line 3: inf", "line 6: -inf"]);
    assert!(nums(&c.table, "score").iter().all(|x| x.is_finite()));
}

#[test]
fn invalid_values_count_toward_the_missing_share() {
    // 1 missing + 3 invalid ages = 40% after invalid values became missing: dropped,
    // although only 10% was missing at load.
    let t = table(vec![
        ids(10),
        Column::number(
            "age",
            vec![
                f64::NAN,
                -1.0,
                200.0,
                300.0,
                35.0,
                30.0,
                45.0,
                50.0,
                60.0,
                33.0,
            ],
        ),
        Column::number("balance", (0..10).map(f64::from).collect()),
    ]);
    let c = clean(&t, &mapped(&t), &CleanOptions::default()).unwrap();
    let r = c.report.column("age").unwrap();
    assert_eq!((r.missing_in, r.invalid, r.missing_before), (1, 3, 4));
    assert_eq!(r.action, ColumnAction::Dropped);
    assert!(r.reason.contains("including 3 invalid"), "{}", r.reason);
    assert!(r.reason.contains("mapped as age"), "{}", r.reason);
    assert_eq!(
        r.remedy,
        Some(Remedy::MaxMissing {
            value: Some("0.40".into())
        })
    );
    assert!(
        r.cli_reason()
            .contains("raise --max-missing to at least 0.40"),
        "{}",
        r.cli_reason()
    );
    assert!(
        c.report
            .warnings
            .iter()
            .any(|w| w.text.contains("'age' (age) was dropped"))
    );
}

#[test]
fn dates_in_the_future_or_before_1900_are_invalid() {
    let t = table(vec![
        ids(7),
        dates(
            "last_txn_date",
            &[
                Some("2024-03-01"),
                Some("1899-12-31"),
                Some("2024-04-01"),
                Some("2024-02-01"),
                Some("2024-03-31"),
                Some("2023-12-01"),
                Some("2024-01-15"),
            ],
        ),
        Column::number("balance", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    ]);
    let m = mapped(&t);
    assert_eq!(m.column_for(Role::LastDate), Some("last_txn_date"));
    let opts = CleanOptions {
        as_of: Some(IsoDate::from_ymd(2024, 3, 31).unwrap()),
        ..CleanOptions::default()
    };
    let c = clean(&t, &m, &opts).unwrap();
    let r = c.report.column("last_txn_date").unwrap();
    assert_eq!(r.invalid, 2);
    assert_eq!(
        r.invalid_examples,
        vec!["line 3: 1899-12-31", "line 4: 2024-04-01"]
    );
    // 2 of 7 invalid = 28.6%: kept. Median of the 5 valid dates:
    // 2023-12-01 2024-01-15 [2024-02-01] 2024-03-01 2024-03-31
    assert_eq!(
        r.imputation.as_ref().unwrap().value,
        FillValue::Date(IsoDate::from_ymd(2024, 2, 1).unwrap())
    );
    assert_eq!(c.report.as_of, IsoDate::from_ymd(2024, 3, 31));
    assert_eq!(c.params.as_of, IsoDate::from_ymd(2024, 3, 31));
    assert_eq!(c.report.as_of_source, "given by the user");
}

#[test]
fn constant_columns_are_dropped_with_a_notice() {
    let t = table(vec![
        ids(4),
        Column::number("flag_like", vec![7.0, 7.0, f64::NAN, 7.0]),
        text("country", &[Some("CN"), Some("CN"), Some("CN"), Some("CN")]),
        Column::number("balance", vec![1.0, 2.0, 3.0, 4.0]),
    ]);
    let c = clean(&t, &mapped(&t), &CleanOptions::default()).unwrap();
    for name in ["flag_like", "country"] {
        let r = c.report.column(name).unwrap();
        assert_eq!(r.action, ColumnAction::Dropped, "{name}");
        assert!(r.reason.starts_with("constant"), "{}", r.reason);
        assert!(c.table.column(name).is_none());
    }
    let opts = CleanOptions {
        drop_constant: false,
        ..CleanOptions::default()
    };
    let c = clean(&t, &mapped(&t), &opts).unwrap();
    assert_eq!(nums(&c.table, "flag_like"), &[7.0, 7.0, 7.0, 7.0]);
}

#[test]
fn the_id_column_is_never_dropped_and_ignored_columns_pass_through() {
    let nan = f64::NAN;
    let t = table(vec![
        text("customer_id", &[Some("A"), None, None, None, Some("E")]),
        Column::number("RowNumber", vec![nan, nan, nan, 4.0, 5.0]),
        Column::number("balance", vec![1.0, 2.0, 3.0, 4.0, 5.0]),
    ]);
    let m = mapped(&t);
    assert_eq!(m.usage_of("RowNumber"), ColumnUse::Ignore);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(
        c.report.column("customer_id").unwrap().action,
        ColumnAction::Identifier
    );
    assert!(c.table.column("customer_id").is_some());
    let r = c.report.column("RowNumber").unwrap();
    assert_eq!(r.action, ColumnAction::Ignored);
    assert_eq!(r.missing_after, 3);
    assert_eq!(c.report.duplicates.missing_ids, 3);
    assert!(
        c.report
            .warnings
            .iter()
            .any(|w| w.text.contains("3 rows have no customer id"))
    );
}

#[test]
fn customers_fixture_report_lists_every_column() {
    // See tests/fixtures/clean/customers.csv (12 customers), with --as-of 2024-03-31.
    let (t, m) = load_fixture("customers.csv");
    assert_eq!(m.column_for(Role::LastDate), Some("last_txn_date"));
    assert_eq!(m.column_for(Role::ProductCount), Some("num_products"));
    let opts = CleanOptions {
        as_of: Some("2024-03-31".parse().unwrap()),
        ..CleanOptions::default()
    };
    let c = clean(&t, &m, &opts).unwrap();
    let rep = &c.report;

    // age: 130 (line 4) and -2 (line 6) invalid; median of the other ten = (38 + 41) / 2
    let age = rep.column("age").unwrap();
    assert_eq!(age.invalid, 2);
    assert_eq!(age.invalid_examples, vec!["line 4: 130", "line 6: -2"]);
    assert_eq!(
        age.imputation.as_ref().unwrap().value,
        FillValue::Number(39.5)
    );

    // last_txn_date: 'not a date' unparsed at load (line 6); 2024-04-15 after the
    // as-of (line 10) and 1899-05-01 (line 11) invalid: 3 of 12 = 25% missing, kept;
    // lower median of the nine valid dates = 2024-03-01
    let d = rep.column("last_txn_date").unwrap();
    assert_eq!(d.unparsed_at_load, 1);
    assert_eq!(d.unparsed_examples, vec!["line 6: 'not a date'"]);
    assert_eq!(d.invalid, 2);
    assert_eq!(d.missing_before, 3);
    assert_close(d.missing_share, 0.25, "share");
    assert_eq!(
        d.imputation.as_ref().unwrap().value,
        FillValue::Date("2024-03-01".parse().unwrap())
    );
    assert!(
        rep.warnings
            .iter()
            .any(|w| w.text.contains("'last_txn_date'") && w.text.contains("line 6: 'not a date'")),
        "{:?}",
        rep.warnings
    );

    // num_products: -1 on line 8 invalid; median of the other 11 = 2
    let p = rep.column("num_products").unwrap();
    assert_eq!(
        (p.invalid, p.imputation.as_ref().unwrap().value.clone()),
        (1, FillValue::Number(2.0))
    );
    // credit_score: 1 missing, median of 11 = 655
    let s = rep.column("credit_score").unwrap();
    assert_eq!(
        s.imputation.as_ref().unwrap().value,
        FillValue::Number(655.0)
    );
    // gender: F x6, M x5
    let g = rep.column("gender").unwrap();
    assert_eq!(
        g.imputation.as_ref().unwrap().value,
        FillValue::Text("F".into())
    );
    // channel: 4 of 12 missing = 33.3% > 30%: dropped
    let ch = rep.column("channel").unwrap();
    assert_eq!(ch.action, ColumnAction::Dropped);
    assert!(ch.reason.contains("33.3% missing"), "{}", ch.reason);
    // balance: nothing missing, the median (3400 + 5600) / 2 is still stored
    let b = rep.column("balance").unwrap();
    assert_eq!(b.action, ColumnAction::Kept);
    assert_eq!(
        b.imputation.as_ref().unwrap().value,
        FillValue::Number(4500.0)
    );

    assert_eq!(rep.columns.len(), 8, "every column is in the report");
    let txt = rep.to_text();
    assert!(txt.contains("1 unparsed at load"), "{txt}");
    assert!(txt.contains("DROPPED"), "{txt}");
}

/// One mistyped date (2099-12-31) must not become "today": the default
/// as-of is the latest plausible date, the typo is invalid (in the future)
/// and the user is told. A genuinely recent minority is not a typo.
#[test]
fn a_typo_date_far_after_the_rest_does_not_become_the_as_of_date() {
    let n = 300;
    let mut vals: Vec<String> = (0..n)
        .map(|i| format!("2024-{:02}-{:02}", i % 6 + 1, i % 28 + 1))
        .collect();
    vals[7] = "2099-12-31".into();
    let refs: Vec<Option<&str>> = vals.iter().map(|v| Some(v.as_str())).collect();
    let t = table(vec![ids(n), dates("last_txn_date", &refs)]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(c.as_of.date, IsoDate::from_ymd(2024, 6, 28));
    let w = c
        .report
        .warnings
        .iter()
        .map(|w| w.cli_line())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        w.contains("1 date lies more than a year after 99.9% of the activity dates (the latest is 2099-12-31 in 'last_txn_date', line 9)"),
        "{w}"
    );
    let col = c
        .report
        .columns
        .iter()
        .find(|c| c.name == "last_txn_date")
        .unwrap();
    assert_eq!(col.invalid, 1, "the typo is a date in the future");

    // 1% of customers active a year and a half later: real, not a typo.
    for v in vals.iter_mut().take(3) {
        *v = "2025-12-01".into();
    }
    vals[7] = "2024-01-01".into();
    let refs: Vec<Option<&str>> = vals.iter().map(|v| Some(v.as_str())).collect();
    let t = table(vec![ids(n), dates("last_txn_date", &refs)]);
    let c = clean(&t, &mapped(&t), &CleanOptions::default()).unwrap();
    assert_eq!(c.as_of.date, IsoDate::from_ymd(2025, 12, 1));
    assert!(c.as_of.warning.is_none());
}

#[test]
fn customers_fixture_report_quotes_the_same_lines_with_crlf_line_ends() {
    // The fixture with CRLF line ends, with and without a byte-order mark:
    // 'not a date' is still on line 6, 130 on line 4, -2 on line 6.
    let lf = std::fs::read_to_string(fixture("customers.csv")).unwrap();
    assert!(!lf.contains('\r'));
    let crlf = lf.replace('\n', "\r\n");
    let dir = tempfile::tempdir().unwrap();
    let opts = CleanOptions {
        as_of: Some("2024-03-31".parse().unwrap()),
        ..CleanOptions::default()
    };
    let (t, m) = load_fixture("customers.csv");
    let reference = clean(&t, &m, &opts).unwrap().report;
    for (name, text) in [
        ("crlf.csv", crlf.clone()),
        ("crlf_bom.csv", format!("\u{feff}{crlf}")),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
        assert_eq!(t.row_origin, (2..=13).collect::<Vec<u32>>(), "{name}");
        let rep = clean(&t, &mapped(&t), &opts).unwrap().report;
        let d = rep.column("last_txn_date").unwrap();
        assert_eq!(d.unparsed_examples, vec!["line 6: 'not a date'"], "{name}");
        let age = rep.column("age").unwrap();
        assert_eq!(age.invalid_examples, vec!["line 4: 130", "line 6: -2"]);
        for (a, b) in reference.columns.iter().zip(&rep.columns) {
            assert_eq!(a.unparsed_examples, b.unparsed_examples, "{name}");
            assert_eq!(a.invalid_examples, b.invalid_examples, "{name}");
        }
        assert_eq!(reference.warnings, rep.warnings, "{name}");
    }
}

#[test]
fn as_of_defaults_to_the_latest_activity_date_and_rejects_dates_before_all_data() {
    let t = table(vec![
        ids(3),
        dates(
            "last_txn_date",
            &[Some("2024-03-31"), Some("2024-03-01"), Some("2023-03-31")],
        ),
        dates(
            "birth_date",
            &[Some("1980-04-01"), Some("1990-03-31"), Some("2000-12-31")],
        ),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(c.as_of.date, Some(IsoDate(day("2024-03-31"))));
    assert!(
        c.report.as_of_source.contains("'last_txn_date', line 2"),
        "{}",
        c.report.as_of_source
    );

    let opts = CleanOptions {
        as_of: Some("2023-01-01".parse().unwrap()),
        ..CleanOptions::default()
    };
    let e = clean(&t, &m, &opts).unwrap_err();
    assert_eq!(
        e.setting(),
        Some(&Remedy::AsOf {
            date: Some("2023-01-01".into())
        }),
        "{e:?}"
    );
    assert_eq!(e.exit_code(), 2);
    // Each face names the option and its value (the CLI as the flag).
    let msg = custseg::cli::error_line(&e);
    assert!(msg.starts_with("--as-of 2023-01-01: earlier than"), "{msg}");
    assert!(
        msg.contains("2023-01-01") && msg.contains("2023-03-31"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// Transaction logs
// ---------------------------------------------------------------------------

#[test]
fn a_small_transaction_log_aggregates_to_one_row_per_customer() {
    // tests/fixtures/clean/transactions.csv: 10 transactions, one without an id (T06).
    // C1: T01 T03 T05 T08; C2: T02 T07 T10; C3: T04 T09.
    let (t, m) = load_fixture("transactions.csv");
    assert_eq!(m.column_for(Role::CustomerId), Some("CustomerID"));
    assert_eq!(m.column_for(Role::TxnDate), Some("TransactionDate"));
    assert_eq!(m.column_for(Role::TxnAmount), Some("TransactionAmount"));
    let d = decide_input(&t, &m, InputKind::Auto).unwrap();
    assert!(d.aggregate, "{}", d.reason);
    // With a transaction date, the first repeated id decides (T01 and T03).
    assert!(
        d.reason.contains("'C1' on line 2 and line 4"),
        "{}",
        d.reason
    );

    let (_, agg) =
        aggregate_if_needed(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap();
    let a = agg.unwrap();
    let at = &a.table;
    let r = &a.report;
    assert_eq!(
        (r.transactions_in, r.customers_out, r.rows_without_id),
        (10, 3, 1)
    );
    assert_eq!(r.rows_without_amount, 1, "T10 has no amount");
    let id = at.column("CustomerID").unwrap().texts().unwrap();
    assert_eq!(
        id.iter().collect::<Vec<_>>(),
        vec![Some("C1"), Some("C2"), Some("C3")]
    );
    assert_eq!(
        at.row_origin,
        vec![2, 3, 5],
        "line of each customer's first transaction"
    );
    assert_eq!(nums(at, "txn_count"), &[4.0, 3.0, 2.0]);
    // C1 100+50+30+20; C2 250.5+80 (T10 missing); C3 1000+500
    assert_eq!(nums(at, "txn_amount_total"), &[200.0, 330.5, 1500.0]);
    assert_eq!(nums(at, "txn_amount_mean"), &[50.0, 165.25, 750.0]);
    let first = at.column("first_txn_date").unwrap().dates().unwrap();
    let last = at.column("last_txn_date").unwrap().dates().unwrap();
    assert_eq!(
        first,
        &[day("2024-01-05"), day("2024-01-06"), day("2024-02-01")]
    );
    assert_eq!(
        last,
        &[day("2024-03-15"), day("2024-03-31"), day("2024-03-01")]
    );
    // Balance on the latest dated transaction: C1 T05 1200; C2 T07 4800 (T10 comes
    // later in the file but is dated 2024-02-15); C3 T04 20000 (T09 has none).
    assert_eq!(nums(at, "last_balance"), &[1200.0, 4800.0, 20000.0]);
    // C1 is F on three rows and M on one; Delhi x3, Noida x1.
    let g = at.column("CustGender").unwrap().texts().unwrap();
    assert_eq!(g.get(0), Some("F"));
    let loc = at.column("CustLocation").unwrap().texts().unwrap();
    assert_eq!(loc.get(0), Some("Delhi"));
    assert_eq!(r.disagreements.len(), 2);
    assert!(
        r.disagreements[0].example.contains("C1"),
        "{:?}",
        r.disagreements
    );
    assert_eq!(
        at.column("CustomerDOB").unwrap().dates().unwrap(),
        &[day("1990-05-20"), day("1985-11-02"), day("1970-01-15")]
    );
    // The transaction id is mapped as such, and is not a customer attribute.
    assert_eq!(m.column_for(Role::TxnId), Some("TransactionID"));
    assert!(at.column("TransactionID").is_none());
    assert!(
        r.not_carried
            .iter()
            .any(|(c, why)| c == "TransactionID" && why.contains("per transaction"))
    );

    // New roles for the next stages.
    let nm = &a.mapping;
    assert_eq!(nm.column_for(Role::TxnCount), Some("txn_count"));
    assert_eq!(nm.column_for(Role::TxnAmount), Some("txn_amount_total"));
    assert_eq!(nm.column_for(Role::LastDate), Some("last_txn_date"));
    assert_eq!(nm.column_for(Role::Balance), Some("last_balance"));
    assert_eq!(nm.column_for(Role::BirthDate), Some("CustomerDOB"));
    assert_eq!(nm.column_for(Role::Gender), Some("CustGender"));
    assert_eq!(nm.column_for(Role::Branch), Some("CustLocation"));

    // Then Clean and Features: as-of = latest last_txn_date = 2024-03-31.
    let c = clean(at, nm, &CleanOptions::default()).unwrap();
    assert_eq!(c.as_of.date, Some(IsoDate(day("2024-03-31"))));
    let f = build_features(&c.table, nm, &no_transform(), c.as_of.date).unwrap();
    assert_eq!(f.report.mode, FeatureMode::Template);
    // No Tenure: the log has no open date, and a first transaction is not
    // the day a customer joined (issue 11; new_in_log says who is new).
    assert_eq!(
        f.names,
        vec!["Recency", "Frequency", "Monetary", "Age", "Balance"]
    );
    assert_eq!(nm.column_for(Role::OpenDate), None);
    assert!(at.column("new_in_log").is_some());
    assert_eq!(feature_column(&f, "Recency", false), vec![16.0, 0.0, 30.0]);
    assert_eq!(feature_column(&f, "Frequency", false), vec![4.0, 3.0, 2.0]);
    assert_eq!(
        feature_column(&f, "Monetary", false),
        vec![200.0, 330.5, 1500.0]
    );
    // born 1990-05-20, 1985-11-02, 1970-01-15; completed years on 2024-03-31
    assert_eq!(feature_column(&f, "Age", false), vec![33.0, 38.0, 54.0]);
    assert!(f.report.profile_columns.contains(&"CustGender".to_string()));
    assert!(
        f.report
            .profile_columns
            .contains(&"txn_amount_mean".to_string())
    );
}

#[test]
fn auto_input_tells_duplicates_from_transactions() {
    // 10 rows, one repeated id, no transaction date: duplicates in a customer table.
    let mut v: Vec<String> = (0..10).map(|i| format!("C{i}")).collect();
    v[9] = "C0".into();
    let idc = Column::text(
        "customer_id",
        TextColumn::from_values(v.iter().map(|s| Some(s.as_str()))),
    );
    let t = table(vec![
        idc.clone(),
        Column::number("balance", (0..10).map(f64::from).collect()),
    ]);
    let m = mapped(&t);
    let d = decide_input(&t, &m, InputKind::Auto).unwrap();
    assert!(!d.aggregate, "{}", d.reason);
    assert!(d.reason.contains("duplicates"), "{}", d.reason);
    assert!(
        decide_input(&t, &m, InputKind::Transactions)
            .unwrap()
            .aggregate
    );

    // No id column: --input transactions is a usage error.
    let t = table(vec![Column::number("balance", vec![1.0, 2.0])]);
    let e = decide_input(&t, &mapped(&t), InputKind::Transactions).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.setting(),
        Some(&Remedy::InputKind {
            kind: "transactions".into()
        })
    );
    let line = custseg::cli::error_line(&e);
    assert!(line.contains("--map customer_id="), "{line}");
}

#[test]
fn aggregation_ties_pick_the_latest_value_and_dated_balances_win() {
    let t = table(vec![
        text(
            "customer_id",
            &[Some("A"), Some("A"), Some("B"), Some("A"), Some("A")],
        ),
        text(
            "branch",
            &[Some("X"), Some("Y"), Some("Z"), Some("Y"), Some("X")],
        ),
        dates(
            "txn_date",
            &[
                Some("2024-01-02"),
                None,
                Some("2024-01-01"),
                Some("2024-01-01"),
                None,
            ],
        ),
        Column::number("balance", vec![10.0, 20.0, 5.0, 30.0, 40.0]),
        Column::number("amount", vec![1.0, f64::INFINITY, 2.0, 3.0, 4.0]),
    ]);
    let m = mapped(&t);
    let a =
        aggregate_transactions(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap();
    // A: X x2 (rows 0, 4), Y x2 (rows 1, 3): tie, X seen last.
    assert_eq!(
        a.table.column("branch").unwrap().texts().unwrap().get(0),
        Some("X")
    );
    // A: the only dated rows are 0 (2024-01-02, 10) and 3 (2024-01-01, 30): 10.
    assert_eq!(nums(&a.table, "last_balance"), &[10.0, 5.0]);
    // The infinite amount is counted, not summed.
    assert_eq!(nums(&a.table, "txn_amount_total"), &[8.0, 2.0]);
    assert_eq!(a.report.rows_without_amount, 1);
    assert_eq!(a.report.rows_without_date, 2);
}

/// `--as-of` cuts a transaction log: later transactions are left out of
/// the count, the amounts, the last date and the last balance, and the
/// report says how many; a customer with only later transactions is not a
/// customer yet.
#[test]
fn transactions_after_the_as_of_date_are_left_out_and_counted() {
    let t = table(vec![
        text(
            "customer_id",
            &[Some("A"), Some("A"), Some("B"), Some("A"), Some("C")],
        ),
        dates(
            "txn_date",
            &[
                Some("2024-01-10"),
                Some("2024-02-10"),
                Some("2024-01-20"),
                Some("2024-03-10"),
                Some("2024-03-01"),
            ],
        ),
        Column::number("balance", vec![10.0, 20.0, 5.0, 30.0, 7.0]),
        Column::number("amount", vec![1.0, 2.0, 4.0, 8.0, 16.0]),
    ]);
    let m = mapped(&t);
    let as_of = IsoDate::from_ymd(2024, 2, 15);
    let a =
        aggregate_transactions(&t, &m, &AggregateOptions::default(), as_of, &NoProgress).unwrap();
    assert_eq!(a.table.n_rows, 2, "C has no transaction by the as-of date");
    assert_eq!(nums(&a.table, "txn_count"), &[2.0, 1.0]);
    assert_eq!(nums(&a.table, "txn_amount_total"), &[3.0, 4.0]);
    assert_eq!(nums(&a.table, "last_balance"), &[20.0, 5.0]);
    assert_eq!(
        a.table.column("last_txn_date").unwrap().dates().unwrap(),
        &[day("2024-02-10"), day("2024-01-20")]
    );
    assert_eq!(a.report.rows_after_as_of, 2);
    assert_eq!(a.report.as_of, as_of);
    assert!(
        a.report
            .warnings
            .iter()
            .any(|w| w == "2 transactions dated after the as-of date 2024-02-15 left out"),
        "{:?}",
        a.report.warnings
    );
    // Without --as-of every transaction counts.
    let all =
        aggregate_transactions(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap();
    assert_eq!(nums(&all.table, "txn_count"), &[3.0, 1.0, 1.0]);
    assert_eq!(all.report.rows_after_as_of, 0);
    // An as-of before every transaction is a usage error, not an empty table.
    let e = aggregate_transactions(
        &t,
        &m,
        &AggregateOptions::default(),
        IsoDate::from_ymd(2023, 1, 1),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(
        e.to_string().contains("after the as-of date 2023-01-01"),
        "{e}"
    );
}

/// What the aggregation leaves out is reported with lines: rows without an
/// id, and values the loader could not read (a transaction log on disk).
#[test]
fn aggregation_reports_rows_without_id_and_unreadable_values_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    let mut csv = String::from("CustomerID,TransactionDate,TransactionAmount\n");
    for i in 0..40 {
        let id = if i == 6 {
            String::new()
        } else {
            format!("C{}", i % 7)
        };
        let date = if i == 11 {
            "2024-13-45".to_string()
        } else {
            format!("2024-01-{:02}", i % 28 + 1)
        };
        csv.push_str(&format!("{id},{date},{}.5\n", i + 1));
    }
    std::fs::write(&path, csv).unwrap();
    let t = load(&path, &LoadOptions::default(), &NoProgress).unwrap();
    let m = mapped(&t);
    let a =
        aggregate_transactions(&t, &m, &AggregateOptions::default(), None, &NoProgress).unwrap();
    let w = a.report.warnings.join("\n");
    // Data row 6 is file line 8; data row 11 is line 13.
    assert!(
        w.contains(
            "1 transaction without a customer id in 'CustomerID' left out (the first on line 8)"
        ),
        "{w}"
    );
    assert!(
        w.contains("'TransactionDate': 1 value could not be read as dates and count as missing: line 13: '2024-13-45'"),
        "{w}"
    );
    assert_eq!(a.report.rows_without_id, 1);
}

// ---------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------

#[test]
fn recency_tenure_and_age_are_measured_against_the_as_of_date() {
    let t = table(vec![
        ids(3),
        dates(
            "last_txn_date",
            &[Some("2024-03-31"), Some("2024-03-01"), Some("2023-03-31")],
        ),
        dates(
            "open_date",
            &[Some("2020-01-15"), Some("2023-03-31"), Some("2024-01-01")],
        ),
        dates(
            "birth_date",
            &[Some("1980-04-01"), Some("1990-03-31"), Some("2000-12-31")],
        ),
    ]);
    let m = mapped(&t);
    assert_eq!(m.column_for(Role::OpenDate), Some("open_date"));
    assert_eq!(m.column_for(Role::BirthDate), Some("birth_date"));
    // Default as-of: the latest date, 2024-03-31.
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let f = build_features(&c.table, &m, &no_transform(), c.as_of.date).unwrap();
    assert_eq!(f.names, vec!["Recency", "Tenure", "Age"]);
    // 2023-03-31 -> 2024-03-31 spans 29 Feb 2024: 366 days
    assert_eq!(feature_column(&f, "Recency", false), vec![0.0, 30.0, 366.0]);
    // completed months: 2020-01-15 -> 50, 2023-03-31 -> 12, 2024-01-01 -> 2
    assert_eq!(feature_column(&f, "Tenure", false), vec![50.0, 12.0, 2.0]);
    // completed years: the 1980-04-01 birthday is tomorrow
    assert_eq!(feature_column(&f, "Age", false), vec![43.0, 34.0, 23.0]);
    assert_eq!(f.params.as_of, Some(IsoDate(day("2024-03-31"))));
    assert_eq!(f.report.as_of, Some(IsoDate(day("2024-03-31"))));
    assert!(
        f.report
            .feature("Recency")
            .unwrap()
            .source
            .contains("2024-03-31")
    );

    // --as-of 2024-04-30 moves every recency by 30 days.
    let opts = CleanOptions {
        as_of: Some("2024-04-30".parse().unwrap()),
        ..CleanOptions::default()
    };
    let c = clean(&t, &m, &opts).unwrap();
    let f = build_features(&c.table, &m, &no_transform(), c.as_of.date).unwrap();
    assert_eq!(
        feature_column(&f, "Recency", false),
        vec![30.0, 60.0, 396.0]
    );
}

#[test]
fn a_date_beats_a_ready_made_column_and_the_other_is_reported() {
    let t = table(vec![
        ids(3),
        dates(
            "last_txn_date",
            &[Some("2024-03-31"), Some("2024-03-01"), Some("2024-01-31")],
        ),
        Column::number("recency", vec![5.0, 6.0, 7.0]),
        Column::number("balance", vec![1.0, 2.0, 4.0]),
    ]);
    let m = mapped(&t);
    assert_eq!(m.column_for(Role::Recency), Some("recency"));
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let f = build_features(&c.table, &m, &no_transform(), c.as_of.date).unwrap();
    assert_eq!(f.names, vec!["Recency", "Balance"]);
    assert_eq!(feature_column(&f, "Recency", false), vec![0.0, 30.0, 60.0]);
    let why = f.report.left_out("recency").unwrap();
    assert!(why.contains("built from 'last_txn_date'"), "{why}");
    // Every template feature that is not built says why.
    assert!(
        f.report
            .left_out("Frequency")
            .unwrap()
            .contains("transaction count")
    );
}

#[test]
fn template_mode_adds_other_numeric_columns_and_generic_mode_takes_them_all() {
    let t = table(vec![
        ids(4),
        Column::number("age", vec![30.0, 40.0, 50.0, 60.0]),
        Column::number("balance", vec![1.0, 5.0, 2.0, 8.0]),
        Column::number("credit_score", vec![600.0, 650.0, 700.0, 500.0]),
        text("gender", &[Some("F"), Some("M"), Some("F"), Some("M")]),
    ]);
    let m = mapped(&t);
    let f = build_features(&t, &m, &no_transform(), None).unwrap();
    assert_eq!(f.report.mode, FeatureMode::Template);
    assert_eq!(f.names, vec!["Age", "Balance", "credit_score"]);
    assert_eq!(f.report.profile_columns, vec!["gender"]);

    // A credit-card usage table: many behavioural numbers, no template roles.
    let t = table(vec![
        text("CUST_ID", &[Some("C1"), Some("C2"), Some("C3"), Some("C4")]),
        Column::number("PURCHASES", vec![10.0, 0.0, 300.0, 45.0]),
        Column::number("CASH_ADVANCE", vec![0.0, 500.0, 0.0, 20.0]),
        Column::number("CREDIT_LIMIT", vec![1000.0, 3000.0, 7500.0, 1200.0]),
        Column::number("PRC_FULL_PAYMENT", vec![0.0, 0.5, 1.0, 0.25]),
    ]);
    let m = mapped(&t);
    let f = build_features(&t, &m, &no_transform(), None).unwrap();
    assert_eq!(f.report.mode, FeatureMode::Generic);
    assert!(
        f.report.mode_reason.contains("only 0 template features"),
        "{}",
        f.report.mode_reason
    );
    assert_eq!(
        f.names,
        vec![
            "PURCHASES",
            "CASH_ADVANCE",
            "CREDIT_LIMIT",
            "PRC_FULL_PAYMENT"
        ]
    );

    // select picks the columns; drop_features removes one.
    let opts = FeatureOptions {
        select: vec![
            "CREDIT_LIMIT".into(),
            "PURCHASES".into(),
            "CASH_ADVANCE".into(),
        ],
        drop_features: vec!["CASH_ADVANCE".into()],
        ..no_transform()
    };
    let f = build_features(&t, &m, &opts, None).unwrap();
    assert_eq!(f.names, vec!["CREDIT_LIMIT", "PURCHASES"]);
    assert!(
        f.report
            .left_out("CASH_ADVANCE")
            .unwrap()
            .contains("dropped by the user")
    );

    let bad = FeatureOptions {
        drop_features: vec!["Nope".into()],
        ..FeatureOptions::default()
    };
    let e = build_features(&t, &m, &bad, None).unwrap_err();
    assert_eq!(
        e.setting(),
        Some(&Remedy::DropFeature {
            name: Some("Nope".into())
        })
    );
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.to_string().contains("PURCHASES"),
        "lists the features: {e}"
    );
}

#[test]
fn skewed_money_gets_log1p_and_a_symmetric_feature_does_not() {
    let bal = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 1000.0];
    let age = vec![20.0, 30.0, 40.0, 50.0, 60.0, 25.0, 35.0, 45.0, 55.0, 65.0];
    let t = table(vec![
        ids(10),
        Column::number("balance", bal.clone()),
        Column::number("age", age.clone()),
        Column::number(
            "net_flow",
            vec![-500.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9000.0],
        ),
    ]);
    let m = mapped(&t);
    // Winsorising (on by default for skewed money) would move the 1000;
    // this test checks the skewness and the log of the raw values.
    let opts = FeatureOptions {
        winsorize_skewed_money: false,
        ..FeatureOptions::default()
    };
    let f = build_features(&t, &m, &opts, None).unwrap();

    // Independent skewness: population moments.
    let skew = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let m2 = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let m3 = v.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
        m3 / m2.powf(1.5)
    };
    let b = f.report.feature("Balance").unwrap();
    assert!(
        (b.skewness - skew(&bal)).abs() < 1e-9,
        "{} vs {}",
        b.skewness,
        skew(&bal)
    );
    assert!(b.skewness > 2.6);
    assert_eq!(b.transform, Transform::Log1p);
    assert!(b.transform_reason.contains("> 1"), "{}", b.transform_reason);
    assert!(b.skewness_after.abs() < b.skewness);
    let a = f.report.feature("Age").unwrap();
    assert_close(a.skewness, 0.0, "age skew");
    assert_eq!(a.transform, Transform::None);
    // Skewed but negative: left alone, and the report says why.
    let nf = f.report.feature("net_flow").unwrap();
    assert_eq!(nf.transform, Transform::None);
    assert!(
        nf.transform_reason.contains("negative"),
        "{}",
        nf.transform_reason
    );

    // The scaled Balance is the z-score of ln(1 + x); the original keeps raw units.
    let logs: Vec<f64> = bal.iter().map(|x: &f64| x.ln_1p()).collect();
    let mean = logs.iter().sum::<f64>() / 10.0;
    let sd = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 10.0).sqrt();
    let z = feature_column(&f, "Balance", true);
    for (zi, li) in z.iter().zip(&logs) {
        assert_close(*zi, (li - mean) / sd, "log z");
    }
    assert_eq!(feature_column(&f, "Balance", false), bal);
    let spec = f
        .params
        .features
        .iter()
        .find(|s| s.name == "Balance")
        .unwrap();
    assert_eq!(spec.transform, Transform::Log1p);

    // --transform none, and a per-feature override.
    let mut opts = FeatureOptions {
        transform: TransformMode::None,
        ..FeatureOptions::default()
    };
    opts.transform_overrides
        .insert("Age".into(), Transform::Log1p);
    let f = build_features(&t, &m, &opts, None).unwrap();
    assert_eq!(
        f.report.feature("Balance").unwrap().transform,
        Transform::None
    );
    assert_eq!(f.report.feature("Age").unwrap().transform, Transform::Log1p);
    // log on a feature with negative values is refused.
    let mut opts = FeatureOptions::default();
    opts.transform_overrides
        .insert("net_flow".into(), Transform::Log1p);
    let e = build_features(&t, &m, &opts, None).unwrap_err();
    assert!(
        matches!(e.setting(), Some(Remedy::TransformFeature { .. }))
            && e.exit_code() == 2
            && e.to_string().contains("negative"),
        "{e}"
    );
}

#[test]
fn z_scores_have_mean_zero_and_population_deviation_one() {
    let t = table(vec![
        ids(4),
        Column::number("balance", vec![1.0, 2.0, 3.0, 4.0]),
        Column::number("age", vec![20.0, 40.0, 30.0, 70.0]),
    ]);
    let f = build_features(&t, &mapped(&t), &no_transform(), None).unwrap();
    // balance: mean 2.5, population sd sqrt(1.25)
    let z = feature_column(&f, "Balance", true);
    let s = 1.25f64.sqrt();
    let want = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s];
    for (a, b) in z.iter().zip(want) {
        assert_close(*a, b, "z");
    }
    for j in 0..f.d {
        let col: Vec<f64> = f.scaled_column(j).collect();
        let mean = col.iter().sum::<f64>() / 4.0;
        let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0;
        assert_close(mean, 0.0, "mean");
        assert_close(var, 1.0, "variance");
    }
    let spec = &f.params.features[1];
    assert_eq!(spec.name, "Balance");
    assert_eq!((spec.mean, spec.std), (2.5, s));
    // Row-major: row 0 is [Age, Balance] of the first customer.
    assert_eq!(f.names, vec!["Age", "Balance"]);
    assert_eq!(f.original_row(0), &[20.0, 1.0]);
    assert_eq!(f.scaled.len(), f.n * f.d);
}

#[test]
fn a_zero_variance_feature_is_dropped_or_kept_unscaled_never_nan() {
    let t = table(vec![
        ids(3),
        Column::number("balance", vec![5.0, 5.0, 5.0]),
        Column::number("age", vec![20.0, 30.0, 40.0]),
        Column::number("score", vec![1.0, 2.0, 4.0]),
    ]);
    let m = mapped(&t);
    // Straight to Features (Clean would have dropped it as constant).
    let f = build_features(&t, &m, &no_transform(), None).unwrap();
    assert_eq!(f.names, vec!["Age", "score"]);
    assert!(
        f.report
            .left_out("Balance")
            .unwrap()
            .contains("zero variance")
    );
    let opts = FeatureOptions {
        zero_variance: ZeroVariance::KeepUnscaled,
        ..no_transform()
    };
    let f = build_features(&t, &m, &opts, None).unwrap();
    assert_eq!(feature_column(&f, "Balance", true), vec![0.0, 0.0, 0.0]);
    assert!(f.scaled.iter().all(|x| x.is_finite()));
}

#[test]
fn a_correlated_pair_is_flagged() {
    let a: Vec<f64> = (1..=20).map(f64::from).collect();
    let b: Vec<f64> = a
        .iter()
        .enumerate()
        .map(|(i, x)| 2.0 * x + if i % 2 == 0 { 0.3 } else { -0.3 })
        .collect();
    let c = vec![
        5.0, 3.0, 8.0, 1.0, 9.0, 2.0, 7.0, 4.0, 6.0, 0.0, 5.0, 3.0, 8.0, 1.0, 9.0, 2.0, 7.0, 4.0,
        6.0, 0.0,
    ];
    let t = table(vec![
        ids(20),
        Column::number("monthly_spend", a),
        Column::number("yearly_spend", b),
        Column::number("visits", c),
    ]);
    let f = build_features(&t, &mapped(&t), &no_transform(), None).unwrap();
    assert_eq!(
        f.report.correlated_pairs.len(),
        1,
        "{:?}",
        f.report.correlated_pairs
    );
    let p = &f.report.correlated_pairs[0];
    assert_eq!(
        (p.a.as_str(), p.b.as_str()),
        ("monthly_spend", "yearly_spend")
    );
    assert!(p.r > 0.99);
    let d = f.d;
    assert_eq!(f.report.correlation.len(), d * d);
    for i in 0..d {
        assert_close(f.report.correlation[i * d + i], 1.0, "diagonal");
        for j in 0..d {
            assert_eq!(
                f.report.correlation[i * d + j],
                f.report.correlation[j * d + i]
            );
        }
    }
    assert!(
        f.report
            .to_text()
            .contains("correlated: monthly_spend and yearly_spend")
    );
}

#[test]
fn winsorising_clips_at_the_chosen_percentiles() {
    // 1..=100: numpy percentiles 5% = 5.95, 95% = 95.05; 10 values clipped
    let t = table(vec![
        ids(100),
        Column::number("balance", (1..=100).map(f64::from).collect()),
    ]);
    let opts = FeatureOptions {
        winsorize: Some(Winsorize {
            lower: 0.05,
            upper: 0.95,
        }),
        ..no_transform()
    };
    let f = build_features(&t, &mapped(&t), &opts, None).unwrap();
    // A lone balance column is one template feature: generic mode, own name.
    let info = f.report.feature("balance").unwrap();
    let [lo, hi] = info.clip.unwrap();
    assert_close(lo, 5.95, "lower bound");
    assert_close(hi, 95.05, "upper bound");
    assert_eq!(info.clipped, 10);
    assert_eq!(f.params.features[0].clip, Some([lo, hi]));
    // original keeps raw units
    assert_eq!(feature_column(&f, "balance", false)[0], 1.0);
}

#[test]
fn one_hot_encoding_is_opt_in() {
    let t = table(vec![
        ids(4),
        Column::number("age", vec![30.0, 40.0, 50.0, 60.0]),
        Column::number("balance", vec![1.0, 5.0, 2.0, 8.0]),
        text("gender", &[Some("F"), Some("M"), Some("F"), Some("M")]),
    ]);
    let m = mapped(&t);
    let f = build_features(&t, &m, &no_transform(), None).unwrap();
    assert!(!f.names.iter().any(|n| n.starts_with("gender")));
    let opts = FeatureOptions {
        one_hot: true,
        ..no_transform()
    };
    let f = build_features(&t, &m, &opts, None).unwrap();
    assert_eq!(f.names, vec!["Age", "Balance", "gender=F", "gender=M"]);
    assert_eq!(
        feature_column(&f, "gender=F", false),
        vec![1.0, 0.0, 1.0, 0.0]
    );
    assert!(f.report.profile_columns.contains(&"gender".to_string()));
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[test]
fn no_usable_feature_is_a_clear_error_listing_what_was_found() {
    let t = table(vec![
        ids(3),
        text("notes", &[Some("a"), Some("b"), Some("c")]),
        dates("signup", &[Some("2024-01-01"), Some("2024-01-02"), None]),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let e = build_features(&c.table, &m, &FeatureOptions::default(), c.as_of.date).unwrap_err();
    assert!(matches!(e, Error::DataWithRemedy { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 1);
    let msg = e.to_string();
    assert!(msg.contains("no usable feature"), "{msg}");
    assert!(msg.contains("'notes' (text, profile)"), "{msg}");
    assert!(msg.contains("'signup' (date, ignored)"), "{msg}");
    assert!(msg.contains("Balance: needs a mapped balance"), "{msg}");
}

#[test]
fn a_single_row_is_a_clear_error() {
    let t = table(vec![
        ids(1),
        Column::number("balance", vec![10.0]),
        Column::number("age", vec![30.0]),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let e = build_features(&c.table, &m, &FeatureOptions::default(), c.as_of.date).unwrap_err();
    assert!(matches!(e, Error::Data(_)));
    assert!(e.to_string().contains("only 1 customer row"), "{e}");
}

#[test]
fn an_all_missing_mapped_column_is_dropped_and_its_feature_left_out_with_the_reason() {
    let nan = f64::NAN;
    let t = table(vec![
        ids(4),
        Column::number("balance", vec![nan; 4]),
        Column::number("age", vec![30.0, 40.0, 50.0, 60.0]),
        Column::number("num_products", vec![1.0, 2.0, 1.0, 3.0]),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let r = c.report.column("balance").unwrap();
    assert_eq!(r.action, ColumnAction::Dropped);
    assert!(
        r.reason.contains("100.0% missing") && r.reason.contains("mapped as balance"),
        "{}",
        r.reason
    );
    let f = build_features(&c.table, &m, &FeatureOptions::default(), c.as_of.date).unwrap();
    assert_eq!(f.names, vec!["Product_Depth", "Age"]);
    let why = f.report.left_out("Balance").unwrap();
    assert!(why.contains("dropped by Clean"), "{why}");

    // Without Clean, Features still refuses to invent a column of NaN.
    let f = build_features(&t, &m, &FeatureOptions::default(), None).unwrap();
    assert!(
        f.report
            .left_out("Balance")
            .unwrap()
            .contains("every value of 'balance' is missing")
    );
    // Age from a birth date needs an as-of date; without one it is left out with the reason.
    let t = table(vec![
        ids(3),
        dates(
            "birth_date",
            &[Some("1980-01-01"), Some("1990-01-01"), Some("2000-01-01")],
        ),
        Column::number("balance", vec![1.0, 2.0, 3.0]),
        Column::number("num_products", vec![1.0, 2.0, 4.0]),
    ]);
    let m = mapped(&t);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(c.as_of.date, None);
    // The warning and the left-out feature carry the as-of remedy; the CLI
    // words it as the flag.
    assert!(c.report.warnings.iter().any(|w| {
        w.text.contains("no as-of date given")
            && w.remedy == Some(Remedy::AsOf { date: None })
            && w.cli_line().contains("--as-of")
    }));
    let f = build_features(&c.table, &m, &FeatureOptions::default(), c.as_of.date).unwrap();
    let age = f.report.left_out.iter().find(|l| l.name == "Age").unwrap();
    assert_eq!(age.remedy, Some(Remedy::AsOf { date: None }), "{age:?}");
    assert!(age.cli_reason().contains("(give --as-of)"), "{age:?}");
}

// ---------------------------------------------------------------------------
// Scoring with saved parameters
// ---------------------------------------------------------------------------

fn train_on_customers() -> (Table, Mapping, CleanParams, FeatureParams, Vec<f64>) {
    let (t, m) = load_fixture("customers.csv");
    let opts = CleanOptions {
        as_of: Some("2024-03-31".parse().unwrap()),
        ..CleanOptions::default()
    };
    let c = clean(&t, &m, &opts).unwrap();
    let f = build_features(&c.table, &m, &FeatureOptions::default(), c.as_of.date).unwrap();
    assert_eq!(
        f.names,
        vec!["Recency", "Product_Depth", "Age", "Balance", "credit_score"]
    );
    (t, m, c.params, f.params, f.scaled)
}

#[test]
fn saved_parameters_reproduce_the_training_matrix_bit_for_bit() {
    let (t, m, cp, fp, scaled) = train_on_customers();
    // Through JSON, as in a saved model.
    let cp: CleanParams = serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
    let fp: FeatureParams = serde_json::from_str(&serde_json::to_string(&fp).unwrap()).unwrap();
    assert_eq!(fp.as_of, Some("2024-03-31".parse().unwrap()));
    let ct = apply_clean(&t, &m, &cp).unwrap().table;
    let again = apply_features(&ct, &m, &fp).unwrap();
    assert_eq!(again.len(), scaled.len());
    assert!(
        again
            .iter()
            .zip(&scaled)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "scoring the training table must give the training matrix"
    );
}

#[test]
fn new_customers_get_the_stored_fills_and_missing_columns_are_named() {
    let (_, m, cp, fp, _) = train_on_customers();
    // One new customer: age missing (-> stored median 39.5), an invalid product count
    // (-> stored median 2), last transaction after the stored as-of (-> stored median date).
    let new = table(vec![
        text("customer_id", &[Some("N1"), Some("N2")]),
        Column::number("age", vec![f64::NAN, 39.5]),
        text("gender", &[Some("F"), None]),
        Column::number("balance", vec![4500.0, 4500.0]),
        dates("last_txn_date", &[Some("2025-01-01"), Some("2024-03-01")]),
        Column::number("num_products", vec![-3.0, 2.0]),
        Column::number("credit_score", vec![655.0, 655.0]),
    ]);
    let applied = apply_clean(&new, &m, &cp).unwrap();
    // Scoring says what it replaced, column by column, with the first line.
    let notes = applied.notes.join("\n");
    assert!(
        notes.contains("'age': 1 of 2 values filled with the model's median 39.5"),
        "{notes}"
    );
    assert!(
        notes.contains("'last_txn_date': 1 of 2 values filled with the model's median")
            && notes.contains("1 of them invalid (must be a date from 1900-01-01 to 2024-03-31; first: line 2 '2025-01-01')"),
        "{notes}"
    );
    assert!(notes.contains("'num_products': 1 of 2 values"), "{notes}");
    assert!(
        !notes.contains("'credit_score'"),
        "nothing replaced there: {notes}"
    );
    let ct = applied.table;
    assert_eq!(nums(&ct, "age"), &[39.5, 39.5]);
    // The id column passes through untouched.
    assert_eq!(ct.column("customer_id"), new.column("customer_id"));
    assert_eq!(nums(&ct, "num_products"), &[2.0, 2.0]);
    assert_eq!(
        ct.column("gender").unwrap().texts().unwrap().get(1),
        Some("F")
    );
    let x = apply_features(&ct, &m, &fp).unwrap();
    assert_eq!(x.len(), 2 * fp.features.len());
    assert_eq!(
        &x[..5],
        &x[5..],
        "both rows are the same customer after cleaning"
    );

    // A column the model needs is missing: the error names it.
    let partial = table(vec![
        text("customer_id", &[Some("N1")]),
        Column::number("age", vec![40.0]),
        Column::number("credit_score", vec![600.0]),
    ]);
    let e = apply_clean(&partial, &m, &cp).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Data(_)));
    assert!(
        msg.contains("'balance'")
            && msg.contains("'last_txn_date'")
            && msg.contains("'num_products'"),
        "{msg}"
    );
    let e = apply_features(&partial, &m, &fp).unwrap_err().to_string();
    assert!(e.contains("Recency needs column 'last_txn_date'"), "{e}");
}

#[test]
fn scoring_treats_ignored_columns_as_training_did() {
    let t = table(vec![
        ids(3),
        Column::number("RowNumber", vec![1.0, f64::INFINITY, -3.0]),
        Column::number("balance", vec![1.0, 2.0, 4.0]),
        Column::number("age", vec![30.0, 40.0, 50.0]),
    ]);
    let m = mapped(&t);
    assert_eq!(m.usage_of("RowNumber"), ColumnUse::Ignore);
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(c.table.column("RowNumber"), t.column("RowNumber"));
    let scored = apply_clean(&t, &m, &c.params).unwrap().table;
    assert_eq!(scored.column("RowNumber"), t.column("RowNumber"));
    assert_eq!(scored, c.table);
}

// ---------------------------------------------------------------------------
// Property: no NaN or infinity ever reaches the clustering
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Cell {
    Normal(f64),
    Missing,
    Inf(bool),
    Huge(bool, u8),
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        6 => (-1e6f64..1e6).prop_map(Cell::Normal),
        2 => Just(Cell::Missing),
        1 => any::<bool>().prop_map(Cell::Inf),
        1 => (any::<bool>(), 0u8..3).prop_map(|(p, k)| Cell::Huge(p, k)),
    ]
}

#[derive(Clone, Debug)]
enum ColSpec {
    Cells(Vec<Cell>),
    Constant(f64),
    AllMissing,
}

fn table_strategy() -> impl Strategy<Value = Table> {
    (2usize..30, 1usize..6).prop_flat_map(|(n, k)| {
        let col = prop_oneof![
            6 => proptest::collection::vec(cell(), n).prop_map(ColSpec::Cells),
            1 => (-1e3f64..1e3).prop_map(ColSpec::Constant),
            1 => Just(ColSpec::AllMissing),
        ];
        // Dates as days from 1970 (1833..2052, so some before 1900 and some
        // in the future) or missing; categories with missing cells.
        let day = prop_oneof![4 => (-50_000i32..30_000).prop_map(Some), 1 => Just(None)];
        let date_col = proptest::option::of(proptest::collection::vec(day, n));
        let level = prop_oneof![3 => (0usize..3).prop_map(Some), 1 => Just(None)];
        (
            proptest::collection::vec(col, k),
            proptest::sample::subsequence(vec!["age", "balance", "txn_count", "txn_amount"], 0..=2),
            [date_col.clone(), date_col.clone(), date_col],
            proptest::option::of(proptest::collection::vec(level, n)),
        )
            .prop_map(move |(specs, roles, date_cols, gender)| {
                let mut cols = vec![ids(n)];
                for (j, s) in specs.into_iter().enumerate() {
                    let name = roles
                        .get(j)
                        .map_or_else(|| format!("x{j}"), |r| r.to_string());
                    let v: Vec<f64> = match s {
                        ColSpec::Cells(cells) => cells
                            .into_iter()
                            .map(|c| match c {
                                Cell::Normal(x) => x,
                                Cell::Missing => f64::NAN,
                                Cell::Inf(p) => {
                                    if p {
                                        f64::INFINITY
                                    } else {
                                        f64::NEG_INFINITY
                                    }
                                }
                                Cell::Huge(p, k) => {
                                    let x = [1e300, 1e308, f64::MAX][k as usize];
                                    if p { x } else { -x }
                                }
                            })
                            .collect(),
                        ColSpec::Constant(x) => vec![x; n],
                        ColSpec::AllMissing => vec![f64::NAN; n],
                    };
                    cols.push(Column::number(&name, v));
                }
                for (name, days) in ["last_txn_date", "open_date", "birth_date"]
                    .iter()
                    .zip(date_cols)
                {
                    if let Some(days) = days {
                        let v = days
                            .into_iter()
                            .map(|d| d.unwrap_or(MISSING_DATE))
                            .collect();
                        cols.push(Column::date(name, v));
                    }
                }
                if let Some(g) = gender {
                    let levels = ["F", "M", "X"];
                    let cells: Vec<Option<&str>> = g.iter().map(|l| l.map(|i| levels[i])).collect();
                    cols.push(text("gender", &cells));
                }
                table(cols)
            })
    })
}

/// A data error, or the usage error for an override of a feature the table
/// does not give (Recency needs a last transaction date).
fn expected_error(e: &Error, overrides_recency: bool) -> bool {
    matches!(e, Error::Data(_) | Error::DataWithRemedy { .. })
        || (overrides_recency
            && matches!(e.setting(), Some(Remedy::TransformFeature { .. }))
            && custseg::cli::error_line(e).contains("--transform-feature Recency: no such feature"))
}

fn all_finite(x: &[f64]) -> bool {
    x.iter().all(|v| v.is_finite())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn features_never_emit_nan_or_infinity(
        t in table_strategy(),
        log in any::<bool>(),
        wins in any::<bool>(),
        one_hot in any::<bool>(),
        recency_raw in any::<bool>(),
    ) {
        let m = mapped(&t);
        let mut overrides = std::collections::BTreeMap::new();
        if recency_raw {
            overrides.insert("Recency".to_string(), Transform::None);
        }
        let opts = FeatureOptions {
            transform: if log { TransformMode::Log } else { TransformMode::Auto },
            winsorize: wins.then_some(Winsorize { lower: 0.05, upper: 0.95 }),
            zero_variance: if wins { ZeroVariance::KeepUnscaled } else { ZeroVariance::Drop },
            one_hot,
            transform_overrides: overrides,
            ..FeatureOptions::default()
        };
        // Straight from a raw table ...
        match build_features(&t, &m, &opts, None) {
            Ok(f) => {
                prop_assert!(all_finite(&f.scaled), "scaled: {:?}", f.scaled);
                prop_assert!(f.original.iter().all(|c| all_finite(c)));
                prop_assert!(all_finite(&f.report.correlation));
                prop_assert_eq!(f.scaled.len(), f.n * f.d);
                let again = apply_features(&t, &m, &f.params).unwrap();
                prop_assert!(all_finite(&again));
            }
            Err(e) => prop_assert!(expected_error(&e, recency_raw), "{e}"),
        }
        // ... and after Clean.
        let c = clean(&t, &m, &CleanOptions::default()).unwrap();
        match build_features(&c.table, &m, &opts, c.as_of.date) {
            Ok(f) => {
                prop_assert!(all_finite(&f.scaled));
                prop_assert!(f.original.iter().all(|c| all_finite(c)));
                prop_assert_eq!(f.report.features.iter().map(|i| i.filled).sum::<usize>(), 0);
                let ct = apply_clean(&t, &m, &c.params).unwrap().table;
                prop_assert!(all_finite(&apply_features(&ct, &m, &f.params).unwrap()));
            }
            Err(e) => prop_assert!(expected_error(&e, recency_raw), "{e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Determinism: the same result on any number of threads
// ---------------------------------------------------------------------------

/// A messy log: 40 000 transactions of 3 000 customers; ids missing on some
/// rows, gender and city disagreeing on some, a per-transaction id column.
fn messy_log() -> Table {
    let n = 40_000usize;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut txn, mut cust, mut gender, mut city) = (vec![], vec![], vec![], vec![]);
    let (mut amount, mut balance, mut date) = (vec![], vec![], vec![]);
    for i in 0..n {
        let c = next() % 3000;
        txn.push(format!("T{i}"));
        cust.push((next() % 50 != 0).then(|| format!("C{c}")));
        gender.push(if (c + u64::from(next() % 20 == 0)) % 2 == 0 {
            "M"
        } else {
            "F"
        });
        city.push(format!(
            "city{}",
            if next() % 10 == 0 { next() % 7 } else { c % 7 }
        ));
        amount.push((next() % 100_000) as f64 / 100.0);
        balance.push(if next() % 30 == 0 {
            f64::NAN
        } else {
            (next() % 1_000_000) as f64
        });
        date.push(day("2023-01-01") + (next() % 450) as i32);
    }
    table(vec![
        Column::text(
            "TransactionID",
            TextColumn::from_values(txn.iter().map(|s| Some(s.as_str()))),
        ),
        Column::text(
            "CustomerID",
            TextColumn::from_values(cust.iter().map(|s| s.as_deref())),
        ),
        Column::text(
            "CustGender",
            TextColumn::from_values(gender.iter().map(|s| Some(*s))),
        ),
        Column::text(
            "CustLocation",
            TextColumn::from_values(city.iter().map(|s| Some(s.as_str()))),
        ),
        Column::number("CustAccountBalance", balance),
        Column::date("TransactionDate", date),
        Column::number("TransactionAmount", amount),
    ])
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let log = messy_log();
    let m = mapped(&log);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let a =
                aggregate_transactions(&log, &m, &AggregateOptions::default(), None, &NoProgress)
                    .unwrap();
            let c = clean(&a.table, &a.mapping, &CleanOptions::default()).unwrap();
            let f = build_features(
                &c.table,
                &a.mapping,
                &FeatureOptions::default(),
                c.as_of.date,
            )
            .unwrap();
            (a, c, f)
        })
    };
    let (a1, c1, f1) = run(1);
    let (a4, c4, f4) = run(4);
    assert!(
        a1.report.disagreements.len() == 2,
        "{:?}",
        a1.report.disagreements
    );
    assert!(a1.report.rows_without_id > 0);
    assert_eq!(a1.table, a4.table);
    assert_eq!(a1.report, a4.report);
    assert_eq!(c1.table, c4.table);
    assert_eq!(c1.report, c4.report);
    assert_eq!(f1.names, f4.names);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&f1.scaled), bits(&f4.scaled));
    assert_eq!(bits(&f1.report.correlation), bits(&f4.report.correlation));
    // Customers come out in order of first appearance.
    let ids = a1.table.column("CustomerID").unwrap().texts().unwrap();
    let first_line: Vec<u32> = a1.table.row_origin.clone();
    assert!(first_line.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ids.len(), a1.report.customers_out);
}

/// Above `CORRELATION_ROWS` customers the correlations use an even sample,
/// and every face says so; the matrix K-Means reads is still every row, with
/// a dropped constant's column taken out of each row.
#[test]
fn correlations_of_many_customers_use_an_even_sample_and_say_so() {
    let n = CORRELATION_ROWS + 500_001;
    // A SplitMix-style hash: values in [0, 1) with no order to them.
    let noise = |i: usize, salt: u64| {
        let mut z = (i as u64 ^ (salt << 40)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (z >> 11) as f64 / (1u64 << 53) as f64
    };
    let a: Vec<f64> = (0..n).map(|i| noise(i, 1) * 100.0).collect();
    let b: Vec<f64> = a
        .iter()
        .enumerate()
        .map(|(i, x)| 2.0 * x + noise(i, 2))
        .collect();
    let c: Vec<f64> = (0..n).map(|i| noise(i, 3)).collect();
    let t = table(vec![
        Column::number("metric_a", a.clone()),
        Column::number("metric_const", vec![7.0; n]),
        Column::number("metric_b", b),
        Column::number("metric_c", c.clone()),
    ]);
    let opts = no_transform();
    let clean_opts = CleanOptions {
        drop_constant: false,
        ..CleanOptions::default()
    };
    let cleaned = clean(&t, &mapped(&t), &clean_opts).unwrap();
    let f = build_features(&cleaned.table, &mapped(&t), &opts, None).unwrap();

    assert_eq!(f.names, vec!["metric_a", "metric_b", "metric_c"]);
    assert!(f.report.left_out.iter().any(|l| l.name == "metric_const"));
    assert_eq!(f.report.correlation_rows, n.div_ceil(2));
    let pair = &f.report.correlated_pairs[0];
    assert_eq!((pair.a.as_str(), pair.b.as_str()), ("metric_a", "metric_b"));
    assert!(pair.r > 0.999, "{}", pair.r);
    let note = "measured on an even sample of 750,001 of the 1,500,001 customers";
    assert!(f.report.to_text().contains(note), "{}", f.report.to_text());

    // The scaled matrix: every row, the constant's column gone, each cell
    // the z-score of its value (population deviation, as scikit-learn).
    let z = |v: &[f64], i: usize| {
        let m = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
        (v[i] - m) / sd
    };
    assert_eq!(f.scaled.len(), n * 3);
    for i in [0, 1, 4095, 4096, n / 2, n - 1] {
        assert_close(f.scaled[i * 3], z(&a, i), "metric_a");
        assert_close(f.scaled[i * 3 + 2], z(&c, i), "metric_c");
    }
    // The original units share the cleaned table's cells, not a copy.
    assert!(f.original[0].is_shared());
    assert_eq!(f.original_column(2), c.as_slice());

    // A few customers: every row, nothing said.
    let small = table(vec![
        Column::number("metric_a", a[..1000].to_vec()),
        Column::number("metric_b", a[..1000].iter().map(|x| -x).collect()),
    ]);
    let f = build_features(&small, &mapped(&small), &opts, None).unwrap();
    assert_eq!(f.report.correlation_rows, 1000);
    assert!(f.report.correlation_sample_note().is_none());
    assert!(!f.report.to_text().contains("even sample"));
}
