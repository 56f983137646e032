//! Command-line shape (clap). Flags fill a [`RunConfig`]; a `--config` file
//! is read first and flags given on the command line win over it.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::pipeline::aggregate::InputKind;
use crate::pipeline::clean::{DuplicatePolicy, IsoDate};
use crate::pipeline::features::{FeatureMode, TransformMode};
use crate::pipeline::load::DateOrder;
use crate::pipeline::mapping::parse_map_arg;
use crate::pipeline::profile::LabelScheme;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "custseg",
    version,
    about = "Bank customer segmentation in the terminal: load, map, clean, featurise, cluster, inspect, export.",
    long_about = "Bank customer segmentation in the terminal.\n\n\
        custseg [FILE]                       keyboard-driven TUI\n\
        custseg --no-tui FILE --out DIR      the whole pipeline, headless\n\
        custseg score --model M FILE --out F score new customers with a saved model\n\
        custseg sample --rows N --out FILE   write synthetic customers",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Customer file: CSV/TSV/TXT or a workbook (xlsx, xlsm, xlsb, xls, ods).
    pub file: Option<PathBuf>,

    /// Run the whole pipeline without the TUI (for batch jobs and scripts).
    #[arg(long)]
    pub no_tui: bool,

    #[command(flatten)]
    pub run: RunArgs,

    /// Draw with ASCII only (borders, bars, chart markers); automatic when the locale is not UTF-8.
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score new customers with a model saved by an earlier run.
    Score(ScoreArgs),
    /// Write synthetic bank customers with planted segments.
    Sample(SampleArgs),
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// model.json written by a run.
    #[arg(long)]
    pub model: PathBuf,
    /// Customers to score.
    pub file: PathBuf,
    /// Output CSV: id, segment, label, action.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Number of customers (or transactions with --transactions).
    #[arg(long, default_value_t = 3000)]
    pub rows: usize,
    /// Output file (.csv, or .xlsx for a workbook).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = crate::config::DEFAULT_SEED)]
    pub seed: u64,
    /// Chinese column names and values.
    #[arg(long)]
    pub chinese: bool,
    /// Text encoding: utf-8 or gbk.
    #[arg(long, default_value = "utf-8")]
    pub encoding: String,
    /// Field delimiter.
    #[arg(long, default_value = ",")]
    pub delimiter: char,
    /// One row per transaction instead of one per customer.
    #[arg(long)]
    pub transactions: bool,
    /// Inject missing and messy values (for testing the cleaning stage).
    #[arg(long)]
    pub messy: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Options of the loading stage, shared by the main run and `score`.
#[derive(Debug, Args, Default)]
pub struct LoadArgs {
    /// Field delimiter (default: sniffed among , ; tab |). Use "\t" or "tab" for tab.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<char>,
    /// Text encoding (default: detected): utf-8, gbk, gb18030, big5, latin1, utf-16le ...
    #[arg(long)]
    pub encoding: Option<String>,
    /// The first row is data, not a header.
    #[arg(long, conflicts_with = "header")]
    pub no_header: bool,
    /// The first row is a header (default: detected).
    #[arg(long)]
    pub header: bool,
    /// Workbook sheet, by name or 0-based index (default: the first non-empty sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// How to read ambiguous dates like 03/04/2024: dmy or mdy.
    #[arg(long)]
    pub date_order: Option<DateOrder>,
    /// Skip rows with the wrong number of fields (and report how many) instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// Options of a run; each one overrides the same setting from `--config`.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Output folder for results, reports, charts and the model.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A RunConfig TOML file (e.g. run.toml saved by an earlier run).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Seed for every random choice.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Assign a role to a column, e.g. --map balance=资产余额 (repeatable).
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,
    /// Replace the contents of an existing non-empty output folder.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub stages: StageArgs,
}

