//! Command-line shape (clap). Flags fill a [`RunConfig`]; a `--config` file
//! is read first and flags given on the command line win over it.

use crate::config::{RunConfig, Setting};
use crate::error::{Error, Result};
use crate::pipeline::aggregate::InputKind;
use crate::pipeline::clean::{DuplicatePolicy, IsoDate};
use crate::pipeline::features::{FeatureMode, Transform, TransformMode, Winsorize};
use crate::pipeline::hygiene::FlagUse;
use crate::pipeline::load::DateOrder;
use crate::pipeline::mapping::parse_map_arg;
use crate::pipeline::profile::LabelScheme;
use crate::pipeline::txn_meaning::{MonetaryBasis, ReturnsPolicy, SignedAmounts};
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
        custseg sql --model M --dialect D --table T   the same scoring as one SQL statement\n\
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
    /// Write the scoring of a saved model as one SQL statement for a warehouse engine.
    Sql(SqlArgs),
    /// Write a saved model as a PMML 4.4 document (ClusteringModel with its cleaning and features).
    Pmml(crate::pmml_command::PmmlArgs),
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// model.json written by a run.
    #[arg(long)]
    pub model: PathBuf,
    /// SQL engine: postgres, sqlite, duckdb, spark (Databricks), hive, trino
    /// (Presto, Athena), oracle, sqlserver, teradata, bigquery, snowflake, mysql.
    #[arg(long)]
    pub dialect: String,
    /// The raw customer table or transaction log, with the training file's
    /// columns (schema.table allowed).
    #[arg(long)]
    pub table: String,
    /// Measure dates against this date (default: the latest activity date in the table).
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "as_of_sql")]
    pub as_of: Option<IsoDate>,
    /// Measure dates against this SQL expression of the engine (e.g. CURRENT_DATE).
    #[arg(long, value_name = "EXPR")]
    pub as_of_sql: Option<String>,
    /// A transaction log's row order, as an SQL expression over its columns
    /// (e.g. a load sequence); default: its transaction number. Breaks ties
    /// of the last balance and of an attribute's most frequent value.
    #[arg(long, value_name = "EXPR")]
    pub row_order: Option<String>,
    /// The table's columns as the engine describes them (`name,type` lines,
    /// e.g. an information_schema.columns export): a missing column or one
    /// of the wrong type is refused before the statement is written.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Write the statement to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
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
    /// The date these customers are measured against (default: the latest
    /// date in this file, as training does).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<IsoDate>,
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
    /// Invoice logs: cancelled lines netted against spend (net) or left out (exclude).
    #[arg(long, value_name = "net|exclude")]
    pub returns: Option<ReturnsPolicy>,
    /// Debit/credit logs: Monetary is money in (inflow), out (outflow) or in minus out (net).
    #[arg(long, value_name = "inflow|outflow|net")]
    pub monetary: Option<MonetaryBasis>,
    /// Logs without a direction column: negative amounts read as money out
    /// (flows), netted into the total (plain), or decided by their share (auto).
    #[arg(long, value_name = "auto|flows|plain")]
    pub signed_amounts: Option<SignedAmounts>,
    /// Values of the direction column that mean money in, besides credit,
    /// deposit, 收入 ... (comma-separated or repeated), e.g. PRIJEM.
    #[arg(long = "inflow-values", value_name = "V,...", value_delimiter = ',')]
    pub inflow_values: Vec<String>,
    /// Values of the direction column that mean money out, besides debit,
    /// withdrawal, 支出 ... (comma-separated or repeated).
    #[arg(long = "outflow-values", value_name = "V,...", value_delimiter = ',')]
    pub outflow_values: Vec<String>,
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
    /// Cluster on this numeric column (repeatable): the whole feature set in
    /// generic mode, the columns added to the template features in template
    /// mode. Replaces the config file's list.
    #[arg(long = "select", value_name = "COLUMN")]
    pub select: Vec<String>,
    /// One-hot encode text columns (gender, branch ...) with 2 to 12
    /// distinct values (features.one_hot_max_levels) and cluster on the 0/1
    /// indicators too.
    #[arg(long)]
    pub one_hot: bool,
    /// Clip each feature to these percentiles before transforming: percents
    /// (1,99) or fractions (0.01,0.99); off turns it off, including the
    /// default P1/P99 winsorising of skewed money columns.
    #[arg(long, value_name = "LO,HI", value_parser = parse_winsorize, allow_hyphen_values = true)]
    pub winsorize: Option<WinsorizeArg>,
    /// --transform auto applies log1p to features whose skewness is above
    /// this (default 1).
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub skew_threshold: Option<f64>,
    /// Transform of one feature, winning over --transform (repeatable),
    /// e.g. --transform-feature Balance=log.
    #[arg(long = "transform-feature", value_name = "NAME=none|log", value_parser = parse_transform_feature)]
    pub transform_feature: Vec<(String, Transform)>,
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
    /// Above this many customers the silhouette is computed on a seeded
    /// sample of this many rows, stratified by segment (at least 2).
    #[arg(long, value_name = "ROWS")]
    pub silhouette_sample: Option<usize>,
    /// Most Lloyd iterations per K-Means run (at least 1).
    #[arg(long, value_name = "N")]
    pub max_iter: Option<usize>,
    /// Convergence tolerance of K-Means, relative to the mean feature
    /// variance (a finite number >= 0; 0: until the labels stop changing).
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub tol: Option<f64>,
    /// K-Means' working copy of the features: f64, or f32 for half the
    /// memory on very large tables (distances and sums stay in f64).
    #[arg(long, value_name = "f64|f32")]
    pub storage: Option<crate::pipeline::cluster::Storage>,
    /// Reference sets of the gap statistic, which chooses K and judges the
    /// structure (default 10; 0: off, K by the knee of the SSE curve).
    #[arg(long, value_name = "N")]
    pub gap_references: Option<usize>,
    /// Bootstrap resamples that measure each segment's stability (default
    /// 50; 0: off).
    #[arg(long, value_name = "N")]
    pub stability_resamples: Option<usize>,
    /// Label scheme: auto, bank, rfm, card or descriptive.
    #[arg(long, value_name = "SCHEME")]
    pub labels: Option<LabelScheme>,
    /// 0/1 and yes/no flag columns: profile (shown per segment, the
    /// default) or feature (clustered with the indicator weight).
    #[arg(long, value_name = "profile|feature")]
    pub flags: Option<FlagUse>,
    /// A column known only after the fact (call duration, campaign
    /// outcome): profile only, never clustered (repeatable).
    #[arg(long = "after-the-fact", value_name = "COLUMN")]
    pub after_the_fact: Vec<String>,
    /// The column rules (row indexes, derived scores, calendar parts,
    /// flags, outcomes, sentinels): on (default) or off.
    #[arg(long, value_name = "on|off", value_parser = parse_on_off)]
    pub column_rules: Option<bool>,
    /// Standard deviation of all 0/1 indicators of one column together
    /// (one-hot levels, flags), against 1 for a numeric feature (default 0.5).
    #[arg(long, value_name = "W")]
    pub indicator_weight: Option<f64>,
}

