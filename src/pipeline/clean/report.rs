//! What Clean tells: what it did to each column, the duplicate ids, the
//! as-of date and the warnings; and the plain-text rendering of it.

use super::{AsOfSource, DuplicatePolicy, Imputation, IsoDate};
use crate::pipeline::mapping::{ColumnUse, Role};
use crate::pipeline::table::ColumnType;
use crate::remedy::{Notice, Remedy};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnAction {
    /// Kept; nothing was missing.
    Kept,
    /// Kept; missing cells were filled.
    Imputed,
    Dropped,
    /// The mapping says "ignore": passed through unchanged, not cleaned.
    Ignored,
    /// The customer-id column: checked for duplicates, never imputed or dropped.
    Identifier,
}

/// What Clean did to one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnReport {
    pub name: String,
    pub ctype: ColumnType,
    pub role: Option<Role>,
    pub usage: ColumnUse,
    /// Missing cells as received (after duplicate rows were removed); includes
    /// `unparsed_at_load`.
    pub missing_in: usize,
    /// Cells present in the file that did not fit the column's type at load.
    pub unparsed_at_load: usize,
    /// "line 5: 'abc'".
    pub unparsed_examples: Vec<String>,
    /// Values that broke `validity` and became missing.
    pub invalid: usize,
    pub validity: String,
    /// "line 7: -3".
    pub invalid_examples: Vec<String>,
    /// Missing after invalid values became missing: what the drop rule and
    /// the imputation see.
    pub missing_before: usize,
    /// `missing_before / rows`.
    pub missing_share: f64,
    /// Missing cells left in the output (0 unless ignored or the id).
    pub missing_after: usize,
    pub imputation: Option<Imputation>,
    pub action: ColumnAction,
    /// Why dropped or ignored, or other notes; empty when there is nothing to say.
    pub reason: String,
    /// Which rule dropped it (`None` unless dropped).
    #[serde(skip)]
    pub drop_cause: Option<DropCause>,
    /// The option that would keep it, worded by each face.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
}

impl ColumnReport {
    /// The reason as the command line (and the report) words it.
    pub fn cli_reason(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{}; {}", self.reason, r.cli_phrase()),
            None => self.reason.clone(),
        }
    }
}

/// The rule that dropped a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    /// Its missing share is above the limit.
    TooManyMissing,
    /// Every value is missing.
    AllMissing,
    /// Every present value is the same.
    Constant,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DuplicateReport {
    pub id_column: Option<String>,
    pub policy: Option<DuplicatePolicy>,
    /// Ids that appear on more than one row.
    pub duplicated_ids: usize,
    /// Rows removed by the policy.
    pub rows_removed: usize,
    /// "'C17' on lines 4, 9".
    pub examples: Vec<String>,
    /// Rows with an empty id (kept).
    pub missing_ids: usize,
}

/// Everything Clean did; nothing is silent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CleanReport {
    pub rows_in: usize,
    pub rows_out: usize,
    pub as_of: Option<IsoDate>,
    /// Where the as-of date came from, in words ([`AsOfSource::describe`]).
    pub as_of_source: String,
    /// Where the as-of date came from, typed: each face words it and the
    /// option that chooses another date.
    #[serde(default)]
    pub as_of_from: AsOfSource,
    pub max_missing: f64,
    pub duplicates: DuplicateReport,
    pub columns: Vec<ColumnReport>,
    /// Things the user must look at (dropped mapped columns, unparsed dates...).
    pub warnings: Vec<Notice>,
    /// How the numbers were counted.
    pub notes: Vec<String>,
}

impl CleanReport {
    pub fn dropped(&self) -> impl Iterator<Item = &ColumnReport> {
        self.columns
            .iter()
            .filter(|c| c.action == ColumnAction::Dropped)
    }

    pub fn column(&self, name: &str) -> Option<&ColumnReport> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Where the as-of date came from, as the command line and the report
    /// word it: with the flag that chooses another when custseg chose it.
    pub fn cli_as_of_source(&self) -> String {
        match self.as_of_from.remedy() {
            Some(r) => format!("{}; {}", self.as_of_source, r.cli_phrase()),
            None => self.as_of_source.clone(),
        }
    }

    /// Plain-text rendering for headless output and the Markdown report.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Clean: {} rows in, {} rows out; as-of {} ({})",
            self.rows_in,
            self.rows_out,
            self.as_of.map_or("none".to_string(), |d| d.to_string()),
            self.cli_as_of_source()
        );
        let d = &self.duplicates;
        if let Some(id) = &d.id_column {
            if d.duplicated_ids > 0 {
                let _ = writeln!(
                    s,
                    "  duplicate ids in '{id}': {} ids, {} rows removed ({}); e.g. {}",
                    d.duplicated_ids,
                    d.rows_removed,
                    d.policy.map_or("", |p| p.name()),
                    d.examples.join("; ")
                );
            } else {
                let _ = writeln!(s, "  no duplicate ids in '{id}'");
            }
            if d.missing_ids > 0 {
                let _ = writeln!(s, "  {} rows have no customer id (kept)", d.missing_ids);
            }
        }
        for c in &self.columns {
            let mut line = format!(
                "  {:<24} {:<6} missing {:>6.1}% ({} in",
                c.name,
                c.ctype.name(),
                c.missing_share * 100.0,
                c.missing_in
            );
            if c.unparsed_at_load > 0 {
                let _ = write!(line, ", {} unparsed at load", c.unparsed_at_load);
            }
            if c.invalid > 0 {
                let _ = write!(line, ", +{} invalid", c.invalid);
            }
            let _ = write!(line, ", {} after)", c.missing_after);
            let what = match c.action {
                ColumnAction::Kept => "kept".to_string(),
                ColumnAction::Imputed => format!(
                    "imputed with {}",
                    c.imputation
                        .as_ref()
                        .map_or(String::new(), |i| i.to_string())
                ),
                ColumnAction::Dropped => "DROPPED".to_string(),
                ColumnAction::Ignored => "ignored".to_string(),
                ColumnAction::Identifier => "customer id".to_string(),
            };
            let _ = write!(line, " -> {what}");
            if !c.reason.is_empty() {
                let _ = write!(line, ": {}", c.cli_reason());
            }
            let _ = writeln!(s, "{line}");
            if !c.invalid_examples.is_empty() {
                let _ = writeln!(
                    s,
                    "      invalid (must be {}): {}",
                    c.validity,
                    c.invalid_examples.join(", ")
                );
            }
            if !c.unparsed_examples.is_empty() {
                let _ = writeln!(s, "      unparsed: {}", c.unparsed_examples.join(", "));
            }
        }
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {}", w.cli_line());
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        s
    }
}
