//! Which files hold the per-customer results (`segmentation_results.csv`,
//! `.xlsx`, `.parquet`), whether CSV files start with a UTF-8 byte-order
//! mark, and whether the results repeat each segment's action.

use serde::{Deserialize, Serialize};

/// A file format of the results table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr)]
#[strum(
    ascii_case_insensitive,
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_format
)]
pub enum ResultFormat {
    Csv,
    Xlsx,
    Parquet,
}

fn unknown_format(s: &str) -> String {
    format!("unknown results format '{s}' (use csv, xlsx or parquet)")
}

impl ResultFormat {
    pub const ALL: [ResultFormat; 3] =
        [ResultFormat::Csv, ResultFormat::Xlsx, ResultFormat::Parquet];

    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The results file written in this format.
    pub fn file_name(self) -> &'static str {
        match self {
            ResultFormat::Csv => super::tables::RESULTS_CSV,
            ResultFormat::Xlsx => RESULTS_XLSX,
            ResultFormat::Parquet => RESULTS_PARQUET,
        }
    }

    /// The format a file name's extension asks for (`None`: not one of these).
    pub fn from_extension(path: &std::path::Path) -> Option<ResultFormat> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Some(ResultFormat::Csv),
            "xlsx" | "xlsm" | "xls" => Some(ResultFormat::Xlsx),
            "parquet" | "parq" => Some(ResultFormat::Parquet),
            _ => None,
        }
    }
}

/// Saved by name in run.toml, read with the command line's parser.
impl Serialize for ResultFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ResultFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

pub const RESULTS_XLSX: &str = "segmentation_results.xlsx";
pub const RESULTS_PARQUET: &str = "segmentation_results.parquet";

/// Data rows one Excel sheet holds under its header row.
pub const XLSX_MAX_DATA_ROWS: usize = 1_048_575;

/// Whether CSV outputs start with a UTF-8 byte-order mark.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(
    ascii_case_insensitive,
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_bom
)]
pub enum CsvBom {
    /// When the file holds any non-ASCII text (Chinese labels, names): Excel
    /// then reads it as UTF-8 instead of the system's code page.
    #[default]
    Auto,
    Always,
    Never,
}

fn unknown_bom(s: &str) -> String {
    format!("unknown BOM choice '{s}' (use auto, always or never)")
}

impl CsvBom {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether a file whose text `non_ascii` says starts with the mark.
    pub fn wanted(self, non_ascii: bool) -> bool {
        match self {
            CsvBom::Auto => non_ascii,
            CsvBom::Always => true,
            CsvBom::Never => false,
        }
    }
}

/// Refuses a file name that asks for another format than the CSV a
/// command writes (`what`: "custseg score"): `scored.parquet` must not
/// quietly hold CSV. Names without a known data extension are fine.
pub fn check_csv_target(path: &std::path::Path, what: &str) -> crate::error::Result<()> {
    check_target_format(path, what, "CSV", &[])
}

/// [`check_csv_target`] for a command that also writes the extensions
/// `also` (`custseg sample` writes `.xlsx` too); `writes` names its formats.
pub fn check_target_format(
    path: &std::path::Path,
    what: &str,
    writes: &str,
    also: &[&str],
) -> crate::error::Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if also.contains(&ext.as_str()) {
        return Ok(());
    }
    let other = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some("an Excel workbook"),
        "parquet" | "parq" => Some("Parquet"),
        "arrow" | "feather" | "ipc" | "arrows" => Some("Arrow IPC"),
        "gz" | "zst" | "zstd" | "bz2" | "xz" | "zip" => Some("compressed data"),
        "json" | "jsonl" => Some("JSON"),
        _ => None,
    };
    match other {
        Some(format) => Err(crate::error::Error::usage(format!(
            "{}: {what} writes {writes}, but the name asks for {format}; give a .csv name (and convert the file afterwards if you need {format})",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_both_ways() {
        for f in ResultFormat::ALL {
            assert_eq!(f.name().parse::<ResultFormat>(), Ok(f));
        }
        assert_eq!("XLSX".parse::<ResultFormat>(), Ok(ResultFormat::Xlsx));
        assert!(
            "json"
                .parse::<ResultFormat>()
                .unwrap_err()
                .contains("csv, xlsx or parquet")
        );
        assert_eq!("never".parse::<CsvBom>(), Ok(CsvBom::Never));
        assert!(CsvBom::Auto.wanted(true) && !CsvBom::Auto.wanted(false));
        assert!(CsvBom::Always.wanted(false) && !CsvBom::Never.wanted(true));
    }

    #[test]
    fn a_csv_command_refuses_names_of_other_formats() {
        use std::path::Path;
        for name in ["s.parquet", "s.XLSX", "s.csv.gz", "s.feather", "s.json"] {
            let e = check_csv_target(Path::new(name), "custseg score").unwrap_err();
            assert!(e.to_string().contains("writes CSV"), "{e}");
            assert_eq!(e.exit_code(), 2);
        }
        for name in ["s.csv", "s.tsv", "scored", "s.txt"] {
            assert!(
                check_csv_target(Path::new(name), "custseg score").is_ok(),
                "{name}"
            );
        }
    }
}
