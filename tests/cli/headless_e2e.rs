//! The real binary, headless, end to end on every bundled sample: outputs
//! exist and agree with each other, a replay of run.toml is identical, and
//! `score` on the training file gives the training labels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("custseg runs")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "custseg {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Decodes a PNG and checks it has content: many distinct colours.
fn assert_png_not_blank(path: &Path) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(
        info.width >= 400 && info.height >= 300,
        "{}",
        path.display()
    );
    let px = info.color_type.samples();
    let distinct: std::collections::HashSet<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    assert!(
        distinct.len() > 20,
        "{} looks blank ({} colours)",
        path.display(),
        distinct.len()
    );
}

fn check_sample(sample: &str, expected_rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let json = ok(&[
        "--no-tui",
        repo(sample).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let summary: serde_json::Value =
        serde_json::from_str(&json).expect("--json prints one JSON object");
    for key in [
        "rows",
        "mapping",
        "dropped_columns",
        "features",
        "k",
        "k_reason",
        "sweep",
        "segments",
        "outputs",
        "structure",
        "rules",
        "stability",
        "k_at_edge",
    ] {
        assert!(summary.get(key).is_some(), "JSON lacks {key}: {json}");
    }
    assert_eq!(summary["rows"].as_u64().unwrap() as usize, expected_rows);
    let k = summary["k"].as_u64().unwrap() as usize;
    // Every sample has five planted segments; the automatic choice finds
    // them (issue 15: by the gap statistic, no longer the SSE knee).
    assert_eq!(
        (k, summary["k_reason"].as_str().unwrap()),
        (
            5,
            "the last step that separates the customers clearly is to K=5; K=6 and K=7 add \
             little (gap statistic: under a third of the best step)"
        ),
        "{sample}"
    );
    assert_eq!(summary["structure"]["verdict"], "clear", "{sample}");
    for s in summary["sweep"].as_array().unwrap() {
        for key in [
            "k",
            "sse",
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
            "gap",
            "gap_gain",
        ] {
            assert!(s.get(key).is_some(), "sweep entry lacks {key}");
        }
    }

    // Every promised output exists and is owner-only.
    let names = [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "segmentation_report.md",
        "model.json",
        "run.toml",
        "elbow.png",
        "segment_sizes.png",
        "heatmap.png",
        "pca.png",
        "stability.png",
        "segmentation_charts.png",
        "segment_rules.sql",
    ];
    for n in names {
        let p = out.join(n);
        assert!(p.is_file(), "{n} missing");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600,
                "{n}"
            );
        }
    }
    let listed: Vec<&str> = summary["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for p in &listed {
        assert!(Path::new(p).is_file(), "listed output {p} exists");
        if p.ends_with(".png") {
            assert_png_not_blank(Path::new(p));
        }
    }
    assert!(
        !std::fs::read_dir(&out).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );

    // Results and summary agree; sizes sum to the customers.
    let results = read_csv(&out.join("segmentation_results.csv"));
    let summary_rows = read_csv(&out.join("cluster_summary.csv"));
    assert_eq!(summary_rows.len(), k);
    let sizes: usize = summary_rows
        .iter()
        .map(|r| r["size"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(sizes, results.len());
    assert_eq!(
        summary["customers"].as_u64().unwrap() as usize,
        results.len()
    );
    for s in &summary_rows {
        let count = results
            .iter()
            .filter(|r| r["segment"] == s["segment"])
            .count();
        assert_eq!(count.to_string(), s["size"], "segment {}", s["segment"]);
        assert!(
            results
                .iter()
                .filter(|r| r["segment"] == s["segment"])
                .all(|r| r["label"] == s["label"])
        );
    }
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("## Choosing K") && report.contains("](elbow.png)"));
    for s in &summary_rows {
        assert!(report.contains(&s["label"]), "report names {}", s["label"]);
    }

    // Replaying run.toml reproduces the results bit for bit.
    let again = dir.path().join("again");
    ok(&[
        "--no-tui",
        "--config",
        out.join("run.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(out.join("segmentation_results.csv")).unwrap(),
        std::fs::read(again.join("segmentation_results.csv")).unwrap(),
        "replay with run.toml"
    );

    // Scoring the training file gives the training segments.
    assert_scoring_reproduces_training(dir.path(), &out, &repo(sample), &[]);
}

/// `custseg score` with the run's model on the training file gives every
/// trained customer the segment the run gave it (the saved options are
/// applied exactly as in training).
/// `score_flags`: a training `--as-of` must be given to score as well (by
/// default scoring measures a file against its own latest date).
fn assert_scoring_reproduces_training(dir: &Path, out: &Path, input: &Path, score_flags: &[&str]) {
    let results = read_csv(&out.join("segmentation_results.csv"));
    let scored = dir.join("scored.csv");
    let model = out.join("model.json");
    let mut args = vec![
        "score",
        "--model",
        model.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        scored.to_str().unwrap(),
    ];
    args.extend_from_slice(score_flags);
    ok(&args);
    let trained: BTreeMap<String, String> = results
        .iter()
        .map(|r| (r["customer_id"].clone(), r["segment"].clone()))
        .collect();
    let scored_rows = read_csv(&scored);
    let mut compared = 0;
    let mut seen = std::collections::BTreeSet::new();
    for r in &scored_rows {
        // Training kept the first row of a duplicated id (keep-first); score every row
        // but compare the first.
        if !seen.insert(r["customer_id"].clone()) {
            continue;
        }
        if let Some(seg) = trained.get(&r["customer_id"]) {
            assert_eq!(seg, &r["segment"], "customer {}", r["customer_id"]);
            compared += 1;
        }
    }
    assert_eq!(compared, trained.len(), "every trained customer was scored");
}

/// Non-default Clean and Features options (as-of, winsorising, one-hot,
/// per-feature transforms, no skew transform) are stored in the model and
/// scoring applies them identically, for a customer table and a
/// transaction log.
#[test]
fn scoring_reproduces_training_under_non_default_options() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "samples/customers_en.csv",
            &[
                "--winsorize",
                "1,99",
                "--one-hot",
                "--transform-feature",
                "Balance=none",
            ],
        ),
        (
            "samples/customers_en.csv",
            &["--transform", "none", "--as-of", "2024-12-31"],
        ),
        (
            "samples/transactions.csv",
            &["--as-of", "2023-09-30", "--winsorize", "5,95"],
        ),
    ];
    for (sample, flags) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let input = repo(sample);
        let mut args = vec![
            "--no-tui",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--k",
            "4",
        ];
        args.extend_from_slice(flags);
        ok(&args);
        let as_of: Vec<&str> = match flags.iter().position(|&f| f == "--as-of") {
            Some(i) => flags[i..i + 2].to_vec(),
            None => Vec::new(),
        };
        assert_scoring_reproduces_training(dir.path(), &out, &repo(sample), &as_of);
    }
}

