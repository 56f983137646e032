//! `--no-tui`: the same pipeline stages as the TUI, driven by a RunConfig,
//! with progress on stderr and a summary (or JSON) on stdout.

use crate::cli::{RunArgs, SampleArgs, ScoreArgs};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::analysis::{Analysis, Step};
use crate::pipeline::export;
use crate::pipeline::export::report::human;
use crate::pipeline::mapping::{IdDecision, IdSource};
use crate::pipeline::progress::{KFitted, Progress};
use crate::pipeline::run::RunOutput;
use crate::remedy::Notice;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise
/// (logs, nohup), so batch logs stay readable.
pub struct StderrProgress {
    bar: Option<ProgressBar>,
    last_line: Mutex<Option<Instant>>,
    stage: Mutex<String>,
    /// The running stage and when it started.
    started: Mutex<Option<(String, Instant)>>,
    /// Each finished stage and how long it took, in order.
    timings: Mutex<Vec<(String, Duration)>>,
}

impl StderrProgress {
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(1000);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>9} [{bar:30}] {percent:>3}% {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        StderrProgress {
            bar,
            last_line: Mutex::new(None),
            stage: Mutex::new(String::new()),
            started: Mutex::new(None),
            timings: Mutex::new(Vec::new()),
        }
    }

    /// Ends the running stage, if any, with a line saying how long it took.
    fn end_stage(&self) {
        let Some((name, start)) = self
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        let took = start.elapsed();
        let line = format!("[{name}] done in {:.2} s", took.as_secs_f64());
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        self.timings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, took));
    }

    /// How long each finished stage took, in order.
    pub fn timings(&self) -> Vec<(String, Duration)> {
        self.timings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Starts a named stage ("load", "cluster", ...).
    pub fn stage(&self, name: &str) {
        self.end_stage();
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((name.to_string(), Instant::now()));
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = name.to_string();
        match &self.bar {
            Some(bar) => {
                bar.set_prefix(name.to_string());
                bar.set_position(0);
            }
            None => eprintln!("[{name}] started"),
        }
    }

    pub fn finish(&self) {
        self.end_stage();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for StderrProgress {
    /// SIGINT, SIGTERM or SIGHUP asks the work to stop.
    fn is_cancelled(&self) -> bool {
        crate::signals::received().is_some()
    }

    fn report(&self, fraction: f64, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position((fraction * 1000.0) as u64);
                bar.set_message(escape::terminal(message).into_owned());
            }
            None => {
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                    let stage = self.stage.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    eprintln!(
                        "[{stage}] {:>3.0}% {}",
                        fraction * 100.0,
                        escape::terminal(message)
                    );
                    *last = Some(Instant::now());
                }
            }
        }
    }

    /// One line per K as the sweep fits it, so a long headless run shows
    /// its K table growing (the TUI streams the same).
    fn k_fitted(&self, k: &KFitted) {
        let silhouette = k
            .metrics
            .silhouette
            .map_or_else(|| "-".to_string(), |s| format!("{s:.3}"));
        let line = format!(
            "[cluster] K={} fitted ({} of {}): SSE {}, silhouette {silhouette}",
            k.k,
            k.done,
            k.total,
            crate::pipeline::export::report::human(k.sse)
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

/// Runs Load -> Export for `config`: progress on stderr, summary (or JSON) on stdout.
/// `ascii`: `--ascii`, or a locale that is not UTF-8 (the TUI's rule): the
/// summary's symbols and elbow curve are drawn in ASCII.
pub fn run(config: &RunConfig, args: &RunArgs, ascii: bool) -> Result<()> {
    if config.input.is_none() {
        return Err(Error::usage(
            "no input file: custseg --no-tui FILE --out DIR (no file yet? custseg sample --out customers.csv writes 3,000 synthetic customers; --rows N for more)",
        ));
    }
    let out = args.out.clone().ok_or_else(|| {
        Error::usage("--out DIR is required with --no-tui (where results are written)")
    })?;
    // Refuse a folder we may not write before spending minutes on the sweep.
    export::outset::check_target(&out, args.force)?;
    let progress = StderrProgress::new();
    let mut analysis = Analysis::new(config.clone());
    analysis.run_to(Step::Profile, &progress, &|step| {
        progress.stage(step.name())
    })?;
    progress.stage("export");
    let files = analysis.export(&out, args.force, &export::Output::ALL, &progress)?;
    let output = analysis
        .output()
        .ok_or_else(|| Error::data("the run stopped before profiling the segments"))?;
    progress.finish();
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let text = if args.json {
        let mut summary = summary_json(&output, &files);
        summary["seconds"] = progress
            .timings()
            .into_iter()
            .map(|(stage, took)| (stage, json!(took.as_secs_f64())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        summary["scoring"] = crate::headless_scoring::json(config, &out);
        let json = serde_json::to_string_pretty(&summary)
            .map_err(|e| Error::data(format!("writing JSON: {e}")))?;
        escape::json(&json).into_owned()
    } else {
        let mut text = summary_text(&output, &files);
        let taken = output.cleaned.as_of.date;
        text.push_str(&crate::headless_scoring::summary_text(config, &out, taken));
        if ascii {
            text = ascii_symbols(&text);
        }
        escape::terminal_lines(&text).into_owned()
    };
    writeln!(w, "{text}").map_err(|e| Error::io("writing to stdout", e))?;
    Ok(())
}

/// The `--json` object: one value scripts can rely on.
pub fn summary_json(run: &RunOutput, files: &[PathBuf]) -> serde_json::Value {
    let mut summary = summary_json_core(run, files);
    crate::headless_trust::add_to_json(&mut summary, run);
    // Parquet/Arrow columns the run did not read (see pipeline::projection).
    summary["unread_columns"] = json!(run.table.source.unread_columns);
    summary
}

fn summary_json_core(run: &RunOutput, files: &[PathBuf]) -> serde_json::Value {
    let chosen = run.chosen();
    json!({
        "input": run.table.source.path,
        "rows": run.table.n_rows,
        "customers": run.cleaned.table.n_rows,
        "encoding": run.table.source.encoding_report,
        "aggregated_transactions": run.prepared.aggregated.is_some(),
        "aggregate": run.prepared.aggregated.as_ref().map(|a| &a.report),
        "mapping": run.mapping.roles().into_iter().map(|(r, c)| (r.key().to_string(), json!(c))).collect::<serde_json::Map<_, _>>(),
        "customer_id": &run.mapping.id,
        "dropped_columns": run.cleaned.report.dropped().map(|c| json!({"column": c.name, "reason": c.cli_reason()})).collect::<Vec<_>>(),
        "features": run.features.report.features.iter().map(|f| json!({
            "name": f.name,
            "source": f.source,
            "kind": f.kind,
            "transform": f.transform.name(),
            "transform_reason": f.transform_reason,
            "winsorised": f.clip.map(|[lo, hi]| json!({"lower": lo, "upper": hi, "moved": f.clipped, "why": f.clip_reason})),
            "sentinel": f.sentinel,
            "negatives": f.negatives,
        })).collect::<Vec<_>>(),
        "hygiene": run.features.report.ruled.iter().map(|r| json!({
            "column": r.column,
            "rule": r.rule,
            "finding": r.rule.finding(),
            "use": r.usage,
            "applied": r.applied,
        })).collect::<Vec<_>>(),
        "label_scheme": run.profiles.scheme.name(),
        "label_scheme_reason": run.profiles.scheme_reason,
        "drivers": run.profiles.drivers,
        "as_of": run.cleaned.as_of.date.map(|d| d.to_string()),
        "as_of_source": run.cleaned.as_of.source,
        "k": chosen.k,
        "k_reason": run.pick.reason,
        "sweep": run.sweep.results.iter().map(|r| {
            let mut point = json!({
                "k": r.k,
                "sse": r.fit.inertia,
                "silhouette": r.metrics.silhouette,
                "calinski_harabasz": r.metrics.calinski_harabasz,
                "davies_bouldin": r.metrics.davies_bouldin,
            });
            crate::headless_trust::add_evidence(&mut point, &run.sweep, r.k);
            point
        }).collect::<Vec<_>>(),

        "silhouette_sampled": chosen.metrics.silhouette_sampled,
        "restarts_sample": run.sweep.restarts_sample,
        "storage": run.sweep.storage,
        "segments": run.profiles.segments.iter().map(|s| json!({
            "id": s.id,
            "label": s.label,
            "size": s.size,
            "share": s.share,
            "action": s.action,
            "distinguishing": s.distinguishing.iter().take(3).collect::<Vec<_>>(),
            "tiny": s.tiny,
            "label_reason": s.label_reason,
            "traits": s.distinguishing.iter().filter_map(|n| s.feature(n)).map(|f| json!({
                "feature": f.feature,
                "direction": f.direction,
                "median": f.median,
                "overall_median": f.overall_median,
                "mean": f.mean,
                "overall_mean": f.overall_mean,
                "percentile": f.percentile,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "warnings": warnings(run),
        "previous": run.chosen().continuity,
        "label_edits": run.profiles.edits,
        "hints": hints(run),
        "outputs": files,
    })
}

/// What custseg doubts about the encoding, with the flag that settles it.
pub fn encoding_warning(src: &crate::pipeline::table::SourceInfo) -> Option<String> {
    let report = src.encoding_report.as_ref()?;
    let problem = report.problem()?;
    Some(match report.suggested_label() {
        Some(label) => {
            format!("{problem}: if the text looks wrong, read it with --encoding {label}")
        }
        None => format!("{problem}: name the file's encoding with --encoding"),
    })
}

/// A date column read in the order of the option because its dates read
/// both ways, in CLI words.
pub fn date_order_warning(col: &crate::pipeline::table::Column) -> Option<String> {
    use crate::pipeline::load::DateOrder;
    let (read, other) = match col.info.date_order_guessed? {
        DateOrder::Dmy => ("day/month/year", "mdy"),
        DateOrder::Mdy => ("month/day/year", "dmy"),
    };
    Some(format!(
        "'{}': every date reads both day-first and month-first (no day above 12), so nothing in \
         the data decides; read as {read}: if that is wrong, every date in it is, so use \
         --date-order {other}",
        col.name
    ))
}

/// How to read the first row as a header, when the loader read it as data.
pub fn header_advice() -> String {
    format!(
        "the first row was read as data; {}",
        crate::remedy::Remedy::Header.cli_phrase()
    )
}

fn warnings(run: &RunOutput) -> Vec<String> {
    let mut w: Vec<String> = encoding_warning(&run.table.source).into_iter().collect();
    w.extend(run.table.source.warnings.iter().cloned());
    if !run.table.source.unread_columns.is_empty() {
        w.push("--all-columns reads the columns left unread too".to_string());
    }
    if !run.table.source.has_header {
        w.push(header_advice());
    }
    w.extend(run.table.columns.iter().filter_map(date_order_warning));
    w.extend(id_warning(&run.mapping.id));
    w.extend(run.mapping.notes.iter().map(Notice::cli_line));
    if let Some(a) = &run.prepared.aggregated {
        w.extend(a.report.warnings.iter().cloned());
    }
    w.extend(run.cleaned.report.warnings.iter().map(Notice::cli_line));
    w.extend(run.features.report.warnings.iter().map(Notice::cli_line));
    w.extend(run.sweep.warnings.iter().cloned());
    w.extend(crate::headless_trust::structure_warning(run));
    w.extend(
        run.profiles
            .edits
            .problems()
            .into_iter()
            .map(|p| format!("{p}; change or remove it under [labels.overrides] in the run.toml")),
    );
    for s in run.profiles.tiny_segments() {
        w.push(format!(
            "segment {} ({}) holds {} customers ({:.2}%), under 0.5%: a few outliers rather than a segment; try a smaller --k",
            s.id,
            s.label,
            s.size,
            s.share * 100.0
        ));
    }
    w
}

/// The customer-id decision when the user should check it, in CLI words.
pub fn id_warning(id: &IdDecision) -> Option<String> {
    let passed: Vec<String> = id
        .passed_over
        .iter()
        .map(|(c, why)| format!("'{c}' ({why})"))
        .collect();
    let passed = if passed.is_empty() {
        String::new()
    } else {
        format!("; not the customer: {}", passed.join(", "))
    };
    match (id.source, &id.column) {
        (IdSource::None, _) => Some(format!(
            "no customer id column found ({}): every row is taken as one customer, \
             identified by its line number{passed}; if the rows are transactions, name the \
             customer column with --map customer_id=COLUMN",
            id.reason
        )),
        (IdSource::Values, Some(c)) => Some(format!(
            "'{c}' is taken as the customer id from its values, {:.0}% sure ({}){passed}; \
             if it is not the customer, name the right column with --map customer_id=COLUMN",
            id.confidence * 100.0,
            id.reason
        )),
        _ => None,
    }
}

/// How to act on what the warnings say, worded as flags.
fn hints(run: &RunOutput) -> Vec<String> {
    let mut h = Vec::new();
    h.extend(crate::headless_trust::edge_hint(run));
    if crate::pipeline::run::too_many_features(run.features.n, run.features.d).is_some() {
        h.push(
            "choose the columns to cluster on with --select COLUMN (repeatable), or leave features out with --drop-feature NAME"
                .to_string(),
        );
    }
    h
}

/// Text display width (CJK characters take two cells).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The plain-text summary: input, K table, elbow curve, segments, outputs.
pub fn summary_text(run: &RunOutput, files: &[PathBuf]) -> String {
    let mut s = String::new();
    let src = &run.table.source;
    let _ = writeln!(
        s,
        "custseg: {} rows from {}{}",
        human(run.table.n_rows as f64),
        src.file_name(),
        match &run.prepared.aggregated {
            Some(a) => format!(
                " (transactions -> {} customers)",
                human(a.table.n_rows as f64)
            ),
            None => String::new(),
        }
    );
    if let Some(enc) = &src.encoding_report {
        let _ = writeln!(s, "  encoding: {}", enc.summary());
    }
    for w in warnings(run) {
        let _ = writeln!(s, "  warning: {w}");
    }
    if let Some(c) = &run.chosen().continuity {
        for line in c.lines() {
            let _ = writeln!(s, "  previous: {}", escape::terminal(&line));
        }
    }
    for line in run.profiles.edits.notes() {
        let _ = writeln!(s, "  edits: {}", escape::terminal(&line));
    }
    if let Some(a) = &run.prepared.aggregated {
        for p in &a.report.policy.statements {
            let _ = writeln!(s, "  policy: {p}");
        }
    }
    for h in hints(run) {
        let _ = writeln!(s, "  hint: {h}");
    }
    let dropped: Vec<String> = run
        .cleaned
        .report
        .dropped()
        .map(|c| format!("{} ({})", c.name, c.cli_reason()))
        .collect();
    if !dropped.is_empty() {
        let _ = writeln!(s, "  dropped columns: {}", dropped.join("; "));
    }
    if let Some(d) = run.cleaned.report.as_of {
        let source = run.cleaned.report.cli_as_of_source();
        let _ = writeln!(s, "  as-of: {d} ({source})");
    }
    let _ = writeln!(s, "  features: {}", run.features.names.join(", "));
    let ruled: Vec<String> = run
        .features
        .report
        .ruled
        .iter()
        .filter(|r| r.applied)
        .map(|r| format!("{} ({})", r.column, r.rule.finding()))
        .collect();
    if !ruled.is_empty() {
        let _ = writeln!(
            s,
            "  not clustered: {}\n    (--select COLUMN clusters on one anyway)",
            ruled.join("; ")
        );
    }
    s.push_str(&k_selection_text(run));
    s.push_str(&elbow_plot(&run.sweep, run.pick.k));
    s.push_str(&crate::headless_trust::summary_section(run));
    let _ = writeln!(s, "\nSegments");
    let label_w = run
        .profiles
        .segments
        .iter()
        .map(|p| width(&p.label))
        .max()
        .unwrap_or(5)
        .max(5);
    for p in &run.profiles.segments {
        let _ = writeln!(
            s,
            "  {:>2}  {}  {:>9} {:>6.1}%  {}",
            p.id,
            pad(&p.label, label_w),
            human(p.size as f64),
            p.share * 100.0,
            traits(p)
        );
        if let Some(t) = &run.profiles.trust {
            for line in crate::headless_trust::segment_lines(t, p.id as usize) {
                let _ = writeln!(s, "      {line}");
            }
        }
    }
    let _ = writeln!(s, "\nWritten:");
    for f in files {
        let _ = writeln!(s, "  {}", f.display());
    }
    s
}

/// The K table of the summary: every K's SSE, quality metrics and gap
/// evidence, the chosen K and how it was chosen.
fn k_selection_text(run: &RunOutput) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nK selection (chosen K = {}: {})",
        run.pick.k, run.pick.reason
    );
    let _ = writeln!(
        s,
        "  {:>3} {:>16} {:>10} {:>12} {:>8} {:>7} {:>9}",
        "K", "SSE", "silhouette", "CH", "DB", "gap", "gap step"
    );
    for r in &run.sweep.results {
        let f =
            |x: Option<f64>, d: usize| x.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"));
        let _ = writeln!(
            s,
            "  {:>3} {:>16} {:>10} {:>12} {:>8} {}{}",
            r.k,
            human(r.fit.inertia),
            f(r.metrics.silhouette, 3),
            f(r.metrics.calinski_harabasz, 1),
            f(r.metrics.davies_bouldin, 3),
            crate::headless_trust::gap_cells(&run.sweep, r.k),
            if r.k == run.pick.k { "  <- chosen" } else { "" }
        );
    }
    if run.sweep.gap.is_some() {
        let _ = writeln!(
            s,
            "  (gap step: how much more K separates the customers than structureless data would; \
             * = a clear step)"
        );
    }
    if let Some(m) = run.sweep.restarts_sample {
        let _ = writeln!(
            s,
            "  (restarts on a seeded sample of {} rows, best refined on all rows)",
            human(m as f64)
        );
    }
    if run.sweep.storage == crate::pipeline::cluster::Storage::F32 {
        let _ = writeln!(s, "  (K-Means working copy stored in f32)");
    }
    s
}

/// "Balance high, Recency low" (or "typical on every feature"), and a
/// tiny segment's warning.
fn traits(p: &crate::pipeline::profile::SegmentProfile) -> String {
    let mut t: Vec<String> = p
        .distinguishing
        .iter()
        .take(3)
        .filter_map(|n| p.feature(n))
        .map(|f| format!("{} {}", f.feature, f.direction.word()))
        .collect();
    if t.is_empty() {
        t.push("typical on every feature".into());
    }
    if p.tiny {
        t.push("⚠ tiny segment".into());
    }
    t.join(", ")
}

/// `text` with the summary's own symbols in ASCII, for `--ascii` and
/// terminals whose locale is not UTF-8: the elbow's Braille dots become `*`,
/// arrows, signs and marks become their ASCII spellings. Data (a Chinese
/// label or column name) is left as it is.
pub fn ascii_symbols(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2800}' => out.push(' '),
            '\u{2801}'..='\u{28ff}' => out.push('*'),
            '⚠' => out.push('!'),
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '≠' => out.push_str("!="),
            '→' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '↑' => out.push('^'),
            '↓' => out.push('v'),
            '▲' => out.push('^'),
            '▼' => out.push('v'),
            '·' | '•' => out.push('-'),
            '—' => out.push_str("--"),
            '–' | '−' => out.push('-'),
            '×' => out.push('x'),
            '…' => out.push_str("..."),
            '✓' => out.push_str("ok"),
            '✗' => out.push('x'),
            '±' => out.push_str("+/-"),
            '°' => out.push_str(" deg"),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            _ => out.push(c),
        }
    }
    out
}

/// The SSE curve drawn with textplots (braille; 2x4 dots per character).
fn elbow_plot(sweep: &crate::pipeline::cluster::SweepResult, chosen_k: usize) -> String {
    use textplots::{Chart, Plot, Shape};
    let points: Vec<(f32, f32)> = sweep
        .results
        .iter()
        .map(|r| (r.k as f32, r.fit.inertia as f32))
        .collect();
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    if points.len() < 2 {
        return String::new();
    }
    let chosen: Vec<(f32, f32)> = points
        .iter()
        .copied()
        .filter(|p| p.0 as usize == chosen_k)
        .collect();
    let mut chart = Chart::new(120, 40, first.0, last.0);
    let lines = Shape::Lines(&points);
    let marker = Shape::Points(&chosen);
    let chart = chart.lineplot(&lines).lineplot(&marker);
    chart.axis();
    chart.figures();
    let text = chart.to_string();
    format!("\nElbow curve (SSE by K; chosen K = {})\n{text}", chosen_k)
}

/// `custseg sample`: synthetic customers with planted segments.
pub fn run_sample(args: &SampleArgs) -> Result<()> {
    use crate::sample::{SampleEncoding, SampleFormat, SampleOptions, write_sample_with};
    if args.bundled {
        return run_bundled_sample(args);
    }
    export::write::check_file_target(&args.out, args.force)?;
    export::formats::check_target_format(&args.out, "custseg sample", "CSV or .xlsx", &["xlsx"])?;
    let encoding = match args
        .encoding
        .to_ascii_lowercase()
        .replace('_', "-")
        .as_str()
    {
        "utf-8" | "utf8" => SampleEncoding::Utf8,
        "gbk" | "gb18030" | "gb2312" | "cp936" => SampleEncoding::Gbk,
        other => {
            return Err(Error::usage(format!(
                "--encoding {other}: sample files can be utf-8 or gbk"
            )));
        }
    };
    if !args.delimiter.is_ascii() {
        return Err(Error::usage("--delimiter must be a single ASCII character"));
    }
    let opts = SampleOptions {
        rows: args.rows,
        seed: args.seed,
        chinese: args.chinese,
        encoding,
        delimiter: args.delimiter as u8,
        format: if args.transactions {
            SampleFormat::Transactions
        } else {
            SampleFormat::Customers
        },
        messy: args.messy,
        crlf: args.crlf,
        ..SampleOptions::default()
    };
    let summary = write_sample_with(&args.out, &opts, &StderrProgress::new())?;
    eprintln!(
        "wrote {} rows ({} customers, {} bytes) to {}",
        summary.rows,
        summary.customers,
        summary.bytes,
        escape::terminal(&args.out.display().to_string())
    );
    Ok(())
}

/// `custseg sample --bundled`: the built-in sample, byte for byte.
fn run_bundled_sample(args: &SampleArgs) -> Result<()> {
    use crate::sample::bundled::{BUNDLED_CSV, BUNDLED_CUSTOMERS, write_bundled};
    export::formats::check_csv_target(&args.out, "custseg sample --bundled")?;
    write_bundled(&args.out, args.force)?;
    eprintln!(
        "wrote the bundled sample ({BUNDLED_CUSTOMERS} customers, {} bytes) to {}",
        BUNDLED_CSV.len(),
        escape::terminal(&args.out.display().to_string())
    );
    Ok(())
}

/// `custseg score`: new customers through a saved model, written as
/// id, segment, label, action.
pub fn run_score(args: &ScoreArgs) -> Result<()> {
    use crate::pipeline::export::write::{check_file_target, neutralise_cell, write_atomic};
    use crate::pipeline::model::{Model, score_table};
    check_file_target(&args.out, args.force)?;
    crate::pipeline::export::formats::check_csv_target(&args.out, "custseg score")?;
    let model = Model::read(&args.model)?;
    if let Some(problem) = export::outset::check_member(&args.model)? {
        eprintln!("  warning: {problem}; scoring with this model.json as it is");
    }
    let mut load_opts = model.config.load.clone();
    // The new file may come from another export: detect its shape unless told.
    load_opts.delimiter = None;
    load_opts.encoding = None;
    load_opts.header = None;
    load_opts.sheet = None;
    args.load.apply(&mut load_opts);
    let progress = StderrProgress::new();
    progress.stage("load");
    let table = crate::pipeline::load::load(&args.file, &load_opts, &progress)?;
    let source = table.source.clone();
    let date_orders: Vec<String> = table
        .columns
        .iter()
        .filter_map(date_order_warning)
        .collect();
    progress.stage("score");
    let scored = score_table(&model, table, args.as_of, &progress)?;
    progress.finish();
    if let Some(enc) = encoding_warning(&source) {
        eprintln!("  warning: {enc}");
    }
    for w in date_orders.iter().chain(&scored.warnings) {
        eprintln!("  warning: {}", escape::terminal(w));
    }
    let mut counts = vec![0usize; model.k];
    write_atomic(&args.out, &progress, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let io = |e: csv::Error| {
            Error::io(
                format!("writing {}", args.out.display()),
                std::io::Error::other(e.to_string()),
            )
        };
        csv.write_record(["customer_id", "segment", "label", "action"])
            .map_err(io)?;
        for (id, &seg) in scored.ids.iter().zip(&scored.segments) {
            let s = &model.segments[seg as usize];
            counts[seg as usize] += 1;
            csv.write_record([
                neutralise_cell(id).as_ref(),
                &seg.to_string(),
                neutralise_cell(&s.label).as_ref(),
                neutralise_cell(&s.action).as_ref(),
            ])
            .map_err(io)?;
        }
        csv.flush()
            .map_err(|e| Error::io(format!("writing {}", args.out.display()), e))
    })?;
    println!(
        "scored {} customers with {}:",
        scored.ids.len(),
        escape::terminal(&args.model.display().to_string())
    );
    if let Some(d) = scored.as_of.date {
        println!(
            "  as-of {d} ({})",
            escape::terminal(&scored.as_of.source.cli_text())
        );
    }
    for (s, n) in model.segments.iter().zip(&counts) {
        let label = escape::terminal(&s.label);
        println!("  {:>2}  {}  {}", s.id, pad(&label, 36), human(*n as f64));
    }
    println!(
        "written: {}",
        escape::terminal(&args.out.display().to_string())
    );
    Ok(())
}
