//! Issue 15: can the segments be trusted? Per-segment bootstrap stability,
//! the structure verdict, a K that does not move with the swept range, and
//! rules that explain each segment in original units.
//!
//! The bundled samples have five planted segments; the structureless and
//! grouped tables are generated here. Where a figure can be recomputed
//! independently (rule agreement, the rules' SSE, the SQL rules), the test
//! does so.

use crate::cluster_util;

use cluster_util::normal;
use custseg::config::RunConfig;
use custseg::pipeline::cluster::{Choice, SweepConfig, SweepResult, sweep};
use custseg::pipeline::k_choice;
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::run::{RunOutput, run_all};
use custseg::pipeline::trust::{Band, Verdict};
use ndarray::ArrayView2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLANTED: [&str; 4] = [
    "samples/customers_en.csv",
    "samples/customers_cn_gbk.csv",
    "samples/customers.xlsx",
    "samples/transactions.csv",
];

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn run_file(path: &Path, edit: impl FnOnce(&mut RunConfig)) -> RunOutput {
    let mut cfg = RunConfig {
        input: Some(path.to_path_buf()),
        ..RunConfig::default()
    };
    edit(&mut cfg);
    run_all(&cfg, &NoProgress, &|_| {}).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sweep as a narrower range `2..=top` would have made it: each K's fit
/// and gap do not depend on the range (same seed, same streams), which the
/// caller checks against a real run.
fn narrowed(s: &SweepResult, top: usize) -> SweepResult {
    let mut n = s.clone();
    n.results.retain(|r| r.k <= top);
    n.k_max = top;
    if let Some(g) = &mut n.gap {
        g.points.retain(|p| p.k <= top);
    }
    n
}

/// Writes a CSV with columns x1..xd from row-major `data`.
fn write_csv(path: &Path, data: &[f64], d: usize) {
    let mut text: String = (1..=d)
        .map(|j| format!("x{j}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for row in data.chunks_exact(d) {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:.6}")).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// `n` rows around `k` centres drawn from N(0, sep²) in `d` dimensions, unit
/// spread, each row's centre drawn at random.
fn random_blobs(n: usize, d: usize, k: usize, sep: f64, seed: u64) -> Vec<f64> {
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<f64> = (0..k * d).map(|_| sep * normal(&mut rng)).collect();
    let mut data = Vec::with_capacity(n * d);
    for _ in 0..n {
        let c = rng.random_range(0..k as u64) as usize;
        for j in 0..d {
            data.push(centres[c * d + j] + normal(&mut rng));
        }
    }
    data
}

/// `n` rows of one standard Gaussian in `d` dimensions (no groups at all).
fn one_gaussian(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n * d).map(|_| normal(&mut rng)).collect()
}

/// Each customer's segment by the rules, applied in original units to the
/// features as the rules' conditions state them (every customer must
/// match exactly one rule).
fn segments_by_rules(run: &RunOutput) -> Vec<u32> {
    let f = &run.features;
    let trust = run.profiles.trust.as_ref().unwrap();
    let rules = &trust.rules.as_ref().unwrap().segments;
    (0..f.n)
        .map(|i| {
            let row = f.original_row(i);
            let hits: Vec<u32> = rules
                .iter()
                .filter(|r| {
                    r.conditions.iter().all(|c| {
                        let j = f.names.iter().position(|n| *n == c.feature).unwrap();
                        c.at_least.is_none_or(|t| row[j] >= t) && c.below.is_none_or(|t| row[j] < t)
                    })
                })
                .map(|r| r.segment as u32)
                .collect();
            assert_eq!(hits.len(), 1, "row {i} matches rules {hits:?}");
            hits[0]
        })
        .collect()
}

#[test]
fn planted_samples_are_clear_stable_explained_and_k5_for_every_range() {
    for sample in PLANTED {
        let path = repo(sample);
        let wide = run_file(&path, |c| (c.cluster.k_min, c.cluster.k_max) = (2, 15));
        let narrow = run_file(&path, |c| (c.cluster.k_min, c.cluster.k_max) = (2, 6));
        // Narrowing the wide sweep gives the narrow run's sweep: the K of
        // each range can be read from the wide one.
        let as_narrow = narrowed(&wide.sweep, 6);
        assert_eq!(as_narrow.results, narrow.sweep.results, "{sample}");
        assert_eq!(as_narrow.gap, narrow.sweep.gap, "{sample}");
        assert_eq!(narrow.pick.k, 5, "{sample} 2..6: {}", narrow.pick.reason);
        assert!(!narrow.pick.at_edge, "{sample}: 5 is inside 2..6");
        for top in 6..=15 {
            let pick = k_choice::auto_of(&narrowed(&wide.sweep, top));
            assert_eq!(
                (pick.k, pick.choice),
                (5, Choice::Knee),
                "{sample} 2..{top}: {}",
                pick.reason
            );
        }
        assert_eq!(wide.pick.k, 5);

        let trust = wide.profiles.trust.as_ref().unwrap();
        assert_eq!(
            trust.structure.verdict,
            Verdict::Clear,
            "{sample}: {:?}",
            trust.structure
        );
        let st = trust.stability.as_ref().unwrap();
        assert_eq!(st.segments.len(), 5);
        for s in &st.segments {
            assert!(
                s.jaccard >= 0.85,
                "{sample}: segment {} at {:.3}",
                s.segment,
                s.jaccard
            );
            assert_eq!(s.band, Band::HighlyStable);
        }
        let rules = trust.rules.as_ref().unwrap();
        assert!(
            rules.agreement >= 0.9,
            "{sample}: agreement {}",
            rules.agreement
        );
        // Agreement and cost ratio recomputed from the rules as stated.
        let by_rules = segments_by_rules(&wide);
        let labels = &wide.chosen().fit.labels;
        let agree = by_rules
            .iter()
            .zip(labels)
            .filter(|(a, b)| **a == u32::from(**b))
            .count();
        assert_eq!(
            agree as f64 / labels.len() as f64,
            rules.agreement,
            "{sample}"
        );
        let ratio = rule_sse(&wide, &by_rules) / wide.chosen().fit.inertia;
        assert!(
            (ratio - rules.cost_ratio).abs() < 1e-9 * ratio,
            "{sample}: {ratio} vs {}",
            rules.cost_ratio
        );
        assert!(
            (1.0..1.5).contains(&rules.cost_ratio),
            "{sample}: {}",
            rules.cost_ratio
        );
    }
}

/// SSE of the partition `seg` around each part's mean, in scaled units.
fn rule_sse(run: &RunOutput, seg: &[u32]) -> f64 {
    let f = &run.features;
    let k = *seg.iter().max().unwrap() as usize + 1;
    let mut mean = vec![0.0; k * f.d];
    let mut count = vec![0usize; k];
    for (row, &s) in f.scaled.chunks_exact(f.d).zip(seg) {
        count[s as usize] += 1;
        for (m, x) in mean[s as usize * f.d..][..f.d].iter_mut().zip(row) {
            *m += x;
        }
    }
    for (c, n) in count.iter().enumerate() {
        mean[c * f.d..(c + 1) * f.d]
            .iter_mut()
            .for_each(|m| *m /= (*n).max(1) as f64);
    }
    f.scaled
        .chunks_exact(f.d)
        .zip(seg)
        .map(|(row, &s)| {
            row.iter()
                .zip(&mean[s as usize * f.d..])
                .map(|(x, m)| (x - m).powi(2))
                .sum::<f64>()
        })
        .sum()
}

#[test]
fn one_gaussian_in_six_dimensions_has_no_natural_segments() {
    let dir = tempfile::tempdir().unwrap();
    for (n, seed) in [(3000, 1), (800, 2)] {
        let path = dir.path().join(format!("blob_{n}.csv"));
        write_csv(&path, &one_gaussian(n, 6, seed), 6);
        let run = run_file(&path, |_| {});
        let trust = run.profiles.trust.as_ref().unwrap();
        let verdict = trust.structure.verdict;
        assert!(
            matches!(verdict, Verdict::None | Verdict::Weak),
            "n={n}: {:?}",
            trust.structure
        );
        assert_eq!(trust.structure.gap_structure, Some(false), "n={n}");
        assert_eq!(
            (run.pick.k, run.pick.choice),
            (2, Choice::Smallest),
            "{}",
            run.pick.reason
        );
        // The same for any range: nothing beats structureless data.
        let wider = run_file(&path, |c| c.cluster.k_max = 15);
        assert_eq!(wider.pick.k, 2);
    }
}

/// A stretched Gaussian splits the same way on every resample (stable), yet
/// it is still one group: the gap statistic keeps the verdict honest.
#[test]
fn a_stable_split_of_one_elongated_cloud_is_not_called_clear() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = one_gaussian(3000, 4, 9);
    for row in data.chunks_exact_mut(4) {
        row[0] *= 6.0;
        row[1] += 0.8 * row[0];
    }
    let path = dir.path().join("elongated.csv");
    write_csv(&path, &data, 4);
    let run = run_file(&path, |c| {
        c.features.transform = custseg::pipeline::features::TransformMode::None
    });
    let trust = run.profiles.trust.as_ref().unwrap();
    assert_ne!(
        trust.structure.verdict,
        Verdict::Clear,
        "{:?}",
        trust.structure
    );
}

