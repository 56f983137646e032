use super::impute::mode_text;
use super::*;
use crate::pipeline::mapping::{MappingOptions, map_columns};
use crate::pipeline::table::{Column, SourceInfo, TextColumn, days_to_date};
use chrono::Datelike;

fn table(cols: Vec<Column>) -> Table {
    Table::new(cols, SourceInfo::default())
}

#[test]
fn iso_dates_parse_and_print() {
    let d: IsoDate = "2024-03-31".parse().unwrap();
    assert_eq!(d.to_string(), "2024-03-31");
    assert_eq!("20240331".parse::<IsoDate>().unwrap(), d);
    assert_eq!("2024/3/31".parse::<IsoDate>().unwrap(), d);
    assert!("2024-02-30".parse::<IsoDate>().is_err());
    assert!("31/03/2024".parse::<IsoDate>().is_err());
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(json, "\"2024-03-31\"");
    assert_eq!(serde_json::from_str::<IsoDate>(&json).unwrap(), d);
}

#[test]
fn civil_dates_match_chrono() {
    for days in (-800_000..800_000).step_by(997) {
        let d = days_to_date(days).unwrap();
        assert_eq!(
            civil_from_days(days),
            (d.year(), d.month(), d.day()),
            "{days}"
        );
    }
}

#[test]
fn completed_years_and_months() {
    let d = |s: &str| s.parse::<IsoDate>().unwrap().0;
    assert_eq!(years_between(d("1980-06-15"), d("2024-06-14")), 43);
    assert_eq!(years_between(d("1980-06-15"), d("2024-06-15")), 44);
    assert_eq!(years_between(d("2000-02-29"), d("2024-02-28")), 23);
    assert_eq!(months_between(d("2020-01-15"), d("2024-03-31")), 50);
    assert_eq!(months_between(d("2020-01-31"), d("2020-02-29")), 0);
    assert_eq!(months_between(d("2020-01-31"), d("2020-03-01")), 1);
}

#[test]
fn median_handles_odd_even_and_empty() {
    assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median_in_place(&mut []), None);
    assert_eq!(median_in_place(&mut [f64::MAX, f64::MAX]), Some(f64::MAX));
}

#[test]
fn duplicate_policies() {
    let t = table(vec![
        Column::text(
            "customer_id",
            TextColumn::from_values([Some("A"), Some("B"), Some("A"), None]),
        ),
        Column::number("balance", vec![1.0, 2.0, 3.0, 4.0]),
    ]);
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    let first = clean(&t, &m, &CleanOptions::default()).unwrap();
    assert_eq!(first.table.n_rows, 3);
    assert_eq!(
        first.table.column("balance").unwrap().numbers().unwrap(),
        &[1.0, 2.0, 4.0]
    );
    assert_eq!(first.table.row_origin, vec![2, 3, 5]);
    assert_eq!(first.report.duplicates.duplicated_ids, 1);
    assert_eq!(first.report.duplicates.missing_ids, 1);
    assert_eq!(
        first.report.duplicates.examples,
        vec!["'A' on line 2, line 4"]
    );

    let opts = CleanOptions {
        duplicates: DuplicatePolicy::KeepLast,
        ..CleanOptions::default()
    };
    let last = clean(&t, &m, &opts).unwrap();
    assert_eq!(
        last.table.column("balance").unwrap().numbers().unwrap(),
        &[2.0, 3.0, 4.0]
    );

    let opts = CleanOptions {
        duplicates: DuplicatePolicy::Fail,
        ..CleanOptions::default()
    };
    let e = clean(&t, &m, &opts).unwrap_err();
    assert!(matches!(e, Error::DataWithRemedy { .. }));
    assert!(e.to_string().contains("'A' on line 2, line 4"), "{e}");
}

#[test]
fn text_mode_ties_go_to_the_first_seen_with_many_values() {
    // 12 distinct values (past the short list): 'k' and 'b' both twice, 'k' first.
    let vals = [
        "k", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "b", "k",
    ];
    let t = TextColumn::from_values(vals.iter().map(|v| Some(*v)));
    assert_eq!(mode_text(&t), Some(("k".to_string(), false)));
    let t = TextColumn::from_values([Some("x"), None, Some("x")]);
    assert_eq!(mode_text(&t), Some(("x".to_string(), true)));
    assert_eq!(mode_text(&TextColumn::from_values([None, None])), None);
}

#[test]
fn options_are_validated_and_default_from_empty_toml() {
    let o: CleanOptions = toml::from_str("").unwrap();
    assert_eq!(o, CleanOptions::default());
    let o: CleanOptions =
        toml::from_str("max_missing = 0.5\nas_of = \"2024-01-31\"\nduplicates = \"keep_last\"")
            .unwrap();
    assert_eq!(o.as_of, IsoDate::from_ymd(2024, 1, 31));
    assert_eq!(o.duplicates, DuplicatePolicy::KeepLast);
    let bad = CleanOptions {
        max_missing: 30.0,
        ..CleanOptions::default()
    };
    let e = bad.validate().unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.setting(),
        Some(&Remedy::MaxMissing {
            value: Some("30".into())
        })
    );
}
