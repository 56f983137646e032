//! The Export screen's scoring rows, under the files: the model as one SQL
//! statement for an engine (←/→ picks it from the twelve `custseg sql`
//! writes for, Space checks or unchecks it) and as a PMML document. Both
//! are off unless the run's options ask for them (`--sql-dialect`,
//! `--pmml`, or a replayed run.toml). Then the results as an Excel
//! workbook and as Parquet (Space checks them; `--formats` on the command
//! line), beside the CSV results row above.

use crate::pipeline::export::formats::{CsvBom, ResultFormat};
use crate::pipeline::export::scoring::{ExportOptions, PMML_FILE, sql_file_name};
use crate::pipeline::score_sql::Dialect;

/// The two rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoringRow {
    Sql,
    Pmml,
    /// segmentation_results.xlsx
    Xlsx,
    /// segmentation_results.parquet
    Parquet,
}

impl ScoringRow {
    pub const ALL: [ScoringRow; 4] = [
        ScoringRow::Sql,
        ScoringRow::Pmml,
        ScoringRow::Xlsx,
        ScoringRow::Parquet,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoringChoice {
    /// The engines checked: one, unless the run's options named several.
    pub sql: Vec<Dialect>,
    /// The engine the SQL row offers (an index into [`Dialect::ALL`]).
    pub engine: usize,
    pub pmml: bool,
    pub xlsx: bool,
    pub parquet: bool,
    /// Kept as the run's options say (flags or run.toml).
    csv_bom: CsvBom,
    results_actions: bool,
}

impl Default for ScoringChoice {
    fn default() -> Self {
        ScoringChoice::from_options(&ExportOptions::default())
    }
}

impl ScoringChoice {
    /// The choice the run's options make.
    pub fn from_options(o: &ExportOptions) -> Self {
        let sql = o.dialects();
        let engine = sql
            .first()
            .and_then(|d| Dialect::ALL.iter().position(|a| a == d))
            .unwrap_or(0);
        let formats = o.result_formats();
        ScoringChoice {
            sql,
            engine,
            pmml: o.pmml,
            xlsx: formats.contains(&ResultFormat::Xlsx),
            parquet: formats.contains(&ResultFormat::Parquet),
            csv_bom: o.csv_bom,
            results_actions: o.results_actions,
        }
    }

    fn engine(&self) -> Dialect {
        Dialect::ALL[self.engine % Dialect::ALL.len()]
    }

    /// Space: check or uncheck the row.
    pub fn toggle(&mut self, row: ScoringRow) {
        match row {
            ScoringRow::Sql if self.sql.is_empty() => self.sql = vec![self.engine()],
            ScoringRow::Sql => self.sql.clear(),
            ScoringRow::Pmml => self.pmml = !self.pmml,
            ScoringRow::Xlsx => self.xlsx = !self.xlsx,
            ScoringRow::Parquet => self.parquet = !self.parquet,
        }
    }

    /// ←/→: the SQL row moves to the previous or next engine and checks it
    /// (picking an engine is asking for its SQL); the PMML row toggles.
    pub fn step(&mut self, row: ScoringRow, step: isize) {
        match row {
            ScoringRow::Sql => {
                let n = Dialect::ALL.len() as isize;
                self.engine = (self.engine as isize + step).rem_euclid(n) as usize;
                self.sql = vec![self.engine()];
            }
            other => self.toggle(other),
        }
    }

    /// The export options of this choice, with the table named for the run.
    pub fn options(&self, sql_table: Option<String>) -> ExportOptions {
        // The CSV results are the file row above; these add formats.
        let mut formats = vec![ResultFormat::Csv];
        formats.extend(self.xlsx.then_some(ResultFormat::Xlsx));
        formats.extend(self.parquet.then_some(ResultFormat::Parquet));
        ExportOptions {
            formats,
            csv_bom: self.csv_bom,
            results_actions: self.results_actions,
            sql_dialects: self.sql.clone(),
            // A table name without SQL would be refused: it reads nothing.
            sql_table: sql_table.filter(|_| !self.sql.is_empty()),
            pmml: self.pmml,
        }
    }

    /// The row as a file row: checked, the file name, what it is.
    pub fn row(&self, row: ScoringRow, left_right: &str) -> (bool, String, String) {
        match row {
            ScoringRow::Sql => match self.sql.as_slice() {
                [] => (
                    false,
                    sql_file_name(self.engine()),
                    format!("{left_right} engine: the model as one SQL query"),
                ),
                [one] => (
                    true,
                    sql_file_name(*one),
                    format!("{left_right} engine: the model as one SQL query"),
                ),
                many => (
                    true,
                    "scoring_*.sql".into(),
                    format!(
                        "for {}; {left_right} one engine",
                        many.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
                    ),
                ),
            },
            ScoringRow::Pmml => (
                self.pmml,
                PMML_FILE.into(),
                "the model for PMML tools (PMML 4.4)".into(),
            ),
            ScoringRow::Xlsx => (
                self.xlsx,
                ResultFormat::Xlsx.file_name().into(),
                "the results as an Excel workbook (+ summary, K table)".into(),
            ),
            ScoringRow::Parquet => (
                self.parquet,
                ResultFormat::Parquet.file_name().into(),
                "the results as typed Parquet".into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_and_arrows_choose_one_engine_and_the_options_follow() {
        let mut c = ScoringChoice::default();
        assert_eq!(c.options(None), ExportOptions::default(), "off by default");
        c.toggle(ScoringRow::Sql);
        assert_eq!(c.sql, [Dialect::ALL[0]]);
        c.step(ScoringRow::Sql, -1);
        assert_eq!(c.sql, [Dialect::Mysql], "wraps to the last engine");
        c.step(ScoringRow::Sql, 2);
        assert_eq!(c.sql, [Dialect::Sqlite]);
        c.toggle(ScoringRow::Pmml);
        let o = c.options(Some("dw.t".into()));
        assert_eq!(o.sql_dialects, [Dialect::Sqlite]);
        assert_eq!(o.sql_table.as_deref(), Some("dw.t"));
        assert!(o.pmml);
        c.toggle(ScoringRow::Sql);
        assert_eq!(c.options(Some("dw.t".into())).sql_table, None);
        assert_eq!(c.row(ScoringRow::Sql, "<>").1, "scoring_sqlite.sql");
    }

    #[test]
    fn several_engines_from_the_options_are_kept_until_one_is_picked() {
        let o = ExportOptions {
            sql_dialects: vec![Dialect::Oracle, Dialect::Spark],
            sql_table: None,
            pmml: true,
            ..ExportOptions::default()
        };
        let mut c = ScoringChoice::from_options(&o);
        assert_eq!(c.options(None), o);
        let (on, name, what) = c.row(ScoringRow::Sql, "<>");
        assert!(on && name == "scoring_*.sql" && what.contains("oracle, spark"));
        c.step(ScoringRow::Sql, 1);
        assert_eq!(c.sql, [Dialect::Sqlserver], "the engine after oracle");
    }
}
