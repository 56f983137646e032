//! A mutation fuzzer on the stable toolchain: seeds of every input kind
//! custseg reads (CSV, TSV, GBK text, XLSX, XLS, ODS, model.json, run.toml),
//! mutated (bit flips, interesting integers, truncation, inserted quotes,
//! delimiters, NULs and escape bytes, deleted and duplicated ranges,
//! splices, zip members rewritten with mutated content, JSON/TOML leaves
//! replaced), each run through the real binary in a child process with a
//! memory limit and a timeout (see `sandbox`). A crash, hang, panic report,
//! memory beyond the limit or an error that is not one clean line is a
//! finding; findings are shrunk and kept under `tests/fuzz_corpus/`.

#![allow(dead_code)]

use crate::hostile;
use crate::sandbox::{Limits, Outcome, run};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Peak RSS no input may cause: the memory budget's floor (512 MiB) plus
/// the program itself.
pub const MAX_RSS: u64 = 700 << 20;

pub fn limits() -> Limits {
    Limits {
        address_space: 4 << 30,
        timeout: Duration::from_secs(30),
    }
}

/// splitmix64: small, seedable, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a file is, which decides how it is mutated and run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Csv,
    Tsv,
    Gbk,
    Xlsx,
    Xls,
    Ods,
    Model,
    Config,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Csv,
        Kind::Tsv,
        Kind::Gbk,
        Kind::Xlsx,
        Kind::Xls,
        Kind::Ods,
        Kind::Model,
        Kind::Config,
    ];
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Csv => "csv",
            Kind::Tsv => "tsv",
            Kind::Gbk => "gbk",
            Kind::Xlsx => "xlsx",
            Kind::Xls => "xls",
            Kind::Ods => "ods",
            Kind::Model => "model",
            Kind::Config => "config",
        }
    }
    pub fn from_dir(d: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir() == d)
    }
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Csv => "input.csv",
            Kind::Tsv => "input.tsv",
            Kind::Gbk => "input_gbk.csv",
            Kind::Xlsx => "input.xlsx",
            Kind::Xls => "input.xls",
            Kind::Ods => "input.ods",
            Kind::Model => "model.json",
            Kind::Config => "run.toml",
        }
    }
    fn is_zip(self) -> bool {
        matches!(self, Kind::Xlsx | Kind::Ods)
    }
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Csv | Kind::Tsv | Kind::Gbk | Kind::Config | Kind::Model
        )
    }
}

/// The fixed files every case runs against: a base table, a model and a
/// run configuration trained on it, in `dir`.
pub struct Bench {
    pub dir: PathBuf,
    pub seeds: Vec<(Kind, Vec<u8>)>,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The first `lines` lines of a repository file (bytes, any encoding).
fn head_lines(path: &str, lines: usize) -> Vec<u8> {
    let bytes = std::fs::read(repo(path)).unwrap();
    let mut n = 0;
    let end = bytes
        .iter()
        .position(|&b| {
            n += usize::from(b == b'\n');
            n == lines
        })
        .map_or(bytes.len(), |p| p + 1);
    bytes[..end].to_vec()
}

impl Bench {
    /// Trains the model (one child run) and gathers the seeds.
    pub fn new(dir: &Path) -> Bench {
        std::fs::create_dir_all(dir).unwrap();
        let rows = hostile::customer_rows(150);
        let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        std::fs::write(dir.join("base.csv"), &csv).unwrap();
        let o = run(
            [
                "--no-tui", "base.csv", "--out", "trained", "--k", "3", "--force",
            ],
            dir,
            limits(),
        );
        assert_eq!(o.code, Some(0), "training: {}", o.stderr);
        let model = std::fs::read(dir.join("trained/model.json")).unwrap();
        let config = "input = \"base.csv\"\nseed = 7\n[cluster]\nk_min = 2\nk_max = 4\nn_init = 2\n[features]\nwinsorize = { lower = 0.01, upper = 0.99 }\n".to_string();
        let tsv: String = rows.iter().map(|r| r.join("\t") + "\n").collect();
        let body: String = rows
            .iter()
            .take(60)
            .map(|r| hostile::ods_row(&r.iter().map(String::as_str).collect::<Vec<_>>(), 1))
            .collect();
        let seeds = vec![
            (Kind::Csv, head_lines("samples/customers_en.csv", 200)),
            (Kind::Csv, csv.into_bytes()),
            (Kind::Tsv, tsv.into_bytes()),
            (Kind::Gbk, head_lines("samples/customers_cn_gbk.csv", 200)),
            (
                Kind::Xlsx,
                std::fs::read(repo("tests/fixtures/excel/customers.xlsx")).unwrap(),
            ),
            (Kind::Xlsx, hostile::xlsx_of(&rows[..60])),
            (
                Kind::Xls,
                std::fs::read(repo("tests/fixtures/excel/customers.xls")).unwrap(),
            ),
            (Kind::Xls, hostile::xls_of(&rows[..60])),
            (
                Kind::Ods,
                std::fs::read(repo("tests/fixtures/excel/customers.ods")).unwrap(),
            ),
            (Kind::Ods, hostile::ods(&body)),
            (Kind::Model, model),
            (Kind::Config, config.into_bytes()),
        ];
        Bench {
            dir: dir.to_path_buf(),
            seeds,
        }
    }