#[test]
fn english_csv_sample() {
    check_sample("samples/customers_en.csv", 3000);
}

#[test]
fn chinese_gbk_semicolon_messy_sample() {
    check_sample("samples/customers_cn_gbk.csv", 2000);
}

#[test]
fn xlsx_sample() {
    check_sample("samples/customers.xlsx", 1500);
}

#[test]
fn transaction_log_sample() {
    check_sample("samples/transactions.csv", 10_000);
}

#[test]
fn fixed_k_recovers_the_planted_bank_segments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let json = ok(&[
        "--no-tui",
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--k",
        "5",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["k"], 5);
    assert!(v["k_reason"].as_str().unwrap().contains("fixed"));
    let mut labels: Vec<String> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap().to_string())
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        [
            "Active Transaction Customers",
            "Dormant / Churn-Warning Customers",
            "High-Value Customers (VIP)",
            "Potential Customers",
            "Stable Customers"
        ]
    );
    // The VIP segment is the smallest planted one (10%).
    let vip = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "High-Value Customers (VIP)")
        .unwrap();
    let share = vip["share"].as_f64().unwrap();
    assert!((0.08..0.12).contains(&share), "VIP share {share}");
}

#[test]
fn text_summary_shows_k_table_elbow_and_segments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let text = ok(&[
        "--no-tui",
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(text.contains("K selection (chosen K = "), "{text}");
    assert!(text.contains("<- chosen"));
    assert!(text.contains("Elbow curve"));
    assert!(
        text.contains('⣀') || text.contains('⠉'),
        "braille elbow curve drawn"
    );
    assert!(text.contains("Segments") && text.contains("Written:"));
}

#[test]
fn feature_and_cluster_flags_reach_the_run_the_report_and_run_toml() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let json = ok(&[
        "--no-tui",
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--features",
        "generic",
        "--select",
        "AccountBalance",
        "--select",
        "TxnCount12M",
        "--select",
        "ProductCount",
        "--one-hot",
        "--winsorize",
        "1,99",
        "--transform-feature",
        "AccountBalance=none",
        "--skew-threshold",
        "5",
        "--k",
        "3",
        "--max-iter",
        "100",
        "--tol",
        "0",
        "--silhouette-sample",
        "500",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let features: Vec<(&str, &str)> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["transform"].as_str().unwrap(),
            )
        })
        .collect();
    // Exactly the selected columns, then the one-hot indicators; the per-feature
    // transform wins, and with a skew threshold of 5 nothing else is logged.
    let names: Vec<&str> = features.iter().map(|f| f.0).collect();
    assert_eq!(
        &names[..5],
        [
            "AccountBalance",
            "TxnCount12M",
            "ProductCount",
            "Gender=F",
            "Gender=M"
        ],
        "{names:?}"
    );
    assert!(
        names[5..].iter().all(|n| n.starts_with("Branch=")),
        "{names:?}"
    );
    assert!(features.iter().all(|f| f.1 == "none"), "{features:?}");
    assert_eq!(v["silhouette_sampled"], true);

    let cfg = custseg::config::RunConfig::from_toml_file(&out.join("run.toml")).unwrap();
    assert_eq!(
        cfg.features.select,
        ["AccountBalance", "TxnCount12M", "ProductCount"]
    );
    assert!(cfg.features.one_hot);
    let w = cfg.features.winsorize.unwrap();
    assert_eq!((w.lower, w.upper), (0.01, 0.99));
    assert_eq!(cfg.features.skew_threshold, 5.0);
    assert_eq!(
        cfg.features.transform_overrides["AccountBalance"].name(),
        "none"
    );
    assert_eq!(
        (
            cfg.cluster.max_iter,
            cfg.cluster.tol,
            cfg.cluster.silhouette_sample
        ),
        (100, 0.0, 500)
    );

    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("Generic mode"), "{report}");
    assert!(
        report.contains(
            "Features were winsorised before the transform: values below a feature's P1 or above its P99 percentile were moved to it (`--winsorize 1,99`)"
        ),
        "{report}"
    );
    assert!(report.contains("| Winsorised to | Clipped |"), "{report}");
    let features_section =
        &report[report.find("## Features").unwrap()..report.find("## Choosing K").unwrap()];
    let row = |name: &str| {
        features_section
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{report}"))
            .to_string()
    };
    // 3,000 customers: about 1% of the values lie beyond each bound.
    let cells: Vec<String> = row("AccountBalance")
        .split('|')
        .map(|c| c.trim().to_string())
        .collect();
    let (bounds, clipped) = (&cells[6], cells[7].parse::<usize>().unwrap());
    assert!(bounds.contains(".."), "{bounds}");
    assert!((30..=80).contains(&clipped), "{clipped} values clipped");
    // Indicators are not winsorised.
    assert!(row("Gender=F").contains("| – | – |"));
    // The template features generic mode leaves out name the real flag.
    assert!(
        report.contains("(--features template to use it)"),
        "{report}"
    );
    assert!(report.contains("seeded sample of 500 rows"), "{report}");

    // Replaying run.toml gives the same segments.
    let again = dir.path().join("again");
    ok(&[
        "--no-tui",
        "--config",
        out.join("run.toml").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(out.join("segmentation_results.csv")).unwrap(),
        std::fs::read(again.join("segmentation_results.csv")).unwrap()
    );
}

