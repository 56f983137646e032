//! The mutation-fuzz harness (see `fuzzer`): a bounded run for CI and the
//! replay of the corpus of findings kept under `tests/fuzz_corpus/`.
//!
//! CI runs it for `CUSTSEG_FUZZ_SECONDS` (default 60) with a fixed seed. A
//! longer local run with a fresh seed, on the release build:
//!
//! ```sh
//! CUSTSEG_FUZZ_SECONDS=3600 CUSTSEG_FUZZ_SEED=$RANDOM CUSTSEG_FUZZ_JOBS=4 \
//!     cargo test --release --test limits fuzz::bounded -- --nocapture
//! ```
//!
//! Findings are shrunk and written to `target/tmp/fuzz_findings/<kind>/`
//! (or `CUSTSEG_FUZZ_FINDINGS`); fix the cause, then copy them into
//! `tests/fuzz_corpus/<kind>/` so the replay test keeps them fixed.

use crate::{fuzzer, hostile};

use fuzzer::{Bench, corpus, fuzz, violation};
use std::time::Duration;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn bounded_fuzz_run_finds_no_crash_hang_or_blow_up() {
    let seconds: u64 = env_or("CUSTSEG_FUZZ_SECONDS", 60);
    let seed: u64 = env_or("CUSTSEG_FUZZ_SEED", 20_261_204);
    let jobs: usize = env_or("CUSTSEG_FUZZ_JOBS", 2);
    let findings_dir = std::env::var("CUSTSEG_FUZZ_FINDINGS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz_findings")
        });
    let work = tempfile::tempdir().unwrap();
    let bench = Bench::new(&work.path().join("bench"));
    let report = fuzz(
        &bench,
        seed,
        Duration::from_secs(seconds),
        jobs,
        &findings_dir,
    );
    eprintln!(
        "fuzz: seed {seed}, {seconds} s, {} cases ({} runs, {} refused with an error), by kind {:?}, peak RSS {} MB, slowest run {:?}",
        report.cases,
        report.runs,
        report.errors,
        report.by_kind,
        report.peak_rss >> 20,
        report.slowest
    );
    if let Some((kind, bytes)) = &report.peak_input {
        // For a look at what costs the most memory.
        let _ = std::fs::create_dir_all(&findings_dir);
        let _ = std::fs::write(findings_dir.join(format!("peak-rss.{}", kind.dir())), bytes);
    }
    let mut endings: Vec<_> = report.endings.iter().collect();
    endings.sort_by(|a, b| b.1.cmp(a.1));
    for (gist, n) in endings.iter().take(25) {
        eprintln!("  {n:>6}  {gist}");
    }
    assert!(
        report.cases >= 8,
        "the run made only {} cases",
        report.cases
    );
    let listed: Vec<String> = report
        .findings
        .iter()
        .map(|(k, v, p)| format!("{k:?}: {v} ({})", p.display()))
        .collect();
    assert!(listed.is_empty(), "findings:\n{}", listed.join("\n"));
}

#[test]
fn the_corpus_of_findings_replays_without_a_violation() {
    let files = corpus();
    assert!(!files.is_empty(), "tests/fuzz_corpus is empty");
    let work = tempfile::tempdir().unwrap();
    let bench = Bench::new(&work.path().join("bench"));
    let mut failures = Vec::new();
    for (kind, path) in &files {
        let bytes = std::fs::read(path).unwrap();
        for skip in [false, kind.is_text()] {
            if let Some(v) = violation(&bench.run_case_with(*kind, &bytes, true, skip)) {
                failures.push(format!("{}: {v}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The container checks run before any reader and outside its panic guard:
/// thousands of mutated compound files and archives, in process, each
/// must give a verdict without panicking.
#[test]
fn the_container_guards_never_panic_on_mutated_files() {
    use custseg::pipeline::load::guard;
    use fuzzer::{Kind, Rng, mutate};
    let dir = tempfile::tempdir().unwrap();
    let rows = hostile::customer_rows(40);
    let seeds = [
        (Kind::Xls, hostile::xls_of(&rows)),
        (Kind::Xlsx, hostile::xlsx_of(&rows)),
        (Kind::Ods, {
            let body: String = rows
                .iter()
                .map(|r| hostile::ods_row(&r.iter().map(String::as_str).collect::<Vec<_>>(), 1))
                .collect();
            hostile::ods(&body)
        }),
    ];
    let mut rng = Rng::new(env_or("CUSTSEG_FUZZ_SEED", 20_261_204));
    let deadline =
        std::time::Instant::now() + Duration::from_secs(env_or("CUSTSEG_GUARD_FUZZ_SECONDS", 10));
    let mut cases = 0;
    while std::time::Instant::now() < deadline {
        let (kind, seed) = &seeds[cases % seeds.len()];
        let bytes = mutate(&mut rng, *kind, seed, seed);
        let path = dir.path().join(format!("case.{}", kind.dir()));
        std::fs::write(&path, &bytes).unwrap();
        let len = bytes.len() as u64;
        let verdict = std::panic::catch_unwind(|| match kind {
            Kind::Xls => guard::check_ole(&path, len),
            _ => guard::check_zip(&path, len),
        });
        if verdict.is_err() {
            let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("guard-panic.{}", kind.dir()));
            std::fs::write(&keep, &bytes).unwrap();
            panic!("a guard panicked on {}", keep.display());
        }
        cases += 1;
    }
    assert!(cases > 100, "{cases} cases");
}