/// Options of the Clean, Features, Cluster and Inspect stages.
#[derive(Debug, Args, Default)]
pub struct StageArgs {
    /// What one row is: auto (decided from repeated ids), customers or transactions.
    #[arg(long, value_name = "auto|customers|transactions")]
    pub input: Option<InputKind>,
    /// Drop columns with more than this share of missing values (0..1).
    #[arg(long, value_name = "SHARE")]
    pub max_missing: Option<f64>,
    /// Repeated customer ids: keep-first, keep-last or fail.
    #[arg(long, value_name = "POLICY")]
    pub duplicates: Option<DuplicatePolicy>,
    /// The date recency, tenure and age are measured against (default: the latest date in the data).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<IsoDate>,
    /// Feature set: auto, template (RFM, tenure, products, age, balance) or generic (numeric columns).
    #[arg(long, value_name = "auto|template|generic")]
    pub features: Option<FeatureMode>,
    /// Skew handling: none, log (all non-negative) or auto (log1p when skewness > 1).
    #[arg(long, value_name = "none|log|auto")]
    pub transform: Option<TransformMode>,
    /// Leave a feature out of the clustering (repeatable).
    #[arg(long = "drop-feature", value_name = "NAME")]
    pub drop_feature: Vec<String>,
    /// Fix the number of segments instead of choosing it automatically.
    #[arg(long)]
    pub k: Option<usize>,
    /// The K range to sweep, e.g. 2..10.
    #[arg(long, value_name = "A..B", value_parser = parse_k_range)]
    pub k_range: Option<(usize, usize)>,
    /// K-Means restarts per K (the lowest inertia wins).
    #[arg(long)]
    pub n_init: Option<usize>,
    /// Above this many customers, run the restarts on a seeded sample of
    /// this many and refine the best on all rows (0: restarts on all rows).
    #[arg(long, value_name = "ROWS")]
    pub fit_sample: Option<usize>,
    /// K-Means' working copy of the features: f64, or f32 for half the
    /// memory on very large tables (distances and sums stay in f64).
    #[arg(long, value_name = "f64|f32")]
    pub storage: Option<crate::pipeline::cluster::Storage>,
    /// Label scheme: auto, bank, rfm or descriptive.
    #[arg(long, value_name = "SCHEME")]
    pub labels: Option<LabelScheme>,
}

fn parse_k_range(s: &str) -> std::result::Result<(usize, usize), String> {
    let (a, b) = s
        .split_once("..=")
        .or_else(|| s.split_once(".."))
        .or_else(|| s.split_once('-'))
        .ok_or_else(|| format!("'{s}' is not a range like 2..10"))?;
    let a: usize = a
        .trim()
        .parse()
        .map_err(|_| format!("'{a}' is not a number"))?;
    let b: usize = b
        .trim()
        .parse()
        .map_err(|_| format!("'{b}' is not a number"))?;
    if a == 0 || b < a {
        return Err(format!("'{s}' is empty or starts at 0; use e.g. 2..10"));
    }
    Ok((a, b))
}

fn parse_delimiter(s: &str) -> std::result::Result<char, String> {
    match s {
        "\\t" | "tab" | "TAB" | "\t" => Ok('\t'),
        _ => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() => Ok(c),
                _ => Err(format!("'{s}' is not a single ASCII character")),
            }
        }
    }
}

impl LoadArgs {
    pub fn apply(&self, cfg: &mut crate::pipeline::load::LoadOptions) {
        if self.delimiter.is_some() {
            cfg.delimiter = self.delimiter;
        }
        if self.encoding.is_some() {
            cfg.encoding.clone_from(&self.encoding);
        }
        if self.no_header {
            cfg.header = Some(false);
        } else if self.header {
            cfg.header = Some(true);
        }
        if self.sheet.is_some() {
            cfg.sheet.clone_from(&self.sheet);
        }
        if let Some(order) = self.date_order {
            cfg.date_order = order;
        }
        if self.skip_bad_rows {
            cfg.skip_bad_rows = true;
        }
    }
}

