//! Choosing the sheet: by name or number, or the first that holds cells.

use super::*;

pub(super) fn sheet_type_name(typ: SheetType) -> &'static str {
    match typ {
        SheetType::WorkSheet => "worksheet",
        SheetType::ChartSheet => "chart sheet",
        SheetType::DialogSheet => "dialog sheet",
        SheetType::MacroSheet => "macro sheet",
        SheetType::Vba => "VBA module",
    }
}

pub(super) fn sheet_list(sheets: &[Sheet]) -> String {
    let mut names: Vec<&str> = sheets.iter().take(30).map(|s| s.name.as_str()).collect();
    if sheets.len() > 30 {
        names.push("...");
    }
    names.join(", ")
}

pub(super) fn others_hint(sheets: &[Sheet], index: usize) -> String {
    if sheets.len() > 1 {
        let others: Vec<&str> = sheets
            .iter()
            .enumerate()
            .filter(|&(i, s)| i != index && s.typ == SheetType::WorkSheet)
            .map(|(_, s)| s.name.as_str())
            .take(30)
            .collect();
        if !others.is_empty() {
            return format!("; the other sheets are: {}", others.join(", "));
        }
    }
    String::new()
}

/// A sheet by name, or by 0-based index when no sheet has that name.
pub(super) fn resolve_sheet(name: &str, sheets: &[Sheet], wanted: &str) -> Result<usize> {
    if let Some(i) = sheets.iter().position(|s| s.name == wanted) {
        return Ok(i);
    }
    let trimmed = wanted.trim();
    let loose: Vec<usize> = sheets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name.trim().to_lowercase() == trimmed.to_lowercase())
        .map(|(i, _)| i)
        .collect();
    if loose.len() == 1 {
        return Ok(loose[0]);
    }
    if let Ok(index) = trimmed.parse::<usize>() {
        if index < sheets.len() {
            return Ok(index);
        }
        return Err(Error::data(format!(
            "{name}: no sheet number {index} (sheets are numbered from 0); the workbook has {} sheet{}: {}",
            sheets.len(),
            if sheets.len() == 1 { "" } else { "s" },
            sheet_list(sheets)
        )));
    }
    Err(Error::data(format!(
        "{name}: no sheet named '{wanted}'; the workbook has: {}",
        sheet_list(sheets)
    )))
}

/// The first worksheet with any value: visible sheets first, then hidden ones.
pub(super) fn first_non_empty(
    book: &mut Book,
    path: &Path,
    name: &str,
    sheets: &[Sheet],
    progress: &dyn Progress,
    warnings: &mut Vec<String>,
) -> Result<(String, SheetCells)> {
    let worksheets: Vec<&Sheet> = sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    if worksheets.is_empty() {
        return Err(Error::data(format!(
            "{name}: the workbook has no worksheets, only charts or macros ({})",
            sheet_list(sheets)
        )));
    }
    let visible = worksheets
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible);
    let hidden = worksheets
        .iter()
        .filter(|s| s.visible != SheetVisible::Visible);
    let mut empty: Vec<&str> = Vec::new();
    for sheet in visible.chain(hidden) {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let cells = guarded(name, || read_sheet(book, path, name, &sheet.name, progress))?;
        if cells.is_empty() {
            empty.push(&sheet.name);
            continue;
        }
        if !empty.is_empty() {
            let quoted: Vec<String> = empty.iter().map(|s| format!("'{s}'")).collect();
            warnings.push(format!(
                "{} {} empty; read sheet '{}'",
                if quoted.len() == 1 {
                    format!("sheet {}", quoted[0])
                } else {
                    format!("sheets {}", quoted.join(", "))
                },
                if quoted.len() == 1 { "is" } else { "are" },
                sheet.name
            ));
        }
        if sheet.visible != SheetVisible::Visible {
            warnings.push(format!(
                "read hidden sheet '{}' because every visible sheet is empty",
                sheet.name
            ));
        }
        return Ok((sheet.name.clone(), cells));
    }
    Err(Error::data(format!(
        "{name}: every sheet is empty ({})",
        sheet_list(sheets)
    )))
}