fn parse_on_off(s: &str) -> std::result::Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err(format!("'{s}' is not on or off")),
    }
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

/// `--winsorize`: the percentiles, or `None` for `off`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WinsorizeArg(pub Option<Winsorize>);

/// `LO,HI` as percents when HI is above 1 (`1,99`), as fractions when it is
/// below 1 (`0.01,0.99`); HI = 1 could be either and is refused.
fn parse_winsorize(s: &str) -> std::result::Result<WinsorizeArg, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("none") {
        return Ok(WinsorizeArg(None));
    }
    let (a, b) = t.split_once(',').ok_or_else(|| {
        format!(
            "'{s}' is not two percentiles LO,HI such as 1,99 (percents) or 0.01,0.99 (fractions)"
        )
    })?;
    let num = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("'{}' is not a number", x.trim()))
    };
    let (lo, hi) = (num(a)?, num(b)?);
    if lo < 0.0 || lo >= hi {
        return Err(format!(
            "'{s}': the lower percentile must be at least 0 and below the upper one (e.g. 1,99)"
        ));
    }
    let (lower, upper) = if hi > 1.0 {
        if hi > 100.0 {
            return Err(format!(
                "'{s}': percents go up to 100 (e.g. 1,99 or 0.01,0.99)"
            ));
        }
        (lo / 100.0, hi / 100.0)
    } else if hi < 1.0 {
        (lo, hi)
    } else {
        return Err(format!(
            "'{s}' is ambiguous: an upper bound of 1 could mean 1% or 100%; write percents (e.g. 1,100 to clip only the low end) or fractions below 1"
        ));
    };
    Ok(WinsorizeArg(Some(Winsorize { lower, upper })))
}

