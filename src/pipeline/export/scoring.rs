//! Scoring where the data lives, written with the run: `scoring_<dialect>.sql`
//! (what `custseg sql` writes, for each engine asked for) and `model.pmml`
//! (what `custseg pmml` writes), staged in the same output set as every
//! other file.
//!
//! Both are made from the model exactly as saved: `model.json`'s text read
//! back the way the commands read it, so the PMML is byte for byte the
//! command's and the statement under the export's header is the command's.
//!
//! The statement's as-of date follows the run: a date the run was given is
//! fixed in it; otherwise it takes the latest activity date of the table it
//! reads, as the run took its own from its data (and as `custseg score`
//! does), so on the training table it gives every customer the run's
//! segment. Its table is the input file's name made an identifier, unless
//! one is named.

use super::MODEL_JSON;
use super::formats::{CsvBom, ResultFormat};
use super::outset::OutputSet;
use crate::config::RunConfig;
use crate::error::Result;
use crate::pipeline::clean::IsoDate;
use crate::pipeline::model::Model;
use crate::pipeline::pmml::{PmmlRequest, pmml_document};
use crate::pipeline::progress::Progress;
use crate::pipeline::run::RunOutput;
use crate::pipeline::score_sql::{AsOfSpec, Dialect, SqlRequest, scoring_sql};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// The PMML document's file name.
pub const PMML_FILE: &str = "model.pmml";
/// The table name used when the input's name gives none.
const FALLBACK_TABLE: &str = "customers";

/// The export's choices beyond the standard files: the results formats,
/// CSV's byte-order mark, the action column, scoring SQL per engine and the
/// PMML document. Saved in run.toml, so a replay writes the same files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportOptions {
    /// The formats of the per-customer results (csv, xlsx, parquet).
    pub formats: Vec<ResultFormat>,
    /// A UTF-8 byte-order mark on CSV outputs: auto (when they hold
    /// non-ASCII text), always or never.
    pub csv_bom: CsvBom,
    /// Repeat each segment's action on every customer's row of the results
    /// (it is always in the segment summary).
    pub results_actions: bool,
    /// Write `scoring_<dialect>.sql` for each of these engines.
    pub sql_dialects: Vec<Dialect>,
    /// The table the statements read (`schema.table` allowed); default: the
    /// input file's name as an identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_table: Option<String>,
    /// Write `model.pmml`.
    pub pmml: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            formats: vec![ResultFormat::Csv],
            csv_bom: CsvBom::default(),
            results_actions: false,
            sql_dialects: Vec::new(),
            sql_table: None,
            pmml: false,
        }
    }
}

impl ExportOptions {
    /// The results formats, each once, in the order given.
    pub fn result_formats(&self) -> Vec<ResultFormat> {
        let mut out: Vec<ResultFormat> = Vec::new();
        for f in &self.formats {
            if !out.contains(f) {
                out.push(*f);
            }
        }
        out
    }

    /// Why the formats cannot be used (`None`: they can).
    pub fn formats_problem(&self) -> Option<String> {
        self.formats
            .is_empty()
            .then(|| "no results format is chosen (use csv, xlsx or parquet)".to_string())
    }

    pub fn any(&self) -> bool {
        !self.sql_dialects.is_empty() || self.pmml
    }

    /// The engines, each once, in the order given.
    pub fn dialects(&self) -> Vec<Dialect> {
        let mut out: Vec<Dialect> = Vec::new();
        for d in &self.sql_dialects {
            if !out.contains(d) {
                out.push(*d);
            }
        }
        out
    }