#[test]
fn stability_tells_a_split_blob_from_real_segments() {
    // Three round, well separated blobs in 2-D: a big wide one and two
    // small tight ones. Cut into four, K-Means always cuts the big one, but
    // along a direction that moves from resample to resample; the small
    // blobs stay whole.
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let blobs = [
        (0.0, 0.0, 2.0, 2000),
        (20.0, 0.0, 1.0, 500),
        (0.0, 20.0, 1.0, 500),
    ];
    let mut data = Vec::new();
    let mut truth = Vec::new();
    for (b, &(cx, cy, spread, rows)) in blobs.iter().enumerate() {
        for _ in 0..rows {
            data.push(cx + spread * normal(&mut rng));
            data.push(cy + spread * normal(&mut rng));
            truth.push(b);
        }
    }
    let n = truth.len();
    let x = ArrayView2::from_shape((n, 2), &data[..]).unwrap();
    let cfg = SweepConfig {
        k_min: 2,
        k_max: 5,
        n_init: 3,
        ..SweepConfig::default()
    };
    let s = sweep(x, &[], &cfg, &NoProgress).unwrap();
    assert_eq!(s.chosen_k, 3, "{}", s.reason);
    let fit = &s.get(4).unwrap().fit;
    let opts = custseg::pipeline::trust::stability::StabilityOptions {
        resamples: 30,
        stop_when_settled: false,
        sample: 0,
        seed: 5,
        max_iter: 300,
        tol: 1e-4,
        storage: Default::default(),
    };
    let st = custseg::pipeline::trust::stability::stability(x, &fit.labels, 4, &opts, &NoProgress)
        .unwrap();
    // Each K=4 segment's planted blob (all its members share one).
    let blob_of = |c: usize| {
        let members: Vec<usize> = (0..n)
            .filter(|&i| fit.labels[i] as usize == c)
            .map(|i| truth[i])
            .collect();
        assert!(
            members.iter().all(|&b| b == members[0]),
            "segment {c} mixes blobs"
        );
        members[0]
    };
    let (mut small, mut halves) = (Vec::new(), Vec::new());
    for seg in &st.segments {
        if blob_of(seg.segment) == 0 {
            halves.push(seg.jaccard);
        } else {
            small.push(seg.jaccard);
        }
    }
    assert_eq!((small.len(), halves.len()), (2, 2), "{:?}", fit.sizes);
    assert!(
        small.iter().all(|&j| j >= 0.95),
        "the small blobs: {small:?}"
    );
    assert!(
        halves.iter().all(|&j| j < 0.85),
        "the halves of the big blob: {halves:?}"
    );
}