/// `NAME=none|log`; the name may itself contain `=` (`Gender=F=none`).
fn parse_transform_feature(s: &str) -> std::result::Result<(String, Transform), String> {
    let (name, t) = s
        .rsplit_once('=')
        .filter(|(n, _)| !n.trim().is_empty())
        .ok_or_else(|| format!("'{s}' is not NAME=none|log (e.g. Balance=log)"))?;
    Ok((name.trim().to_string(), t.trim().parse()?))
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

/// An error as the command line words it: the option it is about as its
/// flag, the message, then the remedy as a flag.
pub fn error_line(e: &Error) -> String {
    let head = match e.setting() {
        Some(setting) => format!("{}: {e}", setting.flag()),
        None => e.to_string(),
    };
    match e.remedy() {
        Some(r) => format!("{head}; {}", r.cli_phrase()),
        None => head,
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
    /// The RunConfig for this invocation: `--config` file, then flags on
    /// top, then one check of every value ([`RunConfig::validate`]); a bad
    /// value is named by its flag when a flag set it, else by its key in
    /// the file.
    pub fn to_config(&self, file: Option<&PathBuf>) -> Result<RunConfig> {
        let mut cfg = match &self.config {
            Some(path) => RunConfig::read_toml_file(path)?,
            None => RunConfig::default(),
        };
        if let Some(f) = file {
            if cfg.input.as_ref() != Some(f) {
                // Another file than the saved run's: its fingerprint does not apply.
                cfg.input_sha256 = None;
            }
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
        self.stages.apply(&mut cfg);
        cfg.validate()
            .map_err(|inv| match self.stages.flag_for(inv.setting) {
                Some(flag) => Error::usage(format!("{flag}: {}", inv.problem)),
                None => inv.in_file(
                    &self
                        .config
                        .as_ref()
                        .map_or_else(|| "options".to_string(), |p| p.display().to_string()),
                ),
            })?;
        Ok(cfg)
    }
}

impl StageArgs {
    /// Puts the stage flags that were given into `cfg` (checked afterwards
    /// by [`RunConfig::validate`]).
    fn apply(&self, cfg: &mut RunConfig) {
        let s = self;
        if let Some(kind) = s.input {
            cfg.aggregate.input = kind;
        }
        if let Some(r) = s.returns {
            cfg.aggregate.returns = r;
        }
        if let Some(m) = s.monetary {
            cfg.aggregate.monetary = m;
        }
        if let Some(a) = s.signed_amounts {
            cfg.aggregate.signed_amounts = a;
        }
        if !s.inflow_values.is_empty() {
            cfg.aggregate.direction_words.inflow = s.inflow_values.clone();
        }
        if !s.outflow_values.is_empty() {
            cfg.aggregate.direction_words.outflow = s.outflow_values.clone();
        }
        if let Some(m) = s.max_missing {
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
        if !s.select.is_empty() {
            cfg.features.select.clear();
            for c in &s.select {
                if !cfg.features.select.contains(c) {
                    cfg.features.select.push(c.clone());
                }
            }
        }
        if s.one_hot {
            cfg.features.one_hot = true;
        }
        if let Some(WinsorizeArg(w)) = s.winsorize {
            cfg.features.winsorize = w;
            if w.is_none() {
                cfg.features.winsorize_skewed_money = false;
            }
        }
        if let Some(f) = s.flags {
            cfg.mapping.hygiene.flags = f;
        }
        for c in &s.after_the_fact {
            if !cfg.mapping.hygiene.after_the_fact.contains(c) {
                cfg.mapping.hygiene.after_the_fact.push(c.clone());
            }
        }
        if let Some(on) = s.column_rules {
            cfg.mapping.hygiene.enabled = on;
        }
        if let Some(w) = s.indicator_weight {
            cfg.features.indicator_weight = w;
        }
        if let Some(x) = s.skew_threshold {
            cfg.features.skew_threshold = x;
        }
        for (name, t) in &s.transform_feature {
            cfg.features.transform_overrides.insert(name.clone(), *t);
        }
        self.apply_cluster(cfg);
        if let Some(l) = s.labels {
            cfg.labels.scheme = l;
        }
    }

    fn apply_cluster(&self, cfg: &mut RunConfig) {
        let (s, c) = (self, &mut cfg.cluster);
        if s.k.is_some() {
            c.k = s.k;
        }
        if let Some((a, b)) = s.k_range {
            c.k_min = a;
            c.k_max = b;
        }
        if let Some(n) = s.n_init {
            c.n_init = n;
        }
        if let Some(m) = s.fit_sample {
            c.fit_sample = m;
        }
        if let Some(m) = s.silhouette_sample {
            c.silhouette_sample = m;
        }
        if let Some(m) = s.max_iter {
            c.max_iter = m;
        }
        if let Some(t) = s.tol {
            c.tol = t;
        }
        if let Some(st) = s.storage {
            c.storage = st;
        }
        if let Some(b) = s.gap_references {
            c.gap_references = b;
        }
        if let Some(b) = s.stability_resamples {
            c.stability_resamples = b;
        }
    }

    /// The flag and value as typed, when a flag set `setting`.
    fn flag_for(&self, setting: Setting) -> Option<String> {
        let s = self;
        match setting {
            Setting::KMin | Setting::KMax => s.k_range.map(|(a, b)| format!("--k-range {a}..{b}")),
            Setting::K => s.k.map(|k| format!("--k {k}")),
            Setting::NInit => s.n_init.map(|n| format!("--n-init {n}")),
            Setting::MaxIter => s.max_iter.map(|n| format!("--max-iter {n}")),
            Setting::Tol => s.tol.map(|t| format!("--tol {t}")),
            Setting::SilhouetteSample => s
                .silhouette_sample
                .map(|n| format!("--silhouette-sample {n}")),
            Setting::GapReferences => s.gap_references.map(|n| format!("--gap-references {n}")),
            Setting::StabilityResamples => s
                .stability_resamples
                .map(|n| format!("--stability-resamples {n}")),
            Setting::MaxMissing => s.max_missing.map(|m| format!("--max-missing {m}")),
            Setting::SkewThreshold => s.skew_threshold.map(|x| format!("--skew-threshold {x}")),
            Setting::IndicatorWeight => s
                .indicator_weight
                .map(|x| format!("--indicator-weight {x}")),
            Setting::Stage => None,
        }
    }
}

/// A command-line error as one line for `custseg: error: ...`, or `None`
/// for `--help` and `--version`, which clap prints as usual.
pub fn clap_error_line(e: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    let text = e.to_string();
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments");
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let tip = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("tip:"))
        .map(|t| format!("; {}", t.trim()))
        .unwrap_or_default();
    Some(format!(
        "{}{tip} (custseg --help lists the options)",
        crate::pipeline::excerpt::excerpt(first, 300)
    ))
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
    fn log_policy_flags_fill_the_config() {
        let cli = parse(&[
            "--no-tui",
            "x.csv",
            "--returns",
            "exclude",
            "--monetary",
            "outflow",
            "--signed-amounts",
            "flows",
            "--inflow-values",
            "PRIJEM",
            "--outflow-values",
            "VYDAJ,VYBER",
        ]);
        let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
        let a = &cfg.aggregate;
        assert_eq!(a.returns, ReturnsPolicy::Exclude);
        assert_eq!(a.monetary, MonetaryBasis::Outflow);
        assert_eq!(a.signed_amounts, SignedAmounts::Flows);
        assert_eq!(a.direction_words.inflow, ["PRIJEM"]);
        assert_eq!(a.direction_words.outflow, ["VYDAJ", "VYBER"]);
        // They survive run.toml.
        let again =
            crate::config::RunConfig::from_toml_str(&cfg.to_toml_string().unwrap(), "t").unwrap();
        assert_eq!(again.aggregate, cfg.aggregate);
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
    fn feature_and_cluster_flags_fill_the_config() {
        let cli = parse(&[
            "--no-tui",
            "x.csv",
            "--features",
            "generic",
            "--select",
            "AccountBalance",
            "--select",
            "TxnCount12M",
            "--select",
            "AccountBalance",
            "--one-hot",
            "--winsorize",
            "1,99",
            "--skew-threshold",
            "0.5",
            "--transform-feature",
            "AccountBalance=log",
            "--transform-feature",
            "Gender=F=none",
            "--silhouette-sample",
            "500",
            "--max-iter",
            "50",
            "--tol",
            "0",
        ]);
        let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
        assert_eq!(cfg.features.mode, FeatureMode::Generic);
        assert_eq!(cfg.features.select, ["AccountBalance", "TxnCount12M"]);
        assert!(cfg.features.one_hot);
        assert_eq!(
            cfg.features.winsorize,
            Some(Winsorize {
                lower: 0.01,
                upper: 0.99
            })
        );
        assert_eq!(cfg.features.skew_threshold, 0.5);
        assert_eq!(
            cfg.features.transform_overrides,
            [
                ("AccountBalance".to_string(), Transform::Log1p),
                ("Gender=F".to_string(), Transform::None)
            ]
            .into()
        );
        assert_eq!(cfg.cluster.silhouette_sample, 500);
        assert_eq!(cfg.cluster.max_iter, 50);
        assert_eq!(cfg.cluster.tol, 0.0);

        // Without the flags the defaults stay.
        let cfg = parse(&["--no-tui", "x.csv"]).run.to_config(None).unwrap();
        assert_eq!(cfg, RunConfig::default());
    }

    #[test]
    fn winsorize_takes_percents_or_fractions_and_off() {
        let w = |s: &str| parse_winsorize(s).map(|w| w.0);
        let p = |lower, upper| Ok(Some(Winsorize { lower, upper }));
        assert_eq!(w("1,99"), p(0.01, 0.99));
        assert_eq!(w("0.01,0.99"), p(0.01, 0.99));
        assert_eq!(w(" 0.5 , 99.5 "), p(0.005, 0.995));
        assert_eq!(w("0,100"), p(0.0, 1.0));
        assert_eq!(w("5,100"), p(0.05, 1.0));
        assert_eq!(w("off"), Ok(None));
        for (bad, why) in [
            ("99,1", "below the upper"),
            ("-1,99", "at least 0"),
            ("1,150", "up to 100"),
            ("0.01,1", "ambiguous"),
            ("1", "LO,HI"),
            ("a,99", "'a' is not a number"),
            ("1,inf", "'inf' is not a number"),
        ] {
            let e = w(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn winsorize_off_overrides_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("run.toml");
        std::fs::write(
            &toml,
            "[features]\nwinsorize = { lower = 0.05, upper = 0.95 }\nselect = [\"A\", \"B\"]\n",
        )
        .unwrap();
        let toml = toml.to_str().unwrap();
        let cfg = parse(&["--no-tui", "--config", toml])
            .run
            .to_config(None)
            .unwrap();
        assert_eq!(cfg.features.select, ["A", "B"]);
        assert!(cfg.features.winsorize.is_some());
        let cfg = parse(&[
            "--no-tui",
            "--config",
            toml,
            "--winsorize",
            "off",
            "--select",
            "C",
        ])
        .run
        .to_config(None)
        .unwrap();
        assert_eq!(cfg.features.winsorize, None);
        assert_eq!(
            cfg.features.select,
            ["C"],
            "--select replaces the file's list"
        );
    }

    #[test]
    fn bad_feature_and_cluster_flags_are_usage_errors() {
        for args in [
            ["--winsorize", "-1,99"],
            ["--winsorize", "99,1"],
            ["--winsorize", "0.5,1"],
            ["--transform-feature", "Balance"],
            ["--transform-feature", "Balance=sqrt"],
            ["--transform-feature", "=log"],
            ["--max-iter", "many"],
        ] {
            let e = Cli::try_parse_from(["custseg", "--no-tui", "x.csv", args[0], args[1]])
                .unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}");
            assert!(e.to_string().contains(args[0]), "{args:?}: {e}");
        }
        for (args, needle) in [
            (["--max-iter", "0"], "at least 1 iteration"),
            (["--tol", "-1"], ">= 0"),
            (["--tol", "NaN"], ">= 0"),
            (["--tol", "inf"], "finite"),
            (["--silhouette-sample", "1"], "at least 2 rows"),
            (["--skew-threshold", "-0.5"], ">= 0"),
        ] {
            let cli = parse(&["--no-tui", "x.csv", args[0], args[1]]);
            let e = cli.run.to_config(cli.file.as_ref()).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}");
            let msg = e.to_string();
            assert!(
                msg.starts_with(args[0]) && msg.contains(needle),
                "{args:?}: {msg}"
            );
        }
    }

    #[test]
    fn multi_character_delimiter_is_rejected() {
        assert!(Cli::try_parse_from(["custseg", "x.csv", "--delimiter", ";;"]).is_err());
    }
}