impl RunArgs {
    /// The RunConfig for this invocation: `--config` file, then flags on top.
    pub fn to_config(&self, file: Option<&PathBuf>) -> Result<RunConfig> {
        let mut cfg = match &self.config {
            Some(path) => RunConfig::from_toml_file(path)?,
            None => RunConfig::default(),
        };
        if let Some(f) = file {
            cfg.input = Some(f.clone());
        }
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        self.load.apply(&mut cfg.load);
        for arg in &self.map {
            let (role, column) =
                parse_map_arg(arg).map_err(|e| Error::usage(format!("--map {e}")))?;
            cfg.mapping.roles.insert(role, column);
        }
        let s = &self.stages;
        if let Some(kind) = s.input {
            cfg.aggregate.input = kind;
        }
        if let Some(m) = s.max_missing {
            if !(0.0..=1.0).contains(&m) {
                return Err(Error::usage(format!(
                    "--max-missing {m}: must be between 0 and 1 (e.g. 0.3)"
                )));
            }
            cfg.clean.max_missing = m;
        }
        if let Some(p) = s.duplicates {
            cfg.clean.duplicates = p;
        }
        if s.as_of.is_some() {
            cfg.clean.as_of = s.as_of;
        }
        if let Some(m) = s.features {
            cfg.features.mode = m;
        }
        if let Some(t) = s.transform {
            cfg.features.transform = t;
        }
        for f in &s.drop_feature {
            if !cfg.features.drop_features.contains(f) {
                cfg.features.drop_features.push(f.clone());
            }
        }
        if let Some(k) = s.k {
            if k == 0 {
                return Err(Error::usage("--k 0: K must be at least 1"));
            }
            cfg.cluster.k = Some(k);
        }
        if let Some((a, b)) = s.k_range {
            cfg.cluster.k_min = a;
            cfg.cluster.k_max = b;
        }
        if let Some(n) = s.n_init {
            if n == 0 {
                return Err(Error::usage("--n-init 0: at least one restart is needed"));
            }
            cfg.cluster.n_init = n;
        }
        if let Some(m) = s.fit_sample {
            cfg.cluster.fit_sample = m;
        }
        if let Some(st) = s.storage {
            cfg.cluster.storage = st;
        }
        if let Some(l) = s.labels {
            cfg.labels.scheme = l;
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mapping::Role;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("custseg").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn headless_flags_fill_the_config() {
        let cli = parse(&[
            "--no-tui",
            "data.csv",
            "--out",
            "out",
            "--delimiter",
            "tab",
            "--map",
            "balance=资产余额",
            "--no-header",
            "--date-order",
            "mdy",
        ]);
        assert!(cli.no_tui);
        let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
        assert_eq!(cfg.input.as_deref(), Some(std::path::Path::new("data.csv")));
        assert_eq!(cfg.load.delimiter, Some('\t'));
        assert_eq!(cfg.load.header, Some(false));
        assert_eq!(cfg.load.date_order, DateOrder::Mdy);
        assert_eq!(cfg.mapping.roles[&Role::Balance], "资产余额");
    }

    #[test]
    fn subcommands_parse() {
        let cli = parse(&[
            "sample",
            "--rows",
            "10",
            "--out",
            "x.csv",
            "--chinese",
            "--encoding",
            "gbk",
        ]);
        assert!(matches!(
            cli.command,
            Some(Command::Sample(SampleArgs {
                rows: 10,
                chinese: true,
                ..
            }))
        ));
        let cli = parse(&["score", "--model", "m.json", "new.csv", "--out", "s.csv"]);
        assert!(matches!(cli.command, Some(Command::Score(_))));
    }

    #[test]
    fn bad_map_is_a_usage_error() {
        let cli = parse(&["--no-tui", "x.csv", "--map", "wealth=x"]);
        let e = cli.run.to_config(cli.file.as_ref()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn stage_flags_fill_the_config() {
        let cli = parse(&[
            "--no-tui",
            "x.csv",
            "--k",
            "5",
            "--k-range",
            "3..8",
            "--max-missing",
            "0.4",
            "--as-of",
            "2024-06-30",
            "--transform",
            "none",
            "--drop-feature",
            "Age",
            "--labels",
            "rfm",
            "--input",
            "transactions",
        ]);
        let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
        assert_eq!(cfg.cluster.k, Some(5));
        assert_eq!((cfg.cluster.k_min, cfg.cluster.k_max), (3, 8));
        assert_eq!(cfg.clean.max_missing, 0.4);
        assert_eq!(cfg.clean.as_of.unwrap().to_string(), "2024-06-30");
        assert_eq!(cfg.features.transform, TransformMode::None);
        assert_eq!(cfg.features.drop_features, ["Age"]);
        assert_eq!(cfg.labels.scheme, LabelScheme::Rfm);
        assert_eq!(cfg.aggregate.input, InputKind::Transactions);
    }

    #[test]
    fn bad_stage_flags_are_usage_errors() {
        assert!(Cli::try_parse_from(["custseg", "x.csv", "--k-range", "5..2"]).is_err());
        assert!(Cli::try_parse_from(["custseg", "x.csv", "--k-range", "0..3"]).is_err());
        assert!(Cli::try_parse_from(["custseg", "x.csv", "--as-of", "yesterday"]).is_err());
        let cli = parse(&["--no-tui", "x.csv", "--max-missing", "3"]);
        assert_eq!(
            cli.run
                .to_config(cli.file.as_ref())
                .unwrap_err()
                .exit_code(),
            2
        );
        let cli = parse(&["--no-tui", "x.csv", "--k", "0"]);
        assert_eq!(
            cli.run
                .to_config(cli.file.as_ref())
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn multi_character_delimiter_is_rejected() {
        assert!(Cli::try_parse_from(["custseg", "x.csv", "--delimiter", ";;"]).is_err());
    }
}
