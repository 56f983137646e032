//! `segmentation_results.xlsx`, for analysts who live in Excel: sheets
//! "results" (one row per customer, as the CSV), "segment summary" (as
//! cluster_summary.csv) and "K table" (the sweep). Frozen header rows,
//! numbers as numbers with number formats, text never read as a formula.
//!
//! One sheet holds at most 1,048,575 customers under its header; a larger
//! run is refused before anything is written ([`check_fits`]) rather than
//! split over sheets that every later step would have to stitch together.

use super::formats::{RESULTS_XLSX, XLSX_MAX_DATA_ROWS};
use super::outset::OutputSet;
use super::tables::{ResultsInput, summary_rows};
use crate::error::{Error, Result};

use crate::pipeline::cluster::SweepResult;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Refuses a results table one sheet cannot hold.
pub fn check_fits(customers: usize) -> Result<()> {
    if customers > XLSX_MAX_DATA_ROWS {
        return Err(Error::usage(format!(
            "{RESULTS_XLSX}: {customers} customers do not fit in one Excel sheet (at most {XLSX_MAX_DATA_ROWS} rows under the header); write the results as CSV or Parquet for this run"
        )));
    }
    Ok(())
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::io(
        format!("writing {RESULTS_XLSX}"),
        std::io::Error::other(e.to_string()),
    )
}

struct Formats {
    header: Format,
    integer: Format,
    decimal: Format,
    share: Format,
    metric: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            decimal: Format::new().set_num_format("#,##0.00"),
            share: Format::new().set_num_format("0.0%"),
            metric: Format::new().set_num_format("0.000"),
        }
    }
}

fn header_row(
    sheet: &mut Worksheet,
    names: &[String],
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    for (j, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, name, &f.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn results_sheet(
    sheet: &mut Worksheet,
    input: &ResultsInput,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    sheet.set_name("results")?;
    let mut names = vec!["customer_id".to_string(), "segment".into(), "label".into()];
    if input.actions {
        names.push("action".into());
    }
    names.extend(input.feature_names.iter().cloned());
    header_row(sheet, &names, f)?;
    let d = input.feature_names.len();
    let first_feature = names.len() - d;
    for i in 0..input.ids.len() {
        let id = input.ids.get(i);
        let row = i as u32 + 1;
        let s = &input.profiles.segments[input.labels[i] as usize];
        sheet.write_string(row, 0, id)?;
        sheet.write_number_with_format(row, 1, f64::from(s.id), &f.integer)?;
        sheet.write_string(row, 2, &s.label)?;
        if input.actions {
            sheet.write_string(row, 3, &s.action)?;
        }
        for j in 0..d {
            let x = input.original[j][i];
            if x.is_finite() {
                sheet.write_number_with_format(row, (first_feature + j) as u16, x, &f.decimal)?;
            }
        }
    }
    Ok(())
}

/// The summary's cells: numbers where the CSV cell is a number.
fn summary_sheet(sheet: &mut Worksheet, input: &ResultsInput, f: &Formats) -> Result<()> {
    let (header, rows) = summary_rows(input.profiles)?;
    let mut run = || -> std::result::Result<(), XlsxError> {
        sheet.set_name("segment summary")?;
        header_row(sheet, &header, f)?;
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (r, c) = (i as u32 + 1, j as u16);
                match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() && header[j] == "share" => {
                        sheet.write_number_with_format(r, c, x, &f.share)?;
                    }
                    Ok(x) if x.is_finite() => {
                        sheet.write_number(r, c, x)?;
                    }
                    _ => {
                        // The CSV's apostrophe guard is not needed: a
                        // string cell is never a formula.
                        sheet.write_string(r, c, cell.strip_prefix('\'').unwrap_or(cell))?;
                    }
                }
            }
        }
        Ok(())
    };
    run().map_err(xlsx_error)
}

fn k_sheet(
    sheet: &mut Worksheet,
    sweep: &SweepResult,
    chosen_k: usize,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    sheet.set_name("K table")?;
    let mut names: Vec<String> = [
        "K",
        "SSE",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
    ]
    .map(String::from)
    .to_vec();
    if sweep.gap.is_some() {
        names.push("gap".into());
    }
    names.push("chosen".into());
    header_row(sheet, &names, f)?;
    for (i, r) in sweep.results.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number_with_format(row, 0, r.k as f64, &f.integer)?;
        sheet.write_number_with_format(row, 1, r.fit.inertia, &f.decimal)?;
        let metrics = [
            r.metrics.silhouette,
            r.metrics.calinski_harabasz,
            r.metrics.davies_bouldin,
        ];
        for (j, m) in metrics.into_iter().enumerate() {
            if let Some(x) = m.filter(|x| x.is_finite()) {
                sheet.write_number_with_format(row, 2 + j as u16, x, &f.metric)?;
            }
        }
        let mut col = 5;
        if let Some(gap) = &sweep.gap {
            if let Some(p) = gap.get(r.k) {
                sheet.write_number_with_format(row, col, p.gap, &f.metric)?;
            }
            col += 1;
        }
        sheet.write_string(row, col, if r.k == chosen_k { "yes" } else { "" })?;
    }
    Ok(())
}

/// Stages `segmentation_results.xlsx` in `out`.
pub fn write_results_xlsx(
    out: &mut OutputSet,
    input: &ResultsInput,
    sweep: &SweepResult,
    chosen_k: usize,
) -> Result<()> {
    check_fits(input.ids.len())?;
    let f = Formats::new();
    let mut book = Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    results_sheet(sheet, input, &f).map_err(xlsx_error)?;
    summary_sheet(book.add_worksheet(), input, &f)?;
    k_sheet(book.add_worksheet(), sweep, chosen_k, &f).map_err(xlsx_error)?;
    out.write_file_with(RESULTS_XLSX, |file| {
        let mut w = std::io::BufWriter::new(file);
        book.save_to_writer(&mut w).map_err(xlsx_error)?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(format!("writing {RESULTS_XLSX}"), e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io(format!("writing {RESULTS_XLSX}"), e))
    })
}
