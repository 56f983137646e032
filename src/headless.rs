//! `--no-tui`: the same pipeline stages as the TUI, driven by a RunConfig,
//! with progress on stderr and a summary (or JSON) on stdout.

use crate::cli::{RunArgs, SampleArgs, ScoreArgs};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::load;
use crate::pipeline::mapping;
use crate::pipeline::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise
/// (logs, nohup), so batch logs stay readable.
pub struct StderrProgress {
    bar: Option<ProgressBar>,
    last_line: Mutex<Option<Instant>>,
    stage: Mutex<String>,
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
        }
    }

    /// Starts a named stage ("load", "cluster", ...).
    pub fn stage(&self, name: &str) {
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
    fn report(&self, fraction: f64, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position((fraction * 1000.0) as u64);
                bar.set_message(message.to_string());
            }
            None => {
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                    let stage = self.stage.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    eprintln!("[{stage}] {:>3.0}% {message}", fraction * 100.0);
                    *last = Some(Instant::now());
                }
            }
        }
    }
}

/// Runs Load -> Export for `config`.
pub fn run(config: &RunConfig, args: &RunArgs) -> Result<()> {
    let input = config
        .input
        .clone()
        .ok_or_else(|| Error::usage("no input file: custseg --no-tui FILE --out DIR"))?;
    let progress = StderrProgress::new();
    progress.stage("load");
    let table = load::load(&input, &config.load, &progress)?;
    let mapping = mapping::map_columns(&table, &config.mapping)?;
    progress.finish();
    let _ = args;
    println!(
        "{} rows, {} columns from {}",
        table.n_rows,
        table.columns.len(),
        input.display()
    );
    for c in &mapping.columns {
        println!(
            "  {:<24} {:<7} {:<22} {:>4.0}%",
            c.column,
            c.ctype.name(),
            c.role.map_or("-", |r| r.key()),
            c.confidence * 100.0
        );
    }
    Ok(())
}

/// `custseg sample`: synthetic customers with planted segments.
pub fn run_sample(args: &SampleArgs) -> Result<()> {
    use crate::sample::{SampleEncoding, SampleFormat, SampleOptions, write_sample};
    if args.out.exists() && !args.force {
        return Err(Error::usage(format!(
            "{} already exists; use --force to replace it",
            args.out.display()
        )));
    }
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
        ..SampleOptions::default()
    };
    let summary = write_sample(&args.out, &opts)?;
    eprintln!(
        "wrote {} rows ({} customers, {} bytes) to {}",
        summary.rows,
        summary.customers,
        summary.bytes,
        args.out.display()
    );
    Ok(())
}

pub fn run_score(_args: &ScoreArgs) -> Result<()> {
    Err(Error::usage("scoring is not built yet"))
}