    /// Why the table name cannot be used (`None`: it can). A name without
    /// an engine is refused too: no statement would read it.
    pub fn table_problem(&self) -> Option<String> {
        let t = self.sql_table.as_deref()?;
        Some(if t.trim().is_empty() {
            "the table name is empty".into()
        } else if t.chars().any(char::is_control) {
            "the table name holds a control character".into()
        } else if t.trim() != t {
            "the table name starts or ends with a space".into()
        } else if t.split('.').any(|p| p.trim().is_empty()) {
            "the table name has an empty part (write table or schema.table)".into()
        } else if t.split('.').count() > 3 {
            "the table name has more than three parts (at most catalog.schema.table)".into()
        } else if self.sql_dialects.is_empty() {
            "no scoring SQL is written (no SQL dialect is chosen), so no statement reads this table"
                .into()
        } else {
            return None;
        })
    }
}

/// The file name of the statement for `d`.
pub fn sql_file_name(d: Dialect) -> String {
    format!("scoring_{}.sql", d.name())
}

/// Every name this module can write (for folders whose manifest is gone).
pub fn output_names() -> impl Iterator<Item = String> {
    Dialect::ALL
        .into_iter()
        .map(sql_file_name)
        .chain(std::iter::once(PMML_FILE.to_string()))
}

/// Where the statement's table name came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableName {
    /// Named in the options.
    Given,
    /// The input file's name (given here), made an identifier.
    FromInput(String),
    /// No input name to go by.
    Fallback,
}

/// One statement the export writes.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlFile {
    pub dialect: Dialect,
    pub file: String,
    pub table: String,
    pub table_name: TableName,
    pub as_of: AsOfSpec,
}

impl SqlFile {
    pub fn request(&self) -> SqlRequest {
        SqlRequest {
            dialect: self.dialect,
            table: self.table.clone(),
            as_of: self.as_of.clone(),
            row_order: None,
        }
    }
}

/// The statements `cfg` asks for, with their tables and as-of dates.
pub fn sql_files(cfg: &RunConfig) -> Vec<SqlFile> {
    let as_of = cfg.clean.as_of.map_or(AsOfSpec::Latest, AsOfSpec::Date);
    cfg.export
        .dialects()
        .into_iter()
        .map(|d| {
            let (table, table_name) = match &cfg.export.sql_table {
                Some(t) => (t.clone(), TableName::Given),
                None => default_table(cfg.input.as_deref(), d),
            };
            SqlFile {
                dialect: d,
                file: sql_file_name(d),
                table,
                table_name,
                as_of: as_of.clone(),
            }
        })
        .collect()
}

/// The input file's name as a table name an engine creates from an
/// unquoted identifier: letters, digits and `_` (other characters become
/// `_`), not starting with a digit; upper case for the engines that fold
/// unquoted names to upper case (Oracle, Snowflake), lower case elsewhere.
pub fn default_table(input: Option<&Path>, d: Dialect) -> (String, TableName) {
    let Some(stem) = input.and_then(Path::file_stem) else {
        return (FALLBACK_TABLE.into(), TableName::Fallback);
    };
    let mut name = String::new();
    for c in stem.to_string_lossy().chars() {
        let c = if c.is_alphanumeric() { c } else { '_' };
        if !(c == '_' && (name.is_empty() || name.ends_with('_'))) {
            name.push(c);
        }
    }
    let name = name.trim_end_matches('_');
    if name.is_empty() {
        return (FALLBACK_TABLE.into(), TableName::Fallback);
    }
    let mut name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("t_{name}")
    } else {
        name.to_string()
    };
    if matches!(d, Dialect::Oracle | Dialect::Snowflake) {
        name.make_ascii_uppercase();
    } else {
        name.make_ascii_lowercase();
    }
    let file = input
        .and_then(Path::file_name)
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    (name, TableName::FromInput(file))
}

/// The model as `model.json` holds it, read back as `custseg sql` and
/// `custseg pmml` read it.
fn saved_model(run: &RunOutput, cfg: &RunConfig) -> Result<Model> {
    let json = Model::from_run(run, cfg)?.to_json()?;
    Model::from_json(&json, MODEL_JSON)
}

