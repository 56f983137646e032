//! Feature hygiene, skew and outliers (issue #8 §1-2): each rule on a
//! generated table, asserting the features chosen, the typed reason and
//! the override; money with refunds; an outlier segment; values near
//! ±1e308 through winsorising.

use custseg::pipeline::clean::{CleanOptions, clean};
use custseg::pipeline::features::{
    FeatureKind, FeatureOptions, Features, Transform, WinsorReason, Winsorize, build_features,
};
use custseg::pipeline::hygiene::{CalendarPart, FlagUse, Rule};
use custseg::pipeline::mapping::{ColumnUse, Mapping, MappingOptions, map_columns};
use custseg::pipeline::table::{Column, ColumnType, SourceInfo, Table, TextColumn};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

// ---------------------------------------------------------------- helpers

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Uniform in [0, 1).
fn unit(r: &mut ChaCha8Rng) -> f64 {
    (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Log-normal with median `m` and log-sd `s` (Box-Muller).
fn lognormal(r: &mut ChaCha8Rng, m: f64, s: f64) -> f64 {
    let (u1, u2) = (unit(r).max(1e-12), unit(r));
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    m * (s * z).exp()
}

fn ids(n: usize) -> Column {
    let v: Vec<String> = (0..n).map(|i| format!("C{i:05}")).collect();
    Column::text(
        "customer_id",
        TextColumn::from_values(v.iter().map(|s| Some(s.as_str()))),
    )
}

fn text_col(name: &str, v: &[String]) -> Column {
    Column::text(
        name,
        TextColumn::from_values(v.iter().map(|s| Some(s.as_str()))),
    )
}

fn flag_col(name: &str, v: Vec<f64>) -> Column {
    let mut c = Column::number(name, v);
    c.ctype = ColumnType::Flag;
    c
}

fn build(cols: Vec<Column>, mopts: &MappingOptions, fopts: &FeatureOptions) -> (Mapping, Features) {
    let t = Table::new(cols, SourceInfo::default());
    let m = map_columns(&t, mopts).unwrap();
    let c = clean(&t, &m, &CleanOptions::default()).unwrap();
    let f = build_features(&c.table, &m, fopts, c.as_of.date).unwrap();
    (m, f)
}

fn defaults(cols: Vec<Column>) -> (Mapping, Features) {
    build(cols, &MappingOptions::default(), &FeatureOptions::default())
}

/// The rule the report gives a column (applied ones only).
fn rule_of<'a>(f: &'a Features, column: &str) -> Option<&'a Rule> {
    f.report
        .ruled
        .iter()
        .find(|r| r.column == column && r.applied)
        .map(|r| &r.rule)
}

/// A base of behavioural columns every generated table has: money and a
/// count, skewed like real ones.
fn behaviour(n: usize, seed: u64) -> Vec<Column> {
    let mut r = rng(seed);
    vec![
        ids(n),
        Column::number(
            "PURCHASES",
            (0..n)
                .map(|_| (lognormal(&mut r, 800.0, 1.0) * 100.0).round() / 100.0)
                .collect(),
        ),
        Column::number(
            "VISITS",
            (0..n)
                .map(|_| (lognormal(&mut r, 6.0, 0.6)).round())
                .collect(),
        ),
    ]
}

// ---------------------------------------------------------------- rules

#[test]
fn row_indexes_are_ignored_by_values_and_by_name() {
    let n = 400;
    let mut cols = behaviour(n, 1);
    cols.push(Column::number(
        "Unnamed: 0",
        (0..n).map(|i| i as f64).collect(),
    ));
    cols.push(Column::number("seq", (1..=n).map(|i| i as f64).collect()));
    let (m, f) = defaults(cols);
    assert_eq!(f.names, ["PURCHASES", "VISITS"]);
    assert_eq!(m.usage_of("Unnamed: 0"), ColumnUse::Ignore);
    assert_eq!(
        rule_of(&f, "Unnamed: 0"),
        Some(&Rule::RowIndex { by_name: true })
    );
    assert_eq!(rule_of(&f, "seq"), Some(&Rule::RowIndex { by_name: false }));
    assert!(rule_of(&f, "seq").unwrap().finding().contains("row index"));
}