#[test]
fn stability_stops_once_every_band_is_settled_keeping_the_first_resamples() {
    use custseg::pipeline::trust::stability::{MIN_RESAMPLES, StabilityOptions, stability};
    // Three far-apart blobs: every segment is highly stable long before the
    // most resamples asked for, so the check stops after the first round.
    let (n, d, k) = (1500, 3, 3);
    let data = random_blobs(n, d, k, 10.0, 11);
    let x = ArrayView2::from_shape((n, d), &data[..]).unwrap();
    let cfg = SweepConfig {
        k_min: 2,
        k_max: 4,
        n_init: 3,
        ..SweepConfig::default()
    };
    let s = sweep(x, &[], &cfg, &NoProgress).unwrap();
    let labels = &s.get(k).unwrap().fit.labels;
    let opts = |resamples, stop_when_settled| StabilityOptions {
        resamples,
        stop_when_settled,
        sample: 0,
        seed: 9,
        max_iter: 300,
        tol: 1e-4,
        storage: Default::default(),
    };
    let early = stability(x, labels, k, &opts(50, true), &NoProgress).unwrap();
    assert_eq!(
        (early.resamples, early.planned, early.stopped_early),
        (MIN_RESAMPLES, 50, true)
    );
    for seg in &early.segments {
        assert!(seg.settled(), "{seg:?}");
        assert_eq!(seg.band, Band::HighlyStable, "{seg:?}");
        assert!(seg.margin > 0.0 || seg.jaccard == 1.0, "{seg:?}");
    }
    // Exactly the first resamples of a run told to do that many.
    let fixed = stability(x, labels, k, &opts(MIN_RESAMPLES, false), &NoProgress).unwrap();
    assert_eq!(early.segments, fixed.segments);
    assert!(!fixed.stopped_early);
    // Told to run them all, it does.
    let all = stability(x, labels, k, &opts(50, false), &NoProgress).unwrap();
    assert_eq!((all.resamples, all.stopped_early), (50, false));
}

