//! One side of a comparison: a custseg output folder
//! (`segmentation_results.csv`, or `segmentation_results.parquet` when the
//! run wrote only that, + `model.json`), or the CSV `custseg score` wrote
//! with a model (customer_id, segment, label, action).

use crate::error::{Error, Result};
use crate::escape;
use crate::pipeline::export::formats::RESULTS_PARQUET;
use crate::pipeline::export::write::neutralise_cell;
use crate::pipeline::export::{MODEL_JSON, tables::RESULTS_CSV};
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::mapping::Role;
use crate::pipeline::model::Model;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The first four columns of both a results file and a scored file.
const KEY_COLUMNS: [&str; 3] = ["customer_id", "segment", "label"];
/// Written after the key columns when the run repeated each segment's
/// action on every row (`custseg score` always does).
const ACTION_COLUMN: &str = "action";

/// A run's customers and segments, as read.
#[derive(Debug)]
pub struct Side {
    /// The folder or file as given, for messages.
    pub shown: String,
    /// The file the customers were read from, for messages.
    pub file: String,
    /// The model that numbered the segments.
    pub model: Model,
    /// `model.json` of this side, or of the run whose model scored it.
    pub model_file: String,
    /// The customer id column named in the model.
    pub id_column: String,
    pub ids: Vec<String>,
    pub segments: Vec<u32>,
    /// Feature columns of the results file, original units (none in a
    /// scored file).
    pub feature_names: Vec<String>,
    /// n × feature_names.len(), row-major; NaN where a cell was blank.
    pub values: Vec<f64>,
}

impl Side {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Values of feature `j` of row `i`.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.feature_names.len() + j]
    }
}

/// What a path given to `compare` is.
pub enum Given {
    /// An output folder: its results file and model.
    Folder { results: PathBuf, model: PathBuf },
    /// A scored file (needs the other side's model).
    Scored(PathBuf),
}

/// Tells a folder from a scored file; a folder without results is an error.
pub fn classify(path: &Path) -> Result<Given> {
    let shown = crate::artefact::shown(path);
    let meta = std::fs::metadata(path).map_err(|e| Error::io_path("reading", path, e))?;
    if meta.is_file() {
        return Ok(Given::Scored(path.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(Error::usage(format!(
            "{shown}: not a custseg output folder or scored file"
        )));
    }
    // The CSV when the run wrote it, else the Parquet (`--formats parquet`).
    let results = [RESULTS_CSV, RESULTS_PARQUET]
        .map(|name| path.join(name))
        .into_iter()
        .find(|f| f.is_file())
        .unwrap_or_else(|| path.join(RESULTS_CSV));
    let model = path.join(MODEL_JSON);
    for (file, what) in [(&results, "the customers' segments"), (&model, "the model")] {
        if !file.is_file() {
            return Err(Error::data(format!(
                "{}: missing ({what}; {RESULTS_PARQUET} is read when the CSV is absent); give a folder written by a custseg run, or a file written by custseg score",
                crate::artefact::shown(file)
            )));
        }
    }
    Ok(Given::Folder { results, model })
}

/// Reads one side: `file` (results or scored CSV, or the results as
/// Parquet) numbered by `model`.
pub fn read_side(shown: &str, file: &Path, model: Model, model_file: &str) -> Result<Side> {
    let file_shown = crate::artefact::shown(file);
    let id_column = model
        .customer_mapping
        .column_for(Role::CustomerId)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::data(format!(
                "{model_file}: the run had no customer id column (customers were numbered by row), so its customers cannot be matched with another run's; map a customer id column and run again"
            ))
        })?;
    let side = Side {
        shown: shown.to_string(),
        file: file_shown.clone(),
        feature_names: Vec::new(),
        model,
        model_file: model_file.to_string(),
        id_column,
        ids: Vec::new(),
        segments: Vec::new(),
        values: Vec::new(),
    };
    if super::side_parquet::is_parquet(file)? {
        return super::side_parquet::read(file, side);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_path(file)
        .map_err(|e| csv_err(&file_shown, e))?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_err(&file_shown, e))?
        .iter()
        .map(str::to_string)
        .collect();
    // The CSV's labels were written neutralised (no leading = + - @).
    let mut rows = SideRows::new(side, &header, |l| neutralise_cell(l).into_owned())?;
    let mut record = csv::StringRecord::new();
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_err(&file_shown, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<&str> = record.iter().collect();
        rows.push(
            Position {
                unit: "line",
                n: line,
            },
            &cells,
        )?;
    }
    rows.finish()
}