/// An RFM table as practitioners publish it: R, F, M plus scores, ranks
/// and a segment code. Template mode clusters on R, F, M only.
fn rfm_table(n: usize, seed: u64) -> Vec<Column> {
    let mut r = rng(seed);
    let recency: Vec<f64> = (0..n)
        .map(|_| (lognormal(&mut r, 60.0, 0.9)).round())
        .collect();
    let frequency: Vec<f64> = (0..n)
        .map(|_| (lognormal(&mut r, 5.0, 0.7)).round().max(1.0))
        .collect();
    let monetary: Vec<f64> = (0..n)
        .map(|_| (lognormal(&mut r, 900.0, 1.1) * 100.0).round() / 100.0)
        .collect();
    let quintile = |v: &[f64], invert: bool| -> Vec<f64> {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        v.iter()
            .map(|x| {
                let rank = sorted.partition_point(|s| s < x) as f64 / n as f64;
                let q = (rank * 5.0).floor().min(4.0) + 1.0;
                if invert { 6.0 - q } else { q }
            })
            .collect()
    };
    let rs = quintile(&recency, true);
    let fs = quintile(&frequency, false);
    let ms = quintile(&monetary, false);
    let code: Vec<f64> = (0..n)
        .map(|i| rs[i] * 100.0 + fs[i] * 10.0 + ms[i])
        .collect();
    let total: Vec<f64> = (0..n).map(|i| rs[i] + fs[i] + ms[i]).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| monetary[b].total_cmp(&monetary[a]));
    let mut rank = vec![0.0; n];
    for (pos, &i) in order.iter().enumerate() {
        rank[i] = (pos + 1) as f64;
    }
    vec![
        Column::number("Unnamed: 0", (0..n).map(|i| i as f64).collect()),
        ids(n),
        Column::number("Recency", recency),
        Column::number("Frequency", frequency),
        Column::number("Monetary", monetary),
        Column::number("R_Score", rs),
        Column::number("F_Score", fs),
        Column::number("M_Score", ms),
        Column::number("RFM_Segment", code),
        Column::number("RFM_Score", total),
        Column::number("Monetary_Rank", rank),
    ]
}

#[test]
fn derived_scores_ranks_and_codes_are_profile_only_and_rfm_tables_use_rfm() {
    let (m, f) = defaults(rfm_table(2000, 2));
    assert_eq!(f.names, ["Recency", "Frequency", "Monetary"]);
    for (col, word) in [
        ("R_Score", "score"),
        ("RFM_Segment", "rfm"),
        ("RFM_Score", "rfm"),
        ("Monetary_Rank", "rank"),
    ] {
        match rule_of(&f, col) {
            Some(Rule::DerivedCode { word: w, levels }) => {
                assert_eq!(w, word, "{col}");
                // A rank has a level per customer; scores and codes few.
                assert!(*levels <= 130 || word == "rank", "{col}: {levels}");
            }
            other => panic!("{col}: {other:?}"),
        }
        assert_eq!(m.usage_of(col), ColumnUse::Profile, "{col}");
    }
    assert_eq!(
        rule_of(&f, "Unnamed: 0"),
        Some(&Rule::RowIndex { by_name: true })
    );
    // The override: --select adds a ruled column to the template features.
    let fopts = FeatureOptions {
        select: vec!["R_Score".into()],
        ..FeatureOptions::default()
    };
    let (_, f) = build(rfm_table(2000, 2), &MappingOptions::default(), &fopts);
    assert_eq!(f.names, ["Recency", "Frequency", "Monetary", "R_Score"]);
    // So does marking it a feature (the Map screen's f).
    let mut mopts = MappingOptions::default();
    mopts.usage.insert("RFM_Score".into(), ColumnUse::Feature);
    let (m, f) = build(rfm_table(2000, 2), &mopts, &FeatureOptions::default());
    assert!(f.names.contains(&"RFM_Score".to_string()), "{:?}", f.names);
    let rf = m.columns.iter().find(|c| c.column == "RFM_Score").unwrap();
    assert!(rf.hygiene.rule.is_some() && !rf.hygiene.applied);
}

