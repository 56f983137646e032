//! Honest profiles and labels that fit (issue #8 §3-4): a property test
//! that every shown direction agrees with the raw mean and median, and
//! label tests on generated RFM-only, credit-card-like and bank tables run
//! through the whole pipeline.

use custseg::config::RunConfig;
use custseg::pipeline::features::Transform;
use custseg::pipeline::labels::{LabelScheme, descriptive_name};
use custseg::pipeline::profile::{
    Direction, LabelOptions, ProfileInput, SegmentProfile, profile, trait_text,
};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::run::{RunOutput, run_all};
use custseg::sample::{SampleOptions, Segment, write_sample};
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- property

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// A value of one of a few shapes: skewed money with refunds, small whole
/// numbers with many ties, symmetric numbers.
fn value(kind: u8, raw: f64) -> f64 {
    match kind % 3 {
        0 => {
            let m = (raw * 8.0).exp() - 1.0;
            if raw < 0.05 { -m - 1.0 } else { m }
        }
        1 => (raw * 6.0).floor(),
        _ => raw * 200.0 - 100.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_shown_direction_agrees_with_the_raw_mean_and_median(
        n in 12usize..160,
        k in 2usize..6,
        kinds in prop::collection::vec(0u8..3, 1..4),
        raw in prop::collection::vec(0.0f64..1.0, 160 * 3),
        segs in prop::collection::vec(0u32..6, 160),
    ) {
        let d = kinds.len();
        let names: Vec<String> = (0..d).map(|j| format!("f{j}")).collect();
        let mut original = vec![0.0; n * d];
        for i in 0..n {
            for j in 0..d {
                original[i * d + j] = value(kinds[j], raw[i * 3 + j]);
            }
        }
        // Scaled: the log of |x| z-scored, as a transform would (its sign
        // can disagree with the raw numbers; the directions must not).
        let mut scaled = vec![0.0; n * d];
        for j in 0..d {
            let col: Vec<f64> = (0..n).map(|i| original[i * d + j].abs().ln_1p()).collect();
            let m = mean(&col);
            let sd = (col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt().max(1e-9);
            for i in 0..n {
                scaled[i * d + j] = (col[i] - m) / sd;
            }
        }
        // Every segment has a member.
        let labels: Vec<u8> = (0..n)
            .map(|i| if i < k { i as u8 } else { (segs[i] % k as u32) as u8 })
            .collect();
        let transforms = vec![Transform::Log1p; d];
        let columns: Vec<Vec<f64>> = (0..d)
            .map(|j| (0..n).map(|i| original[i * d + j]).collect())
            .collect();
        let input = ProfileInput {
            feature_names: &names,
            original: columns.iter().map(Vec::as_slice).collect(),
            scaled: &scaled,
            n,
            d,
            labels: &labels,
            k,
            transforms: &transforms,
            kinds: &[],
            gender: None,
            branch: None,
            age: None,
            texts: Vec::new(),
            extras: Vec::new(),
        };
        let p = profile(&input, &LabelOptions::default());
        prop_assert_eq!(p.segments.len(), k);
        for (c, s) in p.segments.iter().enumerate() {
            for (j, f) in s.features.iter().enumerate() {
                let mut all: Vec<f64> = (0..n).map(|i| original[i * d + j]).collect();
                let mut mine: Vec<f64> = (0..n)
                    .filter(|&i| labels[i] as usize == c)
                    .map(|i| original[i * d + j])
                    .collect();
                let (m_all, m_mine) = (mean(&all), mean(&mine));
                let (md_all, md_mine) = (median(&mut all), median(&mut mine));
                let tol = |x: f64| 1e-9 * x.abs().max(1.0);
                prop_assert!((f.mean - m_mine).abs() <= tol(m_mine), "mean {} vs {}", f.mean, m_mine);
                prop_assert!((f.overall_mean - m_all).abs() <= tol(m_all));
                prop_assert_eq!(f.median, md_mine);
                prop_assert_eq!(f.overall_median, md_all);
                match f.direction {
                    Direction::High => {
                        prop_assert!(m_mine > m_all && md_mine >= md_all,
                            "high but mean {} vs {}, median {} vs {}", m_mine, m_all, md_mine, md_all);
                        prop_assert!(trait_text(f).contains(" high "));
                    }
                    Direction::Low => {
                        prop_assert!(m_mine < m_all && md_mine <= md_all,
                            "low but mean {} vs {}, median {} vs {}", m_mine, m_all, md_mine, md_all);
                        prop_assert!(trait_text(f).contains(" low "));
                    }
                    Direction::Typical => {
                        prop_assert!(!s.distinguishing.contains(&f.feature));
                    }
                }
                // The bar drawn (the signal) never points against the numbers.
                if f.signal > 0.0 {
                    prop_assert!(m_mine > m_all && md_mine >= md_all);
                }
                if f.signal < 0.0 {
                    prop_assert!(m_mine < m_all && md_mine <= md_all);
                }
            }
            // A descriptive name only says what the directions say.
            let name = descriptive_name(&s.features);
            for part in name.split(", ") {
                if let Some(rest) = part.strip_prefix("High ") {
                    prop_assert!(s.features.iter().any(|f| f.feature == rest && f.direction == Direction::High), "{}", name);
                } else if let Some(rest) = part.strip_prefix("Low ") {
                    prop_assert!(s.features.iter().any(|f| f.feature == rest && f.direction == Direction::Low), "{}", name);
                } else {
                    prop_assert_eq!(part, "Average profile");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- labels

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn unit(r: &mut ChaCha8Rng) -> f64 {
    (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Log-normal with median `m` and log-sd `s`.
fn lognormal(r: &mut ChaCha8Rng, m: f64, s: f64) -> f64 {
    let (u1, u2) = (unit(r).max(1e-12), unit(r));
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    m * (s * z).exp()
}

fn run_csv(dir: &std::path::Path, text: &str, k: usize) -> RunOutput {
    let path = dir.join("t.csv");
    std::fs::write(&path, text).unwrap();
    let mut cfg = RunConfig {
        input: Some(path),
        ..Default::default()
    };
    cfg.cluster.k = Some(k);
    run_all(&cfg, &NoProgress, &|_| {}).unwrap()
}

/// Planted group -> the label most of its customers got.
fn labels_by_group(out: &RunOutput, groups: &[&str]) -> BTreeMap<String, String> {
    let labels = &out.chosen().fit.labels;
    let mut counts: BTreeMap<(&str, u32), usize> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        *counts.entry((g, u32::from(labels[i]))).or_default() += 1;
    }
    let mut best: BTreeMap<String, (usize, u32)> = BTreeMap::new();
    for ((g, seg), c) in counts {
        let e = best.entry(g.to_string()).or_insert((0, seg));
        if c > e.0 {
            *e = (c, seg);
        }
    }
    best.into_iter()
        .map(|(g, (_, seg))| (g, out.profiles.segments[seg as usize].label.clone()))
        .collect()
}

fn segment_of<'a>(out: &'a RunOutput, label: &str) -> &'a SegmentProfile {
    out.profiles
        .segments
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no segment labelled {label}"))
}

#[test]
fn an_rfm_only_table_gets_rfm_labels_where_they_fit() {
    // (group, recency days, frequency, monetary): medians of each planted group.
    let plan = [
        ("champions", 5.0, 30.0, 5000.0),
        ("loyal", 30.0, 18.0, 1800.0),
        ("new", 3.0, 1.0, 90.0),
        ("at_risk", 200.0, 14.0, 2600.0),
        ("lost", 420.0, 1.5, 70.0),
    ];
    let mut r = rng(21);
    let mut text = String::from("CustomerID,Recency,Frequency,Monetary\n");
    let mut groups = Vec::new();
    for i in 0..1500 {
        let (g, rec, freq, mon) = plan[i % plan.len()];
        let rec = lognormal(&mut r, rec, 0.25).round();
        let freq = lognormal(&mut r, freq, 0.2).round().max(1.0);
        let mon = lognormal(&mut r, mon, 0.25);
        text.push_str(&format!("U{i:05},{rec},{freq},{mon:.2}\n"));
        groups.push(g);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_csv(dir.path(), &text, 5);
    assert_eq!(out.profiles.scheme, LabelScheme::Rfm);
    assert_eq!(out.features.names, ["Recency", "Frequency", "Monetary"]);
    let got = labels_by_group(&out, &groups);
    assert_eq!(got["champions"], "Champions", "{got:?}");
    assert_eq!(got["loyal"], "Loyal", "{got:?}");
    assert_eq!(got["new"], "New Customers", "{got:?}");
    assert_eq!(got["at_risk"], "At Risk", "{got:?}");
    assert_eq!(got["lost"], "Lost", "{got:?}");
    // The top label goes to the highest median Monetary, and its action is
    // a retail one.
    let champions = segment_of(&out, "Champions");
    let top = out
        .profiles
        .segments
        .iter()
        .map(|s| s.feature("Monetary").unwrap().median)
        .fold(f64::MIN, f64::max);
    assert_eq!(champions.feature("Monetary").unwrap().median, top);
    assert!(!champions.action.contains("wealth"), "{}", champions.action);
}

#[test]
fn a_healthy_rfm_table_has_no_churn_labels() {
    // Everybody bought in the last three weeks: nobody is at risk.
    let mut r = rng(22);
    let mut text = String::from("CustomerID,Recency,Frequency,Monetary\n");
    for i in 0..900 {
        let (freq, mon) = [(40.0, 4000.0), (12.0, 900.0), (2.0, 150.0)][i % 3];
        let rec = (unit(&mut r) * 20.0).round();
        let freq = lognormal(&mut r, freq, 0.15).round().max(1.0);
        let mon = lognormal(&mut r, mon, 0.15);
        text.push_str(&format!("U{i:05},{rec},{freq},{mon:.2}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_csv(dir.path(), &text, 3);
    for s in &out.profiles.segments {
        assert!(
            !["At Risk", "Hibernating", "Lost"]
                .iter()
                .any(|l| s.label.starts_with(l)),
            "{}: {}",
            s.label,
            s.label_reason
        );
    }
}

#[test]
fn a_credit_card_table_gets_card_labels_and_card_actions() {
    // BALANCE, PURCHASES, INSTALLMENTS_PURCHASES, CASH_ADVANCE,
    // CREDIT_LIMIT, PAYMENTS, PRC_FULL_PAYMENT medians per planted group.
    let plan: [(&str, [f64; 7]); 5] = [
        (
            "transactors",
            [150.0, 3000.0, 60.0, 0.0, 9000.0, 3200.0, 0.95],
        ),
        ("revolvers", [5500.0, 700.0, 150.0, 0.0, 7000.0, 500.0, 0.0]),
        ("cash", [3000.0, 40.0, 0.0, 3500.0, 5000.0, 1800.0, 0.03]),
        (
            "instalments",
            [1200.0, 1300.0, 1150.0, 0.0, 5000.0, 900.0, 0.15],
        ),
        ("inactive", [80.0, 0.0, 0.0, 0.0, 2000.0, 40.0, 0.0]),
    ];
    let mut r = rng(23);
    let mut text = String::from(
        "CUST_ID,BALANCE,PURCHASES,INSTALLMENTS_PURCHASES,CASH_ADVANCE,CREDIT_LIMIT,PAYMENTS,PRC_FULL_PAYMENT\n",
    );
    let mut groups = Vec::new();
    for i in 0..1500 {
        let (g, m) = plan[i % plan.len()];
        let mut row = format!("K{i:05}");
        for (j, &med) in m.iter().enumerate() {
            let v = if med == 0.0 {
                0.0
            } else if j == 6 {
                (med + (unit(&mut r) - 0.5) * 0.1).clamp(0.0, 1.0)
            } else {
                lognormal(&mut r, med, 0.3)
            };
            row.push_str(&format!(",{v:.2}"));
        }
        text.push_str(&row);
        text.push('\n');
        groups.push(g);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_csv(dir.path(), &text, 5);
    assert_eq!(
        out.profiles.scheme,
        LabelScheme::Card,
        "{}",
        out.profiles.scheme_reason
    );
    let got = labels_by_group(&out, &groups);
    assert_eq!(got["transactors"], "Transactors", "{got:?}");
    assert_eq!(got["revolvers"], "Revolvers", "{got:?}");
    assert_eq!(got["cash"], "Cash-Advance Users", "{got:?}");
    assert_eq!(got["instalments"], "Instalment Buyers", "{got:?}");
    assert_eq!(got["inactive"], "Inactive Cardholders", "{got:?}");
    for s in &out.profiles.segments {
        assert!(!s.action.contains("Review this segment"), "{}", s.action);
    }
    assert!(
        segment_of(&out, "Cash-Advance Users")
            .action
            .contains("cash")
    );
}

#[test]
fn a_generated_bank_table_gets_the_five_bank_labels_on_the_planted_segments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.csv");
    let summary = write_sample(
        &path,
        &SampleOptions {
            rows: 2500,
            seed: 77,
            ..SampleOptions::default()
        },
    )
    .unwrap();
    let mut cfg = RunConfig {
        input: Some(path),
        ..Default::default()
    };
    cfg.cluster.k = Some(5);
    let out = run_all(&cfg, &NoProgress, &|_| {}).unwrap();
    assert_eq!(out.profiles.scheme, LabelScheme::Bank);
    let groups: Vec<&str> = summary.segments.iter().map(|s| s.name()).collect();
    let got = labels_by_group(&out, &groups);
    let want = [
        (Segment::HighValue, "High-Value Customers (VIP)"),
        (Segment::YoungPotential, "Potential Customers"),
        (Segment::Stable, "Stable Customers"),
        (Segment::HighlyActive, "Active Transaction Customers"),
        (Segment::Dormant, "Dormant / Churn-Warning Customers"),
    ];
    for (seg, label) in want {
        assert_eq!(got[seg.name()], label, "{got:?}");
    }
    // The VIP segment has the highest median balance, and every trait it
    // shows agrees with the numbers beside it.
    let vip = segment_of(&out, "High-Value Customers (VIP)");
    let top = out
        .profiles
        .segments
        .iter()
        .map(|s| s.feature("Balance").unwrap().median)
        .fold(f64::MIN, f64::max);
    assert_eq!(vip.feature("Balance").unwrap().median, top);
    assert_eq!(vip.feature("Balance").unwrap().direction, Direction::High);
    // New customers (short tenure) are never dormant.
    let potential = segment_of(&out, "Potential Customers");
    assert_eq!(
        potential.feature("Tenure").unwrap().direction,
        Direction::Low
    );
}

#[test]
fn the_summary_csv_lists_the_largest_groups_and_rounds_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_custseg");
    let o = std::process::Command::new(bin)
        .args(["--no-tui", "samples/customers_en.csv", "--out"])
        .arg(&out_dir)
        .args(["--k", "5"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = csv::Reader::from_path(out_dir.join("cluster_summary.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let age_col = headers.iter().position(|h| h == "top_age_band").unwrap();
    let results = csv::Reader::from_path(out_dir.join("segmentation_results.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        // Numbers: at most two decimals from 1 up.
        for (h, v) in headers.iter().zip(rec.iter()) {
            if h.ends_with("_mean") || h.ends_with("_median") {
                let dec = v.split_once('.').map_or(0, |(_, d)| d.len());
                let x: f64 = v.parse().unwrap();
                assert!(x.abs() < 1.0 || dec <= 2, "{h} = {v}");
            }
        }
        // The first age band listed is the segment's largest, counted here.
        let seg = &rec[0];
        let mut bands: BTreeMap<&str, usize> = BTreeMap::new();
        let ages: Vec<f64> = results
            .iter()
            .filter(|r| &r[1] == seg)
            .map(|r| r[headers_index(&out_dir, "Age")].parse::<f64>().unwrap())
            .collect();
        for a in &ages {
            let b = match *a {
                a if a < 25.0 => "<25",
                a if a < 35.0 => "25-34",
                a if a < 45.0 => "35-44",
                a if a < 55.0 => "45-54",
                a if a < 65.0 => "55-64",
                _ => "65+",
            };
            *bands.entry(b).or_default() += 1;
        }
        let largest = bands
            .iter()
            .max_by_key(|(b, c)| (**c, std::cmp::Reverse(**b)))
            .unwrap()
            .0;
        let listed = rec[age_col].split(';').next().unwrap().trim();
        assert!(
            listed.starts_with(largest),
            "segment {seg}: {listed} vs {largest} {bands:?}"
        );
    }
}

/// Position of a column in segmentation_results.csv.
fn headers_index(out: &std::path::Path, name: &str) -> usize {
    let mut rdr = csv::Reader::from_path(out.join("segmentation_results.csv")).unwrap();
    rdr.headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap()
}