#[test]
fn bad_feature_flags_are_usage_errors_naming_the_flag() {
    let sample = repo("samples/customers_en.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (args, needle) in [
        (&["--winsorize", "0.5,1"][..], "ambiguous"),
        (&["--max-iter", "0"], "--max-iter 0"),
        (&["--tol", "-1"], "--tol -1: must be a finite number >= 0"),
        (&["--winsorize", "-1,99"], "at least 0"),
        (&["--silhouette-sample", "1"], "--silhouette-sample 1"),
        (
            &["--features", "generic", "--select", "Gender"],
            "--select Gender: 'Gender' holds text values",
        ),
        (&["--select", "Nope"], "--select Nope: no such column"),
        (
            &["--transform-feature", "Nope=log"],
            "--transform-feature Nope: no such feature",
        ),
    ] {
        let mut all = vec![
            "--no-tui",
            sample.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let o = run(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!out.exists(), "nothing written for {args:?}");
    }
}

#[test]
fn report_shows_fill_values_as_stored_and_the_duplicate_policy_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dups.csv");
    let mut text = String::from("CustomerID,Gender,Branch,AccountBalance,TxnCount12M\n");
    for i in 0..80 {
        let gender = match i % 10 {
            0 => "",
            1..=3 => "F",
            _ => "M",
        };
        let branch = match i % 8 {
            0 => "",
            1 | 2 => "Beijing",
            _ => "Shanghai",
        };
        text.push_str(&format!(
            "C{:03},{gender},{branch},{},{}\n",
            i % 76,
            1000 * (i % 7) + i,
            i % 11
        ));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out");
    ok(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--input",
        "customers",
        "--duplicates",
        "keep-last",
        "--k",
        "2",
    ]);
    let report = std::fs::read_to_string(out.join("segmentation_report.md")).unwrap();
    assert!(report.contains("| 'M' (mode) |"), "{report}");
    assert!(report.contains("| 'Shanghai' (mode) |"), "{report}");
    assert!(
        report.contains(
            "4 customer ids appear more than once; 4 rows removed (`--duplicates keep-last`)"
        ),
        "{report}"
    );
    assert!(!report.contains("Some("), "{report}");
    // No winsorising asked for: no empty winsorising columns.
    assert!(!report.contains("Winsorised"), "{report}");
}