/// Stages the statements and the PMML document `cfg.export` asks for.
/// `model_in_set`: model.json is written with them (their headers point
/// at it).
pub fn write_scoring(
    set: &mut OutputSet,
    run: &RunOutput,
    cfg: &RunConfig,
    model_in_set: bool,
    progress: &dyn Progress,
) -> Result<()> {
    if !cfg.export.any() {
        return Ok(());
    }
    let model = saved_model(run, cfg)?;
    let dir = std::fs::canonicalize(set.dir()).unwrap_or_else(|_| set.dir().to_path_buf());
    let model_path = dir.join(MODEL_JSON);
    let as_of_taken = run.cleaned.as_of.date;
    for f in sql_files(cfg) {
        progress.report(0.96, &format!("writing {}", f.file));
        let statement = scoring_sql(&model, &f.request())
            .map_err(|e| crate::error::Error::usage(format!("{}: {e}", f.file)))?;
        let mut text = sql_header(&f, &model_path, model_in_set, as_of_taken);
        text.push_str(&statement);
        set.write_bytes(&f.file, text.as_bytes())?;
    }
    if cfg.export.pmml {
        progress.report(0.98, &format!("writing {PMML_FILE}"));
        let doc = pmml_document(&model, &PmmlRequest::default())?;
        set.write_bytes(PMML_FILE, doc.xml.as_bytes())?;
    }
    Ok(())
}

/// Comment lines on one line each (a path or name cannot end the comment).
fn comment(s: &mut String, line: &str) {
    let _ = writeln!(s, "-- {}", line.replace(['\n', '\r'], " "));
}

/// What the statement reads and against which date, and the command that
/// writes it again (for another table or date too).
fn sql_header(f: &SqlFile, model: &Path, model_in_set: bool, taken: Option<IsoDate>) -> String {
    let mut s = String::new();
    comment(
        &mut s,
        &format!(
            "{}: this run's model as one {} statement, written with the run.",
            f.file,
            f.dialect.name()
        ),
    );
    comment(&mut s, &format!("Table: {}.", table_words(f)));
    comment(
        &mut s,
        &format!("As-of date: {}.", as_of_words(&f.as_of, taken)),
    );
    let again = crate::commands::sql(model, f.dialect, &f.table, &f.as_of);
    comment(&mut s, &format!("Regenerate: {again}"));
    if !model_in_set {
        comment(
            &mut s,
            "(model.json was not written with this set: export it too to regenerate.)",
        );
    }
    comment(
        &mut s,
        &format!("Another table or date: {}.", crate::commands::SQL_ELSEWHERE),
    );
    s
}

/// `"customers_en" (named after the input file customers_en.csv)`.
pub fn table_words(f: &SqlFile) -> String {
    let quoted = f.dialect.table(&f.table);
    match &f.table_name {
        TableName::Given => format!("{quoted} (as named for the export)"),
        TableName::FromInput(file) => format!("{quoted} (named after the input file {file})"),
        TableName::Fallback => format!("{quoted} (the input's name gave none)"),
    }
}

/// The as-of date of a statement, and what the run did.
pub fn as_of_words(as_of: &AsOfSpec, taken: Option<IsoDate>) -> String {
    match (as_of, taken) {
        (AsOfSpec::Date(d), _) => format!("{d}, fixed, as the run was given it"),
        (AsOfSpec::Sql(expr), _) => format!("{expr}, as given"),
        (AsOfSpec::Latest, Some(d)) => format!(
            "the latest activity date in the table when the statement runs, as the run took {d} from its data"
        ),
        (AsOfSpec::Latest, None) => {
            "the latest activity date in the table when the statement runs (the run's data held none)"
                .into()
        }
    }
}

/// A command as Markdown code (literal inside), or escaped text when a
/// backtick in a name would end the code span.
fn code(command: &str) -> String {
    let line = command.replace(['\n', '\r'], " ");
    if line.contains('`') {
        super::report::cell(&line)
    } else {
        format!("`{line}`")
    }
}