    /// Runs one input of `kind`: data files through `score` (loader,
    /// mapping, cleaning, features, assignment) and, when `full`, the
    /// whole pipeline; models through `score`; configs through a run.
    pub fn run_case(&self, kind: Kind, bytes: &[u8], full: bool) -> Vec<Outcome> {
        self.run_case_with(kind, bytes, full, false)
    }

    /// [`Bench::run_case`], text files read with `--skip-bad-rows` when
    /// `skip_bad_rows` (so mutations get past the row-shape check).
    pub fn run_case_with(
        &self,
        kind: Kind,
        bytes: &[u8],
        full: bool,
        skip_bad_rows: bool,
    ) -> Vec<Outcome> {
        let case = tempfile::tempdir_in(&self.dir).unwrap();
        let cwd = case.path();
        let file = cwd.join(kind.file_name());
        std::fs::write(&file, bytes).unwrap();
        std::fs::copy(self.dir.join("base.csv"), cwd.join("base.csv")).unwrap();
        let model = self.dir.join("trained/model.json");
        let model = model.to_str().unwrap();
        let name = kind.file_name();
        let mut outcomes = Vec::new();
        match kind {
            Kind::Model => outcomes.push(run(
                ["score", "--model", name, "base.csv", "--out", "scored.csv"],
                cwd,
                limits(),
            )),
            Kind::Config => outcomes.push(run(
                ["--no-tui", "--config", name, "--out", "out"],
                cwd,
                limits(),
            )),
            _ => {
                let skip = if skip_bad_rows {
                    "--skip-bad-rows"
                } else {
                    "--date-order=dmy"
                };
                outcomes.push(run(
                    ["score", "--model", model, name, "--out", "scored.csv", skip],
                    cwd,
                    limits(),
                ));
                if full {
                    outcomes.push(run(
                        ["--no-tui", name, "--out", "out", "--k-range", "2..4", skip],
                        cwd,
                        limits(),
                    ));
                }
            }
        }
        outcomes
    }
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

const INTERESTING_U32: [u32; 10] = [
    0,
    1,
    0x7F,
    0xFF,
    0xFFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFA,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];
const TEXT_INSERTS: [&[u8]; 14] = [
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"|",
    b"\0",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1b[2J",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"1e308",
];

fn flip_bits(rng: &mut Rng, b: &mut [u8]) {
    for _ in 0..1 + rng.below(8) {
        if b.is_empty() {
            return;
        }
        let at = rng.below(b.len());
        b[at] ^= 1 << rng.below(8);
    }
}

fn interesting_int(rng: &mut Rng, b: &mut [u8]) {
    if b.len() < 4 {
        return;
    }
    // 4-aligned, where compound-file tables and sizes live.
    let at = rng.below(b.len() / 4) * 4;
    let v = if rng.chance(3) {
        (at / 512) as u32 // a sector pointing at (about) itself
    } else {
        *rng.pick(&INTERESTING_U32)
    };
    let width = *rng.pick(&[1usize, 2, 4]);
    b[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
}

fn truncate(rng: &mut Rng, b: &mut Vec<u8>) {
    let at = rng.below(b.len() + 1);
    b.truncate(at);
}

fn insert(rng: &mut Rng, b: &mut Vec<u8>) {
    let at = rng.below(b.len() + 1);
    let piece = *rng.pick(&TEXT_INSERTS);
    let times = if rng.chance(8) {
        1 + rng.below(4096)
    } else {
        1
    };
    let run: Vec<u8> = piece
        .iter()
        .copied()
        .cycle()
        .take(piece.len() * times)
        .collect();
    b.splice(at..at, run);
}

fn delete_range(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    let at = rng.below(b.len());
    let len = 1 + rng.below((b.len() - at).min(256));
    b.drain(at..at + len);
}

fn duplicate_range(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    let at = rng.below(b.len());
    let len = 1 + rng.below((b.len() - at).min(512));
    let piece = b[at..at + len].to_vec();
    let to = rng.below(b.len() + 1);
    b.splice(to..to, piece);
}

fn splice_with(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) {
    if other.is_empty() || b.is_empty() {
        return;
    }
    let from = rng.below(other.len());
    let len = 1 + rng.below((other.len() - from).min(1024));
    let at = rng.below(b.len());
    let end = (at + len).min(b.len());
    b.splice(at..end, other[from..from + len].iter().copied());
}

/// One byte-level mutation.
fn mutate_bytes(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8], text: bool) {
    match rng.below(if text { 7 } else { 6 }) {
        0 => flip_bits(rng, b),
        1 => interesting_int(rng, b),
        2 => truncate(rng, b),
        3 => delete_range(rng, b),
        4 => duplicate_range(rng, b),
        5 => splice_with(rng, b, other),
        _ => insert(rng, b),
    }
}

/// Rewrites one member of a ZIP with mutated content (the archive stays a
/// valid ZIP, so the XML readers see the damage), or damages the raw bytes
/// of a member's header or data.
fn mutate_zip(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) {
    if rng.chance(3) {
        // Raw: somewhere after a local header.
        let heads: Vec<usize> = b
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"PK\x03\x04")
            .map(|(i, _)| i)
            .collect();
        if let Some(&h) = heads.get(rng.below(heads.len().max(1))) {
            let end = (h + 64 + rng.below(4096)).min(b.len());
            let mut region = b[h..end].to_vec();
            mutate_bytes(rng, &mut region, other, false);
            b.splice(h..end, region);
            return;
        }
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(b.clone())) else {
        mutate_bytes(rng, b, other, false);
        return;
    };
    let target = rng.below(zip.len());
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut f) = zip.by_index(i) else { continue };
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut content = Vec::new();
        if f.read_to_end(&mut content).is_err() {
            continue;
        }
        if i == target {
            for _ in 0..1 + rng.below(3) {
                mutate_bytes(rng, &mut content, other, true);
            }
        }
        parts.push((name, content));
    }
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in &parts {
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        if w.start_file(name.as_str(), opts).is_err() || w.write_all(content).is_err() {
            return;
        }
    }
    if let Ok(c) = w.finish() {
        *b = c.into_inner();
    }
}