#[test]
fn a_table_with_recency_frequency_monetary_profiles_its_other_numbers() {
    let n = 600;
    let mut cols = rfm_table(n, 3)[1..5].to_vec();
    let mut r = rng(33);
    cols.push(Column::number(
        "Income",
        (0..n)
            .map(|_| (lognormal(&mut r, 5000.0, 0.5)).round())
            .collect(),
    ));
    let (_, f) = defaults(cols);
    assert_eq!(f.names, ["Recency", "Frequency", "Monetary"]);
    assert_eq!(rule_of(&f, "Income"), Some(&Rule::TemplateExtra));
    assert!(f.report.profile_columns.contains(&"Income".to_string()));
}

#[test]
fn a_binning_of_a_clustered_column_is_profile_only() {
    let n = 1000;
    let mut cols = behaviour(n, 4);
    let purchases = cols[1].numbers().unwrap().to_vec();
    let mut sorted = purchases.clone();
    sorted.sort_by(f64::total_cmp);
    let cut = |p: f64| sorted[(p * n as f64) as usize];
    let cuts = [cut(0.2), cut(0.4), cut(0.6), cut(0.8)];
    let level: Vec<f64> = purchases
        .iter()
        .map(|x| 1.0 + cuts.iter().filter(|c| x >= c).count() as f64)
        .collect();
    cols.push(Column::number("PURCHASE_LEVEL", level));
    let (_, f) = defaults(cols);
    assert_eq!(f.names, ["PURCHASES", "VISITS"]);
    match rule_of(&f, "PURCHASE_LEVEL") {
        Some(Rule::Binning { of, rho }) => {
            assert_eq!(of, "PURCHASES");
            assert!(*rho >= 0.95, "{rho}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn calendar_parts_are_not_features() {
    let n = 500;
    let mut r = rng(5);
    let mut cols = behaviour(n, 5);
    let pick = |r: &mut ChaCha8Rng, lo: u64, hi: u64| (lo + r.next_u64() % (hi - lo + 1)) as f64;
    cols.push(Column::number(
        "day",
        (0..n).map(|_| pick(&mut r, 1, 31)).collect(),
    ));
    cols.push(Column::number(
        "month",
        (0..n).map(|_| pick(&mut r, 1, 12)).collect(),
    ));
    cols.push(Column::number(
        "day_of_week",
        (0..n).map(|_| pick(&mut r, 0, 6)).collect(),
    ));
    cols.push(Column::number(
        "TransactionTime",
        (0..n)
            .map(|_| {
                pick(&mut r, 0, 23) * 10000.0 + pick(&mut r, 0, 59) * 100.0 + pick(&mut r, 0, 59)
            })
            .collect(),
    ));
    cols.push(Column::number(
        "YearOpened",
        (0..n).map(|_| pick(&mut r, 1990, 2023)).collect(),
    ));
    let months = ["jan", "feb", "mar", "may", "jun", "aug", "nov"];
    let month_names: Vec<String> = (0..n)
        .map(|i| months[i % months.len()].to_string())
        .collect();
    cols.push(text_col("contact_month", &month_names));
    let (m, f) = build(
        cols,
        &MappingOptions::default(),
        &FeatureOptions {
            one_hot: true,
            ..FeatureOptions::default()
        },
    );
    assert_eq!(f.names, ["PURCHASES", "VISITS"], "no month one-hot either");
    for (col, part) in [
        ("day", CalendarPart::DayOfMonth),
        ("month", CalendarPart::Month),
        ("day_of_week", CalendarPart::Weekday),
        ("TransactionTime", CalendarPart::TimeOfDay),
        ("YearOpened", CalendarPart::Year),
        ("contact_month", CalendarPart::Month),
    ] {
        assert_eq!(rule_of(&f, col), Some(&Rule::Calendar { part }), "{col}");
        assert_eq!(m.usage_of(col), ColumnUse::Ignore, "{col}");
    }
}

#[test]
fn a_time_of_day_is_found_by_its_values_without_a_name() {
    let n = 300;
    let mut r = rng(6);
    let mut cols = behaviour(n, 6);
    cols.push(Column::number(
        "t",
        (0..n)
            .map(|_| {
                let (h, m, s) = (r.next_u64() % 24, r.next_u64() % 60, r.next_u64() % 60);
                (h * 10000 + m * 100 + s) as f64
            })
            .collect(),
    ));
    // A count up to 235959 whose last digits go past 59 is not a time.
    cols.push(Column::number(
        "points",
        (0..n).map(|_| (r.next_u64() % 230_000) as f64).collect(),
    ));
    let (_, f) = defaults(cols);
    assert_eq!(
        rule_of(&f, "t"),
        Some(&Rule::Calendar {
            part: CalendarPart::TimeOfDay
        })
    );
    assert!(f.names.contains(&"points".to_string()), "{:?}", f.names);
}

#[test]
fn sentinels_are_missing_and_mostly_sentinel_columns_are_profile_only() {
    let n = 1000;
    let mut r = rng(7);
    let mut cols = behaviour(n, 7);
    // -1 = "never contacted" in 80% of rows.
    let pdays: Vec<f64> = (0..n)
        .map(|i| {
            if i % 5 == 0 {
                (1 + r.next_u64() % 300) as f64
            } else {
                -1.0
            }
        })
        .collect();
    cols.push(Column::number("pdays", pdays));
    // 999 = unknown in 10% of rows of a column of small values.
    let tenure: Vec<f64> = (0..n)
        .map(|i| {
            if i % 10 == 3 {
                999.0
            } else {
                (1 + r.next_u64() % 120) as f64
            }
        })
        .collect();
    let real: Vec<f64> = tenure.iter().copied().filter(|x| *x != 999.0).collect();
    cols.push(Column::number("months_active", tenure.clone()));
    let (m, f) = defaults(cols);
    match rule_of(&f, "pdays") {
        Some(Rule::MostlySentinel { value, share }) => {
            assert_eq!(*value, -1.0);
            assert!((share - 0.8).abs() < 1e-9, "{share}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.usage_of("pdays"), ColumnUse::Profile);
    let info = f.report.feature("months_active").expect("still a feature");
    let s = info.sentinel.expect("sentinel reported");
    assert_eq!((s.value, s.count), (999.0, 100));
    assert_eq!(info.filled, 100);
    // Filled with the median of the real values, computed here.
    let mut sorted = real.clone();
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0;
    let spec = f
        .params
        .features
        .iter()
        .find(|s| s.name == "months_active")
        .unwrap();
    assert_eq!(spec.fill, median);
    assert_eq!(spec.missing_value, Some(999.0));
    let j = f.names.iter().position(|x| x == "months_active").unwrap();
    assert!(
        f.original_column(j)
            .iter()
            .all(|&x| x != 999.0 && x <= 120.0)
    );
}

#[test]
fn flags_are_profile_by_default_and_weighted_features_when_asked() {
    let n = 1000;
    let mut cols = behaviour(n, 8);
    // A rare flag: 2% ones. Unweighted, its z-score would reach +7.
    cols.push(Column::number(
        "has_loan",
        (0..n).map(|i| f64::from(u8::from(i % 50 == 0))).collect(),
    ));
    cols.push(flag_col(
        "default",
        (0..n).map(|i| f64::from(u8::from(i % 4 == 0))).collect(),
    ));
    let (_, f) = defaults(cols.clone());
    assert_eq!(f.names, ["PURCHASES", "VISITS"]);
    match rule_of(&f, "has_loan") {
        Some(Rule::Flag { share }) => assert!((share - 0.02).abs() < 1e-9),
        other => panic!("{other:?}"),
    }
    assert!(matches!(rule_of(&f, "default"), Some(Rule::Flag { .. })));

    let mopts = MappingOptions {
        hygiene: custseg::pipeline::hygiene::HygieneOptions {
            flags: FlagUse::Feature,
            ..Default::default()
        },
        ..MappingOptions::default()
    };
    let (_, f) = build(cols, &mopts, &FeatureOptions::default());
    assert_eq!(f.names, ["PURCHASES", "VISITS", "has_loan", "default"]);
    let w = FeatureOptions::default().indicator_weight;
    for name in ["has_loan", "default"] {
        let info = f.report.feature(name).unwrap();
        assert_eq!(info.kind, FeatureKind::Flag);
        assert_eq!(info.transform, Transform::None);
        let j = f.names.iter().position(|x| x == name).unwrap();
        let col: Vec<f64> = f.scaled_column(j).collect();
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // A flag weighs the indicator weight's square of a numeric
        // feature's unit variance.
        assert!((var - w * w).abs() < 1e-9, "{name}: {var}");
        assert!(mean.abs() < 1e-9);
    }
}

#[test]
fn outcomes_and_after_the_fact_columns_are_profile_only_and_never_one_hot() {
    let n = 500;
    let mut r = rng(9);
    let mut cols = behaviour(n, 9);
    let y: Vec<String> = (0..n)
        .map(|i| if i % 9 == 0 { "yes" } else { "no" }.to_string())
        .collect();
    cols.push(text_col("y", &y));
    cols.push(Column::number(
        "churned",
        (0..n).map(|i| f64::from(u8::from(i % 7 == 0))).collect(),
    ));
    cols.push(Column::number(
        "duration",
        (0..n).map(|_| (30 + r.next_u64() % 900) as f64).collect(),
    ));
    let region: Vec<String> = (0..n).map(|i| ["N", "S", "E"][i % 3].to_string()).collect();
    cols.push(text_col("region", &region));
    let mut mopts = MappingOptions::default();
    mopts.hygiene.after_the_fact = vec!["duration".into()];
    let fopts = FeatureOptions {
        one_hot: true,
        ..FeatureOptions::default()
    };
    let (m, f) = build(cols, &mopts, &fopts);
    assert_eq!(
        f.names,
        ["PURCHASES", "VISITS", "region=E", "region=N", "region=S"]
    );
    assert_eq!(rule_of(&f, "y"), Some(&Rule::Outcome { word: "y".into() }));
    assert_eq!(
        rule_of(&f, "churned"),
        Some(&Rule::Outcome {
            word: "churned".into()
        })
    );
    assert_eq!(rule_of(&f, "duration"), Some(&Rule::AfterTheFact));
    for c in ["y", "churned", "duration"] {
        assert_eq!(m.usage_of(c), ColumnUse::Profile, "{c}");
    }
    assert!(f.report.left_out("y").unwrap().contains("outcome"));
    // The one-hot levels of one column together weigh the indicator weight.
    let w = fopts.indicator_weight;
    let total: f64 = (2..5)
        .map(|j| {
            let col: Vec<f64> = f.scaled_column(j).collect();
            col.iter().map(|x| x * x).sum::<f64>() / n as f64
        })
        .sum();
    assert!((total - w * w).abs() < 1e-9, "{total}");
}

#[test]
fn turning_the_rules_off_offers_every_numeric_column() {
    let mut mopts = MappingOptions::default();
    mopts.hygiene.enabled = false;
    let (_, f) = build(rfm_table(300, 10), &mopts, &FeatureOptions::default());
    assert!(f.names.contains(&"R_Score".to_string()), "{:?}", f.names);
    assert!(f.report.ruled.is_empty());
}

// ---------------------------------------------------------------- skew, refunds, outliers

#[test]
fn money_with_a_few_refunds_still_gets_a_log_transform() {
    let n = 2000;
    let refunds = |share_pct: usize, seed: u64| -> Vec<f64> {
        let mut r = rng(seed);
        (0..n)
            .map(|i| {
                let v = lognormal(&mut r, 500.0, 1.4);
                // A refund: a net negative amount.
                if (i * 37) % 100 < share_pct {
                    -v / 3.0
                } else {
                    v
                }
            })
            .collect()
    };
    let with = |monetary: Vec<f64>, fopts: &FeatureOptions| {
        let mut cols = behaviour(n, 11);
        cols[1] = Column::number("Monetary", monetary);
        build(cols, &MappingOptions::default(), fopts).1
    };

    // 3% refunds: below the 1st percentile too, so the signed log1p.
    let monetary = refunds(3, 11);
    let negatives = monetary.iter().filter(|x| **x < 0.0).count();
    assert_eq!(negatives, 60);
    let f = with(monetary, &FeatureOptions::default());
    let info = f.report.feature("Monetary").unwrap();
    assert_eq!(info.negatives, negatives);
    assert_eq!(info.transform, Transform::SignedLog1p);
    assert!(
        info.transform_reason.contains("3.0% negative"),
        "{}",
        info.transform_reason
    );
    assert!(info.skewness > 2.0, "{}", info.skewness);
    assert!(
        info.skewness_after.abs() < info.skewness,
        "{}",
        info.skewness_after
    );
    assert_eq!(info.clip_reason, Some(WinsorReason::SkewedMoney));
    // Refunds stay below zero after the transform.
    let j = f.names.iter().position(|x| x == "Monetary").unwrap();
    let spec = &f.params.features[j];
    let [lo, hi] = spec.clip.unwrap();
    assert!(lo < 0.0);
    for (&o, z) in f.original_column(j).iter().zip(f.scaled_column(j)) {
        let back = z * spec.std + spec.mean;
        let clipped = o.max(lo).min(hi);
        assert_eq!(back < 0.0, clipped < 0.0, "{o} -> {back}");
    }

    // 1% refunds: winsorising at P1 raises them to a small positive bound
    // (clipping for the transform), then log1p; the reason says so.
    let f = with(refunds(1, 12), &FeatureOptions::default());
    let info = f.report.feature("Monetary").unwrap();
    assert_eq!(info.negatives, 20);
    assert_eq!(info.transform, Transform::Log1p);
    assert!(
        info.transform_reason
            .contains("20 negative values (e.g. refunds) were raised"),
        "{}",
        info.transform_reason
    );
    // Without winsorising, the signed log keeps them negative.
    let off = FeatureOptions {
        winsorize_skewed_money: false,
        ..FeatureOptions::default()
    };
    let info = with(refunds(1, 12), &off)
        .report
        .feature("Monetary")
        .unwrap()
        .clone();
    assert_eq!(info.transform, Transform::SignedLog1p);
    assert!(info.clip.is_none());

    // Many negatives: no log, and the reason says so.
    let mut r = rng(12);
    let flow: Vec<f64> = (0..n)
        .map(|i| lognormal(&mut r, 500.0, 1.4) * if i % 3 == 0 { -1.0 } else { 1.0 })
        .collect();
    let mut cols = behaviour(n, 12);
    cols[1] = Column::number("net_amount", flow);
    let (_, f) = defaults(cols);
    let info = f.report.feature("net_amount").unwrap();
    assert_eq!(info.transform, Transform::None);
    assert!(
        info.transform_reason.contains("negative"),
        "{}",
        info.transform_reason
    );
}

/// Writes a generated table as CSV and runs the whole pipeline.
fn run_csv(
    dir: &std::path::Path,
    header: &str,
    rows: &[String],
    setup: impl FnOnce(&mut custseg::config::RunConfig),
) -> custseg::pipeline::run::RunOutput {
    let path = dir.join("t.csv");
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let mut cfg = custseg::config::RunConfig {
        input: Some(path),
        ..Default::default()
    };
    setup(&mut cfg);
    custseg::pipeline::run::run_all(&cfg, &custseg::pipeline::progress::NoProgress, &|_| {})
        .unwrap()
}

#[test]
fn six_outliers_do_not_make_a_segment_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = rng(13);
    let n = 2000;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let group = i % 3;
            let base = [200.0, 2000.0, 20000.0][group];
            let mut spend = lognormal(&mut r, base, 0.3);
            let mut balance = lognormal(&mut r, base * 3.0, 0.3);
            if i < 6 {
                spend *= 2000.0;
                balance *= 2000.0;
            }
            format!("C{i:05},{spend:.2},{balance:.2}")
        })
        .collect();
    let header = "customer_id,spend,balance";
    let out = run_csv(dir.path(), header, &rows, |c| c.cluster.k = Some(4));
    for s in &out.profiles.segments {
        assert!(s.size > 20, "segment {} has {} customers", s.id, s.size);
        assert!(!s.tiny);
    }
    // "spend" maps as the transaction amount: the Monetary feature.
    let info = out.features.report.feature("Monetary").unwrap();
    assert_eq!(info.clip_reason, Some(WinsorReason::SkewedMoney));
    // Without winsorising the outliers split off, and the tiny segment is
    // flagged.
    let out = run_csv(dir.path(), header, &rows, |c| {
        c.cluster.k = Some(4);
        c.features.winsorize_skewed_money = false;
    });
    let tiny: Vec<_> = out.profiles.tiny_segments().collect();
    assert_eq!(
        tiny.len(),
        1,
        "{:?}",
        out.profiles
            .segments
            .iter()
            .map(|s| s.size)
            .collect::<Vec<_>>()
    );
    assert_eq!(tiny[0].size, 6);
    let json = custseg::headless::summary_json(&out, &[]);
    let segs = json["segments"].as_array().unwrap();
    assert!(segs.iter().any(|s| s["tiny"] == true));
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("under 0.5%"))
    );
    let report = custseg::pipeline::export::report::render(&out, &Default::default(), &[]);
    assert!(report.contains("⚠ tiny"), "{report}");
}

#[test]
fn winsorising_values_near_the_float_limit_does_not_panic() {
    // Regression (issue #9 §3): the percentile interpolation overflowed
    // (b - a = inf) and clamp panicked on the unordered bounds.
    let n = 200;
    let mut r = rng(14);
    let v: Vec<f64> = (0..n)
        .map(|i| match i % 4 {
            0 => -1.7e308,
            1 => 1.7e308,
            2 => -f64::MAX,
            _ => f64::MAX * (unit(&mut r) * 2.0 - 1.0),
        })
        .collect();
    for (lower, upper) in [(0.01, 0.99), (0.0, 1.0), (0.25, 0.75), (0.33, 0.34)] {
        let fopts = FeatureOptions {
            winsorize: Some(Winsorize { lower, upper }),
            ..FeatureOptions::default()
        };
        let cols = vec![
            ids(n),
            Column::number("a", v.clone()),
            Column::number("b", v.iter().rev().copied().collect()),
        ];
        let t = Table::new(cols, SourceInfo::default());
        let m = map_columns(&t, &MappingOptions::default()).unwrap();
        let f = match build_features(&t, &m, &fopts, None) {
            Ok(f) => f,
            Err(e) => {
                // P33 and P34 both fall on the block of -1.7e308: every value
                // becomes that constant, which is an error, not a panic.
                assert_eq!((lower, upper), (0.33, 0.34));
                assert!(
                    e.to_string()
                        .contains("every value is -1.700e308 after winsorising"),
                    "{e}"
                );
                continue;
            }
        };
        for spec in &f.params.features {
            let [lo, hi] = spec.clip.unwrap();
            assert!(lo.is_finite() && hi.is_finite() && lo <= hi, "{lo} {hi}");
        }
        assert!(f.scaled.iter().all(|x| x.is_finite()));
        // The saved model scores the same values without a panic.
        let again = custseg::pipeline::features::apply_features(&t, &m, &f.params).unwrap();
        assert_eq!(again, f.scaled);
    }
}

// ---------------------------------------------------------------- the faces

/// A bank-marketing-like table: calendar parts, a sentinel, an outcome,
/// a call duration known only after the call.
fn marketing_csv(n: usize) -> String {
    let mut r = rng(15);
    let jobs = ["admin", "technician", "services", "retired"];
    let months = ["may", "jun", "jul", "aug", "nov"];
    let mut text =
        String::from("age,job,balance,day,month,duration,campaign,pdays,previous,poutcome,y\n");
    for i in 0..n {
        let contacted = i % 5 == 0;
        text.push_str(&format!(
            "{},{},{:.0},{},{},{},{},{},{},{},{}\n",
            25 + r.next_u64() % 50,
            jobs[i % jobs.len()],
            lognormal(&mut r, 1500.0, 1.0) - 200.0,
            1 + r.next_u64() % 31,
            months[i % months.len()],
            20 + r.next_u64() % 1500,
            1 + r.next_u64() % 6,
            if contacted { 1 + r.next_u64() % 400 } else { 0 } as i64 - i64::from(!contacted),
            if contacted { 1 + r.next_u64() % 5 } else { 0 },
            if contacted { "failure" } else { "unknown" },
            if i % 9 == 0 { "yes" } else { "no" },
        ));
    }
    text
}

#[test]
fn the_rules_reach_json_the_summary_and_the_report_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bank.csv");
    std::fs::write(&input, marketing_csv(1200)).unwrap();
    let out = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_custseg");
    let o = std::process::Command::new(bin)
        .arg("--no-tui")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args([
            "--after-the-fact",
            "duration",
            "--one-hot",
            "--k",
            "3",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for gone in ["day", "month", "duration", "pdays", "y", "poutcome"] {
        assert!(
            !names
                .iter()
                .any(|n| *n == gone || n.starts_with(&format!("{gone}="))),
            "{gone} in {names:?}"
        );
    }
    assert!(names.contains(&"job=admin"), "{names:?}");
    let rules: Vec<(&str, &str)> = v["hygiene"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["column"].as_str().unwrap(),
                h["rule"]["rule"].as_str().unwrap(),
            )
        })
        .collect();
    for want in [
        ("day", "calendar"),
        ("month", "calendar"),
        ("duration", "after_the_fact"),
        ("pdays", "mostly_sentinel"),
        ("y", "outcome"),
        ("poutcome", "outcome"),
    ] {
        assert!(rules.contains(&want), "{want:?} not in {rules:?}");
    }
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(
        report.contains("### Columns kept out of the clustering"),
        "{report}"
    );
    assert!(
        report.contains("| pdays | mostly_sentinel | profile only |"),
        "{report}"
    );
    assert!(
        report.contains("indicator features (one-hot levels, flags)"),
        "{report}"
    );
    // The outcomes are profiled per segment: the yes/no flag as a share,
    // the text outcome as a split; the sentinel's share too.
    assert!(report.contains("| y | "), "{report}");
    assert!(report.contains("*poutcome*: unknown "), "{report}");
    assert!(report.contains("| pdays = -1 | "), "{report}");
    // The replayed config keeps the user's column marks.
    let cfg = custseg::config::RunConfig::from_toml_file(&out.join("run.toml")).unwrap();
    assert_eq!(cfg.mapping.hygiene.after_the_fact, ["duration"]);

    // --column-rules off: day and pdays are clustered again.
    let out2 = dir.path().join("out2");
    let o = std::process::Command::new(bin)
        .arg("--no-tui")
        .arg(&input)
        .arg("--out")
        .arg(&out2)
        .args(["--column-rules", "off", "--k", "3", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"day") && names.contains(&"pdays"),
        "{names:?}"
    );

    // A column that does not exist is a usage error naming it.
    let o = std::process::Command::new(bin)
        .arg("--no-tui")
        .arg(&input)
        .arg("--out")
        .arg(dir.path().join("out3"))
        .args(["--after-the-fact", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no column 'nope'"));
}

#[test]
fn scoring_applies_sentinels_and_signed_logs_as_trained() {
    let n = 800;
    let mut r = rng(16);
    let mut cols = behaviour(n, 16);
    cols[1] = Column::number(
        "Monetary",
        (0..n)
            .map(|i| {
                let v = lognormal(&mut r, 400.0, 1.2);
                if i % 25 == 0 { -v } else { v }
            })
            .collect(),
    );
    cols.push(Column::number(
        "months_active",
        (0..n)
            .map(|i| {
                if i % 8 == 0 {
                    9999.0
                } else {
                    (1 + i % 90) as f64
                }
            })
            .collect(),
    ));
    let t = Table::new(cols, SourceInfo::default());
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    let f = build_features(&t, &m, &FeatureOptions::default(), None).unwrap();
    assert_eq!(
        f.report.feature("Monetary").unwrap().transform,
        Transform::SignedLog1p
    );
    assert_eq!(
        f.report
            .feature("months_active")
            .unwrap()
            .sentinel
            .unwrap()
            .value,
        9999.0
    );
    let again = custseg::pipeline::features::apply_features(&t, &m, &f.params).unwrap();
    assert_eq!(again, f.scaled);
}
