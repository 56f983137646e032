//! From a sheet's stored cells to a typed table.

use super::*;

/// Excel's letters for a 0-based column index: 0 -> A, 27 -> AB.
pub(super) fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

pub(in crate::pipeline::load) fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row as u64 + 1)
}

pub(super) fn is_value_like(cell: &str) -> bool {
    parse_number(cell, NumberStyle::DotDecimal).is_some() || parse_date_token(cell).is_some()
}

/// The dense, typed table of a sheet's stored cells: title rows above the
/// table skipped, empty rows and columns dropped, the header found.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_table(
    path: &Path,
    name: &str,
    format: Format,
    file_bytes: u64,
    sheet: &str,
    cells: SheetCells,
    opts: &LoadOptions,
    progress: &dyn Progress,
    mut warnings: Vec<String>,
) -> Result<Table> {
    let rows = &cells.rows;
    let start = skip_title_rows(&cells, &mut warnings);
    let kept = kept_columns(&cells, rows[start], &mut warnings);
    let (has_header, names) = header_names(&cells, &kept, &rows[start..], opts);
    let data_rows = &rows[start + has_header as usize..];
    check_data_rows(name, sheet, data_rows, kept.len(), &mut warnings)?;
    if !has_header {
        warnings.push(format!(
            "no header row found; columns are named after their sheet columns ({}..{})",
            names[0],
            names[names.len() - 1]
        ));
    }
    let error_cells = warn_error_cells(&cells, &mut warnings);

    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress.report(0.9, &format!("typing {} columns", names.len()));
    let SheetCells { columns, .. } = cells;
    let typed = type_columns(columns, &kept, &names, data_rows, opts);

    let source = SourceInfo {
        path: path.to_path_buf(),
        format: format.label().into(),
        encoding: None,
        encoding_report: None,
        delimiter: None,
        sheet: Some(sheet.to_string()),
        has_header,
        file_bytes,
        skipped_rows: 0,
        error_cells,
        warnings,
        unread_columns: Vec::new(),
    };
    let mut table = Table::new(typed, source);
    table.row_origin = data_rows.iter().map(|&r| r.saturating_add(1)).collect();
    progress.report(1.0, &format!("loaded {} rows", table.n_rows));
    Ok(table)
}

/// Title rows: a single text cell above a wider table ("Customers, June").
/// Returns how many rows (from the first non-empty one) to skip.
fn skip_title_rows(cells: &SheetCells, warnings: &mut Vec<String>) -> usize {
    let rows = &cells.rows;
    let mut start = 0;
    while start + 1 < rows.len() && start < MAX_TITLE_ROWS {
        let row = rows[start];
        let only = cells
            .columns
            .iter()
            .flatten()
            .filter_map(|c| c.get(row))
            .collect::<Vec<_>>();
        let title_like = only.len() == 1 && !only[0].is_empty() && !is_value_like(only[0]);
        if title_like && cells.count_in_row(rows[start + 1]) >= 2 {
            start += 1;
        } else {
            break;
        }
    }
    if start > 0 {
        let shown: Vec<String> = rows[..start].iter().map(|r| (r + 1).to_string()).collect();
        warnings.push(format!(
            "skipped {} title row{} above the table (row {})",
            start,
            if start == 1 { "" } else { "s" },
            shown.join(", ")
        ));
    }
    start
}

/// Columns with any cell from the table's first row on, with warnings for
/// empty columns inside the table and stray ones far to its right.
fn kept_columns(cells: &SheetCells, first_row: u32, warnings: &mut Vec<String>) -> Vec<u32> {
    let kept: Vec<u32> = cells
        .columns
        .iter()
        .enumerate()
        .filter_map(|(j, c)| {
            c.as_ref()
                .filter(|c| c.rows.last().is_some_and(|&r| r >= first_row))
                .map(|_| j as u32)
        })
        .collect();
    let first_col = kept[0];
    let inner_empty = (kept[kept.len() - 1] - first_col + 1) as usize - kept.len();
    if inner_empty > 0 {
        let gaps: Vec<String> = kept
            .windows(2)
            .flat_map(|w| (w[0] + 1..w[1]).map(column_letters))
            .take(5)
            .collect();
        warnings.push(format!(
            "ignored {inner_empty} empty column{} ({}{})",
            if inner_empty == 1 { "" } else { "s" },
            gaps.join(", "),
            if inner_empty > 5 { ", ..." } else { "" }
        ));
    }
    for w in kept.windows(2) {
        if w[1] - w[0] > STRAY_COLUMN_GAP {
            warnings.push(format!(
                "column {} is {} columns right of the rest of the table; a stray cell?",
                column_letters(w[1]),
                w[1] - w[0] - 1
            ));
        }
    }
    kept
}