/// Replaces one leaf of a JSON document with a hostile value.
fn mutate_json(rng: &mut Rng, b: &mut Vec<u8>) -> bool {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(b) else {
        return false;
    };
    let mut leaves = Vec::new();
    collect_leaves(&v, String::new(), &mut leaves);
    if leaves.is_empty() {
        return false;
    }
    let path = rng.pick(&leaves).clone();
    let hostile = [
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(1e308),
        serde_json::json!(-1e308),
        serde_json::json!(5e-324),
        serde_json::json!(u64::MAX),
        serde_json::json!(null),
        serde_json::json!(""),
        serde_json::json!("\u{1b}[2J\u{1b}]0;x\u{7}<script>"),
        serde_json::json!("x".repeat(5000)),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!(true),
    ];
    if let Some(slot) = v.pointer_mut(&path) {
        *slot = rng.pick(&hostile).clone();
    }
    *b = serde_json::to_vec_pretty(&v).unwrap();
    true
}

fn collect_leaves(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match v {
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(64) {
                collect_leaves(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                collect_leaves(x, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// Replaces the value of one `key = value` line of a TOML document.
fn mutate_toml(rng: &mut Rng, b: &mut Vec<u8>) -> bool {
    let Ok(text) = String::from_utf8(b.clone()) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = "))
        .collect();
    if keyed.is_empty() {
        return false;
    }
    let i = *rng.pick(&keyed);
    let key = lines[i].split(" = ").next().unwrap();
    let values = [
        "0",
        "-1",
        "100000",
        "18446744073709551615",
        "1e308",
        "nan",
        "-inf",
        "\"\"",
        "\"\\u001b[2J\"",
        "[]",
        "{ lower = 0.99, upper = 0.01 }",
        "\"/dev/zero\"",
        "true",
    ];
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[i] = format!("{key} = {}", rng.pick(&values));
    *b = (out.join("\n") + "\n").into_bytes();
    true
}

/// A mutated copy of `seed` (of `kind`); `other` is a second seed of the
/// same kind for splices.
pub fn mutate(rng: &mut Rng, kind: Kind, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    let rounds = if rng.chance(2) { 1 } else { 2 + rng.below(3) };
    for _ in 0..rounds {
        let structured = rng.chance(2);
        match kind {
            Kind::Xlsx | Kind::Ods if structured || rng.chance(2) => mutate_zip(rng, &mut b, other),
            Kind::Model if structured && mutate_json(rng, &mut b) => {}
            Kind::Config if structured && mutate_toml(rng, &mut b) => {}
            _ => mutate_bytes(rng, &mut b, other, kind.is_text()),
        }
    }
    b
}

// ---------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------

/// The first violation among a case's runs.
pub fn violation(outcomes: &[Outcome]) -> Option<String> {
    outcomes.iter().find_map(|o| o.violation(MAX_RSS))
}

/// The class of a violation ("hang", "crash", "memory", ...), which a
/// shrunk input must keep.
fn class(v: &str) -> &str {
    v.split(':').next().unwrap_or(v)
}

/// Shrinks `bytes` while the case still shows a violation of the same
/// class: halves, quarters, ... of the input removed in turn, within a
/// time budget.
pub fn shrink(
    bench: &Bench,
    kind: Kind,
    bytes: &[u8],
    skip: bool,
    found: &str,
    budget: Duration,
) -> Vec<u8> {
    let start = Instant::now();
    let mut best = bytes.to_vec();
    let mut chunk = best.len() / 2;
    while chunk >= 1 && start.elapsed() < budget {
        let mut at = 0;
        let mut shrunk = false;
        while at < best.len() && start.elapsed() < budget {
            let end = (at + chunk).min(best.len());
            let mut candidate = best.clone();
            candidate.drain(at..end);
            let still = violation(&bench.run_case_with(kind, &candidate, true, skip));
            if still.as_deref().map(class) == Some(class(found)) {
                best = candidate;
                shrunk = true;
            } else {
                at += chunk;
            }
        }
        if !shrunk {
            chunk /= 2;
        }
    }
    best
}

/// FNV-1a, for naming corpus files by content.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Where corpus files of `kind` live.
pub fn corpus_dir(kind: Kind) -> PathBuf {
    repo("tests/fuzz_corpus").join(kind.dir())
}

/// Every corpus file with its kind.
pub fn corpus() -> Vec<(Kind, PathBuf)> {
    let mut files = Vec::new();
    for kind in Kind::ALL {
        if let Ok(dir) = std::fs::read_dir(corpus_dir(kind)) {
            for e in dir.flatten() {
                if e.path().is_file() && !e.file_name().to_string_lossy().starts_with('.') {
                    files.push((kind, e.path()));
                }
            }
        }
    }
    files.sort();
    files
}

/// A summary of one fuzz run.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: usize,
    pub runs: usize,
    pub errors: usize,
    pub by_kind: Vec<(Kind, usize)>,
    pub peak_rss: u64,
    /// The input that took the most memory (kind, bytes).
    pub peak_input: Option<(Kind, Vec<u8>)>,
    pub slowest: Duration,
    pub findings: Vec<(Kind, String, PathBuf)>,
    /// How runs ended: "ok", or the error line's gist, with counts.
    pub endings: std::collections::BTreeMap<String, usize>,
}

/// The gist of how a run ended, for the report: "ok", or the error line
/// with its file name, numbers and quotes taken out.
fn ending(o: &Outcome) -> String {
    if o.code == Some(0) {
        return "ok".into();
    }
    let line = o.last_line().trim_start_matches("custseg: error: ");
    let line = line.split_once(": ").map_or(line, |(_, rest)| rest);
    let gist: String = line
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .take(60)
        .collect();
    gist.split('\'').next().unwrap_or("").to_string()
}

/// Runs mutated cases round-robin over the seeds until `duration` is spent,
/// on `jobs` threads. Findings are shrunk and written to `findings_dir`.
pub fn fuzz(
    bench: &Bench,
    seed: u64,
    duration: Duration,
    jobs: usize,
    findings_dir: &Path,
) -> Report {
    let start = Instant::now();
    let report = std::sync::Mutex::new(Report::default());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                while start.elapsed() < duration {
                    let case = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(case as u64));
                    let (kind, seed_bytes) = &bench.seeds[case % bench.seeds.len()];
                    let others: Vec<&Vec<u8>> = bench
                        .seeds
                        .iter()
                        .filter(|(k, _)| k == kind)
                        .map(|(_, b)| b)
                        .collect();
                    let other = others[rng.below(others.len())];
                    let input = mutate(&mut rng, *kind, seed_bytes, other);
                    let full = case.is_multiple_of(8);
                    let skip = kind.is_text() && rng.chance(2);
                    let outcomes = bench.run_case_with(*kind, &input, full, skip);
                    let found = violation(&outcomes);
                    let mut r = report.lock().unwrap();
                    r.cases += 1;
                    r.runs += outcomes.len();
                    r.errors += outcomes.iter().filter(|o| o.code != Some(0)).count();
                    match r.by_kind.iter_mut().find(|(k, _)| k == kind) {
                        Some((_, n)) => *n += 1,
                        None => r.by_kind.push((*kind, 1)),
                    }
                    for o in &outcomes {
                        *r.endings.entry(ending(o)).or_default() += 1;
                        if o.peak_rss > r.peak_rss {
                            r.peak_input = Some((*kind, input.clone()));
                        }
                        r.peak_rss = r.peak_rss.max(o.peak_rss);
                        r.slowest = r.slowest.max(o.elapsed);
                    }
                    drop(r);
                    if let Some(v) = found {
                        // One shrink per kind and class: the others are kept as found.
                        let seen = report
                            .lock()
                            .unwrap()
                            .findings
                            .iter()
                            .any(|(k, f, _)| k == kind && class(f) == class(&v));
                        let small = if seen {
                            input.clone()
                        } else {
                            shrink(bench, *kind, &input, skip, &v, Duration::from_secs(120))
                        };
                        let dir = findings_dir.join(kind.dir());
                        std::fs::create_dir_all(&dir).unwrap();
                        let ext = Path::new(kind.file_name())
                            .extension()
                            .unwrap()
                            .to_string_lossy()
                            .into_owned();
                        let path = dir.join(format!("{}-{:016x}.{ext}", class(&v), fnv(&small)));
                        std::fs::write(&path, &small).unwrap();
                        report.lock().unwrap().findings.push((*kind, v, path));
                    }
                }
            });
        }
    });
    report.into_inner().unwrap()
}