#[test]
fn k_at_the_top_of_the_range_is_said_and_a_wider_range_finds_more() {
    // Eight blobs around random centres: 2..6 stops at its top and says
    // so; 2..12 finds the eight.
    let (n, d) = (3000, 6);
    let data = random_blobs(n, d, 8, 4.0, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eight.csv");
    write_csv(&path, &data, d);
    let out = dir.path().join("out");
    let json = Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args([
            "--no-tui",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--k-range", "2..6", "--transform", "none", "--json"])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["k"], 6);
    assert_eq!(v["k_at_edge"], true);
    let hints = v["hints"].to_string();
    assert!(hints.contains("--k-range 2..12"), "{hints}");
    let x = ArrayView2::from_shape((n, d), &data[..]).unwrap();
    let wide = sweep(
        x,
        &[],
        &SweepConfig {
            k_max: 12,
            n_init: 3,
            ..SweepConfig::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!((wide.chosen_k, wide.at_edge), (8, false), "{}", wide.reason);
}

fn headless(
    args: &[&str],
    env: &[(&str, &str)],
) -> (serde_json::Value, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custseg"));
    cmd.args(["--no-tui"])
        .args(args)
        .args(["--out", out.to_str().unwrap(), "--json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    (serde_json::from_slice(&o.stdout).unwrap(), out, dir)
}

#[test]
fn the_checks_do_not_depend_on_the_thread_count() {
    let input = repo("samples/customers_en.csv");
    let input = input.to_str().unwrap();
    let (one, out1, _d1) = headless(&[input], &[("RAYON_NUM_THREADS", "1")]);
    let (two, out2, _d2) = headless(&[input], &[("RAYON_NUM_THREADS", "2")]);
    for key in [
        "k",
        "k_reason",
        "sweep",
        "structure",
        "stability",
        "rules",
        "segments",
    ] {
        assert_eq!(one[key], two[key], "{key} differs between 1 and 2 threads");
    }
    for file in [
        "segment_rules.sql",
        "cluster_summary.csv",
        "segmentation_report.md",
    ] {
        let a = std::fs::read(out1.join(file)).unwrap();
        let b = std::fs::read(out2.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn json_summary_csv_report_and_chart_carry_the_checks() {
    let input = repo("samples/customers_en.csv");
    let (v, out, _d) = headless(&[input.to_str().unwrap()], &[]);
    assert_eq!(v["structure"]["verdict"], "clear");
    assert!(v["structure"]["reasons"].as_array().unwrap().len() >= 3);
    for s in v["segments"].as_array().unwrap() {
        assert!(s["stability"].as_f64().unwrap() >= 0.85, "{s}");
        assert!(!s["rule"].as_str().unwrap().is_empty());
    }
    assert!(v["rules"]["agreement"].as_f64().unwrap() >= 0.9);
    assert!(v["rules"]["cost_ratio"].as_f64().unwrap() >= 1.0);
    let strong: Vec<u64> = v["sweep"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["separates_clearly"] == true)
        .map(|p| p["k"].as_u64().unwrap())
        .collect();
    assert_eq!(strong.last(), Some(&5), "the last clear step is to K=5");

    let summary = std::fs::read_to_string(out.join("cluster_summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert!(
        header.contains(",tiny,stability,stability_band,rule,"),
        "{header}"
    );
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    let first_section = report.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first_section, "## Can these segments be trusted?");
    assert!(report.contains("**Structure: clear.**"));
    assert!(report.contains("**Rule:**") && report.contains("**Stability:**"));
    assert!(out.join("stability.png").is_file());
}

#[test]
fn the_sql_rules_give_each_customer_the_segment_of_the_rules() {
    let input = repo("samples/customers_en.csv");
    let (v, out, _d) = headless(&[input.to_str().unwrap()], &[]);
    let sql = std::fs::read_to_string(out.join("segment_rules.sql")).unwrap();
    let mut reader = csv::Reader::from_path(out.join("segmentation_results.csv")).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let cols: Vec<String> = headers.iter().map(|h| format!("\"{h}\"")).collect();
    db.execute(
        &format!("CREATE TABLE segmentation_results ({})", cols.join(", ")),
        [],
    )
    .unwrap();
    let marks = vec!["?"; headers.len()].join(", ");
    let insert = format!("INSERT INTO segmentation_results VALUES ({marks})");
    let mut kmeans = Vec::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let values: Vec<rusqlite::types::Value> = rec
            .iter()
            .map(|c| match c.parse::<f64>() {
                Ok(x) => rusqlite::types::Value::Real(x),
                Err(_) => rusqlite::types::Value::Text(c.to_string()),
            })
            .collect();
        kmeans.push(rec[1].parse::<i64>().unwrap());
        db.execute(&insert, rusqlite::params_from_iter(values))
            .unwrap();
    }
    let mut stmt = db.prepare(sql.trim_end().trim_end_matches(';')).unwrap();
    let rule_col = stmt.column_index("rule_segment").unwrap();
    let by_sql: Vec<i64> = stmt
        .query_map([], |r| r.get::<_, i64>(rule_col))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(by_sql.len(), kmeans.len());
    let agree = by_sql.iter().zip(&kmeans).filter(|(a, b)| a == b).count() as f64;
    let expected = v["rules"]["agreement"].as_f64().unwrap();
    // The CSV rounds values to two decimals; a value that close to a round
    // threshold is rare.
    assert!(
        (agree / kmeans.len() as f64 - expected).abs() < 0.002,
        "{agree} vs {expected}"
    );
}

#[test]
fn the_options_turn_the_checks_off_and_bad_values_name_the_flag() {
    let input = repo("samples/customers_en.csv");
    let input = input.to_str().unwrap();
    let (v, out, _d) = headless(&[input, "--stability-resamples", "0"], &[]);
    assert!(
        v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["stability"].is_null())
    );
    assert!(
        v["structure"]["reasons"]
            .to_string()
            .contains("not measured")
    );
    assert!(!out.join("stability.png").exists());
    let (v, _, _d) = headless(&[input, "--gap-references", "0"], &[]);
    assert!(v["sweep"][1].get("gap").is_none());
    assert!(
        v["k_reason"]
            .as_str()
            .unwrap()
            .contains("knee of the SSE curve")
    );

    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args([
            "--no-tui",
            input,
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ])
        .args(["--stability-resamples", "5000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--stability-resamples 5000"), "{err}");
}

#[test]
fn the_summary_says_plainly_when_segments_are_a_convenient_partition() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob.csv");
    write_csv(&path, &one_gaussian(1500, 6, 4), 6);
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args([
            "--no-tui",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("convenient partition"), "{text}");
    assert!(text.contains("not natural groups"), "{text}");
    assert!(
        text.contains("--k"),
        "names the flag that fixes the number: {text}"
    );
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("**Structure: none.**") || report.contains("**Structure: weak.**"));
}