/// Whether the table's first row is a header (as told, or detected on a
/// sample), and the column names: the header's, or the sheet's letters.
fn header_names(
    cells: &SheetCells,
    kept: &[u32],
    table_rows: &[u32],
    opts: &LoadOptions,
) -> (bool, Vec<String>) {
    let cell = |col: u32, row: u32| -> &str {
        cells.columns[col as usize]
            .as_ref()
            .and_then(|c| c.get(row))
            .unwrap_or("")
    };
    let sample: Vec<Vec<String>> = table_rows
        .iter()
        .take(SAMPLE_ROWS)
        .map(|&r| kept.iter().map(|&c| cell(c, r).to_string()).collect())
        .collect();
    let has_header = opts.header.unwrap_or_else(|| detect_header(&sample));
    let names = if has_header {
        let raw: Vec<String> = kept
            .iter()
            .map(|&c| match cell(c, table_rows[0]) {
                "" => format!("column_{}", column_letters(c)),
                s => s.to_string(),
            })
            .collect();
        clean_header_names(&raw)
    } else {
        kept.iter()
            .map(|&c| format!("column_{}", column_letters(c)))
            .collect()
    };
    (has_header, names)
}

/// Refuses a table without data rows or over [`MAX_CELLS`]; warns of empty
/// rows dropped and stray rows far below the rest.
fn check_data_rows(
    name: &str,
    sheet: &str,
    data_rows: &[u32],
    n_columns: usize,
    warnings: &mut Vec<String>,
) -> Result<()> {
    if data_rows.is_empty() {
        return Err(Error::data(format!(
            "{name}, sheet '{sheet}': the sheet has a header row but no data rows"
        )));
    }
    let dense = data_rows.len() as u64 * n_columns as u64;
    if dense > MAX_CELLS {
        return Err(Error::data(format!(
            "{name}, sheet '{sheet}': the table spans {} rows x {} columns ({dense} cells), more than the {MAX_CELLS} this tool loads; delete stray cells far from the table, or save it alone as CSV",
            data_rows.len(),
            n_columns
        )));
    }
    let span = data_rows[data_rows.len() - 1] - data_rows[0] + 1;
    let empty_rows = span as usize - data_rows.len();
    if empty_rows > 0 {
        warnings.push(format!(
            "ignored {empty_rows} empty row{}",
            if empty_rows == 1 { "" } else { "s" }
        ));
    }
    for w in data_rows.windows(2) {
        if w[1] - w[0] > STRAY_ROW_GAP {
            warnings.push(format!(
                "row {} is {} rows below the rest of the data; a stray cell? (it is loaded as a data row)",
                w[1] + 1,
                w[1] - w[0] - 1
            ));
        }
    }
    Ok(())
}

/// Warns of error cells (read as missing) and returns how many there were.
fn warn_error_cells(cells: &SheetCells, warnings: &mut Vec<String>) -> usize {
    let error_cells: usize = cells.errors.values().sum();
    if error_cells > 0 {
        let kinds: Vec<&str> = cells.errors.keys().map(String::as_str).collect();
        warnings.push(format!(
            "{error_cells} error cell{} ({}) read as missing{}",
            if error_cells == 1 { "" } else { "s" },
            kinds.join(", "),
            cells
                .first_error
                .map(|(r, c)| format!(", the first at {}", cell_ref(r, c)))
                .unwrap_or_default()
        ));
    }
    error_cells
}

/// The kept columns, densified over the data rows and typed in parallel.
fn type_columns(
    mut columns: Vec<Option<SparseColumn>>,
    kept: &[u32],
    names: &[String],
    data_rows: &[u32],
    opts: &LoadOptions,
) -> Vec<Column> {
    let infer_opts = InferOptions {
        date_order: opts.date_order,
    };
    let sparse: Vec<SparseColumn> = kept
        .iter()
        .map(|&c| columns[c as usize].take().unwrap_or_default())
        .collect();
    drop(columns);
    sparse
        .into_par_iter()
        .zip(names.par_iter())
        .map(|(col, n)| infer_column(n, densify(col, data_rows), &infer_opts))
        .collect()
}

/// One dense column over `data_rows` (both sorted), missing where the sparse
/// column has no cell.
pub(super) fn densify(col: SparseColumn, data_rows: &[u32]) -> TextColumn {
    let mut out = TextColumn::with_capacity(data_rows.len(), col.bytes);
    let mut p = col.rows.partition_point(|&r| r < data_rows[0]);
    for &r in data_rows {
        while p < col.rows.len() && col.rows[p] < r {
            p += 1;
        }
        if p < col.rows.len() && col.rows[p] == r {
            // Cannot fail: the sparse column already held this text.
            let pushed = out.push(col.text.raw(p));
            debug_assert!(pushed);
            p += 1;
        } else {
            out.push_missing();
        }
    }
    out
}