#[test]
fn an_existing_output_folder_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let sample = repo("samples/customers_en.csv");
    let o = run(&[
        "--no-tui",
        sample.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "nothing written"
    );
    ok(&[
        "--no-tui",
        sample.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert!(out.join("segmentation_results.csv").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn formula_injection_is_neutralised_and_negative_numbers_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("evil.csv");
    let mut text = String::from("CustomerID,Balance,TxnCount,Branch\n");
    for i in 0..60 {
        let id = match i {
            0 => "=HYPERLINK(\"http://x\",\"click\")".to_string(),
            1 => "+cmd|' /C calc'!A0".to_string(),
            2 => "@SUM(A1:A2)".to_string(),
            3 => "-2+3".to_string(),
            _ => format!("C{i:03}"),
        };
        let balance = if i % 7 == 0 {
            -1500.5
        } else {
            1000.0 * (i % 5) as f64 + i as f64
        };
        let quoted = id.replace('"', "\"\"");
        text.push_str(&format!("\"{quoted}\",{balance},{},B{}\n", i % 9, i % 3));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out");
    ok(&[
        "--no-tui",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--k",
        "3",
    ]);
    let rows = read_csv(&out.join("segmentation_results.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r["customer_id"].as_str()).collect();
    assert!(
        ids.contains(&"'=HYPERLINK(\"http://x\",\"click\")"),
        "{ids:?}"
    );
    assert!(ids.contains(&"'+cmd|' /C calc'!A0"));
    assert!(ids.contains(&"'@SUM(A1:A2)"));
    assert!(ids.contains(&"'-2+3"));
    for r in &rows {
        for (k, v) in r {
            if k != "customer_id" && k != "label" && k != "action" && !v.is_empty() {
                assert!(v.parse::<f64>().is_ok(), "{k}={v} stays a number");
            }
        }
    }
    assert!(
        rows.iter().any(|r| r["Balance"] == "-1500.5"),
        "negative balances stay numbers"
    );
}

#[test]
fn bad_input_exits_1_with_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (file, needle) in [
        ("tests/fixtures/bad/ragged.csv", "line 4"),
        ("tests/fixtures/bad/no_numeric.csv", "no numeric column"),
        ("tests/fixtures/bad/empty.csv", "empty"),
        ("tests/fixtures/bad/missing.csv", "no such file"),
    ] {
        let o = run(&[
            "--no-tui",
            repo(file).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{file}");
        let err = String::from_utf8_lossy(&o.stderr);
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("custseg: error: ") && last.contains(needle),
            "{file}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "nothing written for {file}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let sample = repo("samples/customers_en.csv");
    let o = run(&["--no-tui", sample.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "--out is required");
    let o = run(&[
        "--no-tui",
        sample.to_str().unwrap(),
        "--out",
        "/tmp/x",
        "--map",
        "wealth=x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "--no-tui",
        sample.to_str().unwrap(),
        "--out",
        "/tmp/x",
        "--k-range",
        "9..2",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// What a shell and a packager read from the binary: its version, the
/// completion scripts and the man page, all from the one clap definition;
/// a mistyped command is an error naming the command meant (exit 2).
#[test]
fn version_completions_man_page_and_a_mistyped_command() {
    let version = ok(&["--version"]);
    assert_eq!(
        version.trim(),
        format!("custseg {}", env!("CARGO_PKG_VERSION"))
    );
    for (shell, marker) in [
        ("bash", "complete -F _custseg"),
        ("zsh", "#compdef custseg"),
        ("fish", "complete -c custseg"),
    ] {
        let script = ok(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        // Commands and flags of the real command line, not a fixed list.
        for word in ["sample", "score", "no-tui", "k-range"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let page = ok(&["man"]);
    assert!(page.contains(".TH custseg 1"), "{page}");
    assert!(page.contains("\\-\\-k\\-range"), "{page}");
    for args in [&["smaple"][..], &["--no-tui", "smaple", "--out", "o"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.trim_end().ends_with(
                "custseg: error: 'smaple' is neither a command nor a file; did you mean 'custseg sample'?"
            ),
            "{err}"
        );
    }
}

#[test]
fn score_explains_missing_columns_and_bad_models() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&[
        "--no-tui",
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--k",
        "4",
    ]);
    let model = out.join("model.json");
    let o = run(&[
        "score",
        "--model",
        model.to_str().unwrap(),
        repo("tests/fixtures/csv/pipe.csv").to_str().unwrap(),
        "--out",
        dir.path().join("s.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the model needs column(s)") && err.contains("'AccountBalance'"),
        "{err}"
    );
    let fake = dir.path().join("fake.json");
    std::fs::write(&fake, "{\"hello\": 1}").unwrap();
    let o = run(&[
        "score",
        "--model",
        fake.to_str().unwrap(),
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        dir.path().join("s.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a custseg model"));
    assert!(!dir.path().join("s.csv").exists());
}

/// Issue 17: without a file, `--no-tui` says how to make one; `sample
/// --bundled` writes the built-in sample byte for byte, never over a file
/// without --force, only under a CSV name, not with generator options.
#[test]
fn no_file_points_to_custseg_sample_and_sample_bundled_writes_the_built_in_file() {
    let o = run(&["--no-tui", "--out", "/tmp/never-written"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no input file"), "{err}");
    assert!(err.contains("custseg sample --out customers.csv"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("customers_en.csv");
    let committed = std::fs::read(repo("samples/customers_en.csv")).unwrap();
    let o = run(&["sample", "--bundled", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), committed);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains(&format!("3000 customers, {} bytes", committed.len())),
        "{said}"
    );
    // The same bytes as the generator's defaults (the command the error names).
    let generated = dir.path().join("generated.csv");
    ok(&["sample", "--out", generated.to_str().unwrap()]);
    assert_eq!(std::fs::read(&generated).unwrap(), committed);

    // An existing file: refused, untouched; --force replaces it.
    std::fs::write(&out, "mine\n").unwrap();
    let o = run(&["sample", "--bundled", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), b"mine\n");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    ok(&[
        "sample",
        "--bundled",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), committed);

    // Not a workbook name; no generator options with it.
    let xlsx = dir.path().join("s.xlsx");
    let o = run(&["sample", "--bundled", "--out", xlsx.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!xlsx.exists());
    for extra in [
        &["--rows", "10"][..],
        &["--chinese"],
        &["--seed", "7"],
        &["--messy"],
    ] {
        let other = dir.path().join("other.csv");
        let mut args = vec!["sample", "--bundled", "--out", other.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(!other.exists(), "{extra:?}");
    }
}

#[test]
fn a_headless_run_logs_each_k_as_the_sweep_fits_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "--no-tui",
        repo("samples/customers_en.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--k-range",
        "2..6",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // K = 1 (the elbow's start) and the range, in order, each once, with
    // its SSE and silhouette, before the stage ends.
    let fitted: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("[cluster] K="))
        .collect();
    let ks: Vec<String> = fitted
        .iter()
        .map(|l| {
            l["[cluster] K=".len()..]
                .split(' ')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ks, ["1", "2", "3", "4", "5", "6"], "{err}");
    assert!(fitted[2].contains("(3 of 6): SSE "), "{}", fitted[2]);
    assert!(fitted[2].contains("silhouette 0."), "{}", fitted[2]);
    let done = err.find("[cluster] done in").expect("stage end");
    assert!(err.find("[cluster] K=6").unwrap() < done, "{err}");
}