/// A side being read row by row, each row checked: a known segment with
/// the model's label, each customer once, numbers in the feature columns.
pub(super) struct SideRows {
    pub(super) side: Side,
    labels: Vec<String>,
    first_feature: usize,
    /// Where each row is, for the check that each customer is there once
    /// (made when the file is read: see [`SideRows::finish`]).
    positions: Vec<u64>,
    unit: &'static str,
}

/// Where a row is in its file: "line 7" (CSV) or "row 6" (Parquet).
#[derive(Clone, Copy, Debug)]
pub(super) struct Position {
    pub unit: &'static str,
    pub n: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.unit, self.n)
    }
}

impl SideRows {
    /// Checks `header` (the key columns first) and sets up the reading;
    /// `label_as_written` is how the file writes a segment's label.
    pub(super) fn new(
        mut side: Side,
        header: &[String],
        label_as_written: impl Fn(&str) -> String,
    ) -> Result<Self> {
        if header.len() < 3 || header[..3] != KEY_COLUMNS {
            return Err(Error::data(format!(
                "{}: line 1: expected the columns {} (a file written by custseg), found {}",
                side.file,
                KEY_COLUMNS.join(","),
                escape::excerpt(&header.join(","), 120)
            )));
        }
        let first_feature = if header.get(3).map(String::as_str) == Some(ACTION_COLUMN) {
            4
        } else {
            3
        };
        let labels = side
            .model
            .segments
            .iter()
            .map(|s| label_as_written(&s.label))
            .collect();
        side.feature_names = header[first_feature..].to_vec();
        Ok(SideRows {
            side,
            labels,
            first_feature,
            positions: Vec::new(),
            unit: "line",
        })
    }

    /// Adds the row at `at`: id, segment, label, [action,] features.
    pub(super) fn push(&mut self, at: Position, record: &[&str]) -> Result<()> {
        let (file, model_file) = (&self.side.file, &self.side.model_file);
        let err = |what: String| Error::data(format!("{file}: {at}: {what}"));
        let id = record[0].to_string();
        let labels = &self.labels;
        let seg: u32 = record[1]
            .parse()
            .ok()
            .filter(|&s: &u32| (s as usize) < labels.len())
            .ok_or_else(|| {
                err(format!(
                    "segment '{}' is not one of the {} segments of {model_file}",
                    escape::excerpt(record[1], 20),
                    labels.len()
                ))
            })?;
        if record[2] != labels[seg as usize] {
            return Err(err(format!(
                "segment {seg} is labelled '{}' here but '{}' in {model_file}; was it written with another model?",
                escape::excerpt(record[2], 40),
                escape::excerpt(&labels[seg as usize], 40)
            )));
        }
        for (j, cell) in record.iter().skip(self.first_feature).enumerate() {
            let v = if cell.trim().is_empty() {
                f64::NAN
            } else {
                cell.trim().parse().map_err(|_| {
                    err(format!(
                        "column '{}': '{}' is not a number",
                        escape::excerpt(&self.side.feature_names[j], 40),
                        escape::excerpt(cell, 20)
                    ))
                })?
            };
            self.side.values.push(v);
        }
        self.side.ids.push(id);
        self.side.segments.push(seg);
        self.positions.push(at.n);
        self.unit = at.unit;
        Ok(())
    }

    /// The side once every row is read, checked for customers seen twice
    /// (the first repeat in file order is reported, with where the customer
    /// was first). Checked at the end so the ids are held once, borrowed by
    /// the check, not copied into a map row by row.
    pub(super) fn finish(self) -> Result<Side> {
        let mut first_seen: HashMap<&str, usize, FxBuild> = HashMap::default();
        first_seen.reserve(self.side.ids.len());
        for (i, id) in self.side.ids.iter().enumerate() {
            if let Some(first) = first_seen.insert(id.as_str(), i) {
                let at = |r: usize| Position {
                    unit: self.unit,
                    n: self.positions[r],
                };
                return Err(Error::data(format!(
                    "{}: {}: customer id '{}' appears twice (first on {}); each customer must be once in a run to be matched",
                    self.side.file,
                    at(i),
                    escape::excerpt(id, 40),
                    at(first)
                )));
            }
        }
        drop(first_seen);
        Ok(self.side)
    }
}

fn csv_err(file: &str, e: csv::Error) -> Error {
    let line = e
        .position()
        .map_or_else(String::new, |p| format!("line {}: ", p.line()));
    Error::data(format!(
        "{file}: {line}{}",
        escape::excerpt(&e.to_string(), 200)
    ))
}
