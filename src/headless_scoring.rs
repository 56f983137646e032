//! The headless summary's and `--json`'s words on the export's scoring
//! files (`--sql-dialect`, `--pmml`): which table each statement reads,
//! against which date, and the command that writes it for another.

use crate::config::RunConfig;
use crate::pipeline::clean::IsoDate;
use crate::pipeline::export::MODEL_JSON;
use crate::pipeline::export::scoring::{self, PMML_FILE, TableName};
use crate::pipeline::score_sql::AsOfSpec;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// The summary's lines after the files written (nothing when none of
/// these files was asked for). `taken`: the run's as-of date.
pub fn summary_text(cfg: &RunConfig, out: &Path, taken: Option<IsoDate>) -> String {
    if !cfg.export.any() {
        return String::new();
    }
    let mut s = String::from("\nScoring in the warehouse:\n");
    let model = out.join(MODEL_JSON);
    let files = scoring::sql_files(cfg);
    for f in &files {
        let _ = writeln!(
            s,
            "  {} reads table {}; as-of date: {}",
            f.file,
            scoring::table_words(f),
            scoring::as_of_words(&f.as_of, taken)
        );
    }
    if let Some(f) = files.first() {
        let _ = writeln!(
            s,
            "  for another table or date: {} {}",
            crate::commands::sql(&model, f.dialect, "NAME", &AsOfSpec::Latest),
            crate::commands::SQL_AS_OF_OPTIONS
        );
    }
    if cfg.export.pmml {
        let _ = writeln!(
            s,
            "  {PMML_FILE}: PMML 4.4 with the model's as-of date{} fixed inside; {} --as-of DATE moves it",
            taken.map_or_else(String::new, |d| format!(" ({d})")),
            crate::commands::pmml(&model, &out.join(PMML_FILE))
        );
    }
    s
}

/// `--json`'s `scoring` object: each statement's file, engine, table and
/// as-of date, and the PMML file (`null` when not written).
pub fn json(cfg: &RunConfig, out: &Path) -> serde_json::Value {
    let sql: Vec<serde_json::Value> = scoring::sql_files(cfg)
        .iter()
        .map(|f| {
            json!({
                "file": out.join(&f.file),
                "dialect": f.dialect.name(),
                "table": f.table,
                "table_from": match &f.table_name {
                    TableName::Given => "given",
                    TableName::FromInput(_) => "input_name",
                    TableName::Fallback => "default",
                },
                "as_of": match &f.as_of {
                    AsOfSpec::Latest => "latest_in_table".to_string(),
                    AsOfSpec::Date(d) => d.to_string(),
                    AsOfSpec::Sql(e) => e.clone(),
                },
            })
        })
        .collect();
    json!({
        "sql": sql,
        "pmml": cfg.export.pmml.then(|| out.join(PMML_FILE)),
    })
}