/// The report's section on these files (nothing when none is written).
pub fn report_md(md: &mut String, run: &RunOutput, cfg: &RunConfig) {
    if !cfg.export.any() {
        return;
    }
    let cell = super::report::cell;
    if !md.ends_with("\n\n") {
        md.push('\n');
    }
    let _ = writeln!(md, "## Scoring in the warehouse\n");
    let model = Path::new(MODEL_JSON);
    for f in sql_files(cfg) {
        let _ = writeln!(
            md,
            "- `{}`: this model as one {} statement that reads table {}; as-of date: {}. \
             It is what {} writes; change the table or the date there.",
            f.file,
            f.dialect.name(),
            cell(&table_words(&f)),
            as_of_words(&f.as_of, run.cleaned.as_of.date),
            code(&crate::commands::sql(model, f.dialect, &f.table, &f.as_of)),
        );
    }
    if cfg.export.pmml {
        let reads = if run.prepared.aggregated.is_some() {
            "the per-customer table the log aggregates to (PMML scores one row at a time)"
        } else {
            "the customer table's columns"
        };
        let _ = writeln!(
            md,
            "- `{PMML_FILE}`: this model as a PMML 4.4 ClusteringModel with its cleaning and \
             features, the as-of date fixed inside; it reads {reads}. It is what {} writes.",
            code(&crate::commands::pmml(model, Path::new(PMML_FILE)))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(input: &str, d: Dialect) -> String {
        default_table(Some(Path::new(input)), d).0
    }

    #[test]
    fn the_default_table_is_the_input_name_as_an_engine_names_it() {
        assert_eq!(
            table("/x/customers_en.csv", Dialect::Postgres),
            "customers_en"
        );
        assert_eq!(
            table("Customers EN (v2).csv", Dialect::Sqlite),
            "customers_en_v2"
        );
        assert_eq!(
            table("2024-Q3.export.csv", Dialect::Duckdb),
            "t_2024_q3_export"
        );
        assert_eq!(table("customers_en.csv", Dialect::Oracle), "CUSTOMERS_EN");
        assert_eq!(
            table("customers_en.csv", Dialect::Snowflake),
            "CUSTOMERS_EN"
        );
        assert_eq!(table("客户 数据.xlsx", Dialect::Spark), "客户_数据");
        assert_eq!(table("---.csv", Dialect::Mysql), "customers");
        assert_eq!(default_table(None, Dialect::Hive).1, TableName::Fallback);
        assert_eq!(
            default_table(Some(Path::new("a/b.csv")), Dialect::Hive).1,
            TableName::FromInput("b.csv".into())
        );
    }

    #[test]
    fn table_names_are_checked() {
        let with = |t: &str, dialects: Vec<Dialect>| {
            ExportOptions {
                sql_dialects: dialects,
                sql_table: Some(t.into()),
                pmml: false,
                ..ExportOptions::default()
            }
            .table_problem()
        };
        let pg = || vec![Dialect::Postgres];
        assert_eq!(with("dw.customers", pg()), None);
        assert_eq!(with("客户 表", pg()), None);
        for bad in ["", "  ", "dw..t", ".t", "t.", "a.b.c.d", " t", "t\n"] {
            assert!(with(bad, pg()).is_some(), "{bad:?}");
        }
        assert!(with("t", vec![]).unwrap().contains("no SQL dialect"));
    }

    #[test]
    fn each_dialect_is_written_once_in_the_order_given() {
        let o = ExportOptions {
            sql_dialects: vec![Dialect::Sqlite, Dialect::Postgres, Dialect::Sqlite],
            ..ExportOptions::default()
        };
        assert_eq!(o.dialects(), [Dialect::Sqlite, Dialect::Postgres]);
        assert!(output_names().any(|n| n == "scoring_sqlserver.sql"));
    }
}
