//! Command-line shape (clap). Flags fill a [`RunConfig`]; a `--config` file
//! is read first and flags given on the command line win over it.
//!
//! This file declares the command line; `cli/` holds the rest: the value
//! parsers of flags ([`values`]), the run configuration built from the
//! flags ([`to_config`]) and an error as one line ([`errors`]).

mod errors;
#[cfg(test)]
mod tests;
mod to_config;
mod values;

pub use errors::{clap_error_line, error_line};
pub use values::WinsorizeArg;

use crate::pipeline::aggregate::InputKind;
use crate::pipeline::clean::{DuplicatePolicy, IsoDate};
use crate::pipeline::features::{FeatureMode, Transform, TransformMode};
use crate::pipeline::hygiene::FlagUse;
use crate::pipeline::load::DateOrder;
use crate::pipeline::profile::LabelScheme;
use crate::pipeline::txn_meaning::{MonetaryBasis, ReturnsPolicy, SignedAmounts};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use values::{
    parse_delimiter, parse_k_range, parse_on_off, parse_transform_feature, parse_winsorize,
};

#[derive(Debug, Parser)]
#[command(
    name = "custseg",
    version,
    about = "Bank customer segmentation in the terminal: load, map, clean, featurise, cluster, inspect, export.",
    long_about = "Bank customer segmentation in the terminal.\n\n\
        custseg [FILE]                                keyboard-driven TUI\n\
        custseg --no-tui FILE --out DIR               the whole pipeline, headless\n\
        \x20 (--sql-dialect D,... --pmml: also scoring_<D>.sql and model.pmml)\n\
        custseg score --model M FILE --out F          score new customers with a saved model\n\
        custseg sql --model M --dialect D --table T   the same scoring as one SQL statement\n\
        custseg pmml --model M --out F                the model as a PMML 4.4 document\n\
        custseg compare OLD NEW --out DIR             who moved between the segments of two runs\n\
        custseg sample --rows N --out FILE            write synthetic customers (--bundled: the built-in sample)\n\
        custseg completions bash|zsh|fish             shell completions; custseg man: the man page",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Customer file: delimited text (CSV/TSV/TXT, plain or .gz/.zst), a workbook (xlsx, xlsm, xlsb, xls, ods) or Parquet/Arrow; without one the TUI offers a sample.
    pub file: Option<PathBuf>,

    /// Run the whole pipeline without the TUI (for batch jobs and scripts).
    #[arg(long)]
    pub no_tui: bool,

    #[command(flatten)]
    pub run: RunArgs,

    /// Draw with ASCII only (the TUI's borders, bars and chart markers; the headless summary's symbols and elbow curve); automatic when the locale is not UTF-8.
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
    /// Compare two runs: who moved between segments, segment size drift (PSI), feature drift.
    Compare(crate::compare_command::CompareArgs),
    /// Print the shell completion script (e.g. `custseg completions bash > /etc/bash_completion.d/custseg`).
    Completions(crate::shell_command::CompletionsArgs),
    /// Print the man page custseg.1 (roff), or write every page into a folder with --dir.
    Man(crate::shell_command::ManArgs),
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
    /// Seed of the generator: the same seed and options write the same file.
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
    /// End lines with CRLF (as Windows tools write them) instead of LF.
    #[arg(long)]
    pub crlf: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// Write the sample built into custseg byte for byte: the 3,000
    /// customers of samples/customers_en.csv, the file the TUI's F2 loads.
    #[arg(long, conflicts_with_all = ["rows", "seed", "chinese", "encoding", "delimiter", "transactions", "messy", "crlf"])]
    pub bundled: bool,
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
    /// Parquet/Arrow: read every column, not only those the run uses.
    #[arg(long)]
    pub all_columns: bool,
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
    #[command(flatten)]
    pub export: ExportArgs,
}

/// The export's extra files: scoring where the data lives.
#[derive(Debug, Args, Default)]
pub struct ExportArgs {
    /// Also write scoring_<D>.sql, the model as one SQL statement, for each
    /// engine (comma-separated or repeated): postgres, sqlite, duckdb, spark,
    /// hive, trino, oracle, sqlserver, teradata, bigquery, snowflake, mysql.
    #[arg(long = "sql-dialect", value_name = "D,...", value_delimiter = ',')]
    pub sql_dialect: Vec<crate::pipeline::score_sql::Dialect>,
    /// The table the scoring SQL reads (schema.table allowed; default: the
    /// input file's name, e.g. customers_en for customers_en.csv).
    #[arg(long, value_name = "NAME")]
    pub sql_table: Option<String>,
    /// Also write model.pmml (PMML 4.4), as `custseg pmml` does.
    #[arg(long)]
    pub pmml: bool,
    /// The formats of the per-customer results (comma-separated): csv,
    /// xlsx (a workbook with the summary and K table; at most 1,048,575
    /// customers), parquet (typed). Default: csv.
    #[arg(long, value_name = "F,...", value_delimiter = ',')]
    pub formats: Vec<crate::pipeline::export::formats::ResultFormat>,
    /// A UTF-8 byte-order mark on CSV outputs, so Excel reads Chinese text
    /// right: auto (when the file holds non-ASCII text), always, never.
    #[arg(long, value_name = "auto|always|never")]
    pub csv_bom: Option<crate::pipeline::export::formats::CsvBom>,
    /// Repeat each segment's action on every row of segmentation_results
    /// (it is always in cluster_summary.csv).
    #[arg(long)]
    pub results_actions: bool,
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
    /// A previous run's model.json: segments that continue its segments keep
    /// their numbers, labels (renamed ones too), actions and colours.
    #[arg(long, value_name = "DIR/model.json")]
    pub previous: Option<PathBuf>,
    /// Reference sets of the gap statistic, which chooses K and judges the
    /// structure (default 10; 0: off, K by the knee of the SSE curve).
    #[arg(long, value_name = "N")]
    pub gap_references: Option<usize>,
    /// Bootstrap resamples that measure each segment's stability, at most
    /// (default 50; 0: off). The check stops after 20 once every segment's
    /// 95% interval lies inside one stability band.
    #[arg(long, value_name = "N")]
    pub stability_resamples: Option<usize>,
    /// Run every --stability-resamples resample, even once every segment's
    /// stability band is settled.
    #[arg(long)]
    pub stability_every_resample: bool,
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
