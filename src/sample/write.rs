//! Writing a sample: the header, then customer rows or a transaction log, through a sink.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::draw::sample_customers;
use super::format::{DateStyle, push_customer_id};
use super::messy::Messy;
use super::sink::{CsvSink, Sink, XlsxSink, xlsx_error};
use super::*;
use crate::{Error, Result};

// ---------------------------------------------------------------------------
// Writing.

pub(super) fn validate(path: &Path, opts: &SampleOptions) -> Result<bool> {
    if opts.rows == 0 {
        return Err(Error::usage("the sample needs at least one row (--rows)"));
    }
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx && opts.rows > XLSX_MAX_ROWS {
        return Err(Error::usage(format!(
            "an XLSX sheet holds at most {XLSX_MAX_ROWS} data rows, {} asked for",
            opts.rows
        )));
    }
    if !xlsx && (!opts.delimiter.is_ascii() || matches!(opts.delimiter, b'"' | b'\r' | b'\n')) {
        return Err(Error::usage(format!(
            "the delimiter must be an ASCII character other than a quote or a line break (got byte {:#04x})",
            opts.delimiter
        )));
    }
    Ok(xlsx)
}

/// Writes a synthetic sample to `path`: XLSX when the path ends with `.xlsx`,
/// CSV otherwise. The file is written to a temporary file in the same folder
/// and renamed into place (an existing file is replaced), so nothing is left
/// half-written on error.
///
/// Errors: `Usage` for bad options (0 rows, bad delimiter, too many rows for
/// XLSX), `Io` when the folder cannot be written, `Data` when a value cannot
/// be encoded.
pub fn write_sample(path: &Path, opts: &SampleOptions) -> Result<SampleSummary> {
    write_sample_with(path, opts, &crate::pipeline::progress::NoProgress)
}

/// [`write_sample`] through custseg's one atomic writer
/// (`pipeline::export::write::write_atomic`): 0600, flushed to disk, only
/// a regular file replaced, stopped (and the temporary file removed) when
/// `progress` says cancelled.
pub fn write_sample_with(
    path: &Path,
    opts: &SampleOptions,
    progress: &dyn crate::pipeline::progress::Progress,
) -> Result<SampleSummary> {
    let xlsx = validate(path, opts)?;
    let mut summary = None;
    let written = crate::pipeline::export::write::write_atomic(path, progress, |out| {
        summary = Some(if xlsx {
            let mut sink = XlsxSink::new(
                match opts.format {
                    SampleFormat::Customers => "Customers",
                    SampleFormat::Transactions => "Transactions",
                },
                opts.as_of,
            )?;
            let summary = write_rows(&mut sink, opts)?;
            add_notes_sheet(&mut sink.workbook, opts, &summary)?;
            let buf = sink.workbook.save_to_buffer().map_err(xlsx_error)?;
            out.write_all(&buf)
                .map_err(|e| Error::io_path("writing", path, e))?;
            summary
        } else {
            let mut sink = CsvSink::new(out, opts);
            let summary = write_rows(&mut sink, opts)?;
            sink.finish()?;
            summary
        });
        Ok(())
    })?;
    let mut summary = summary.ok_or_else(|| Error::data("the sample writer wrote nothing"))?;
    summary.path = path.to_path_buf();
    summary.bytes = written.bytes;
    Ok(summary)
}

pub(super) fn write_rows<S: Sink>(sink: &mut S, opts: &SampleOptions) -> Result<SampleSummary> {
    let mut columns: Vec<String> = match (opts.format, opts.chinese) {
        (SampleFormat::Customers, false) => CUSTOMER_COLUMNS_EN.map(String::from).to_vec(),
        (SampleFormat::Customers, true) => CUSTOMER_COLUMNS_CN.map(String::from).to_vec(),
        (SampleFormat::Transactions, false) => TRANSACTION_COLUMNS_EN.map(String::from).to_vec(),
        (SampleFormat::Transactions, true) => TRANSACTION_COLUMNS_CN.map(String::from).to_vec(),
    };
    if opts.messy {
        columns.push(
            if opts.chinese {
                INCOME_COLUMN_CN
            } else {
                INCOME_COLUMN_EN
            }
            .to_string(),
        );
    }
    if opts.true_segment {
        columns.push(TRUE_SEGMENT_COLUMN.to_string());
    }
    for c in &columns {
        sink.text(c);
    }
    sink.end_row()?;

    let (segments, customers) = match opts.format {
        SampleFormat::Customers => write_customers(sink, opts)?,
        SampleFormat::Transactions => super::transactions::write_transactions(sink, opts)?,
    };
    Ok(SampleSummary {
        path: PathBuf::new(),
        rows: segments.len(),
        customers,
        columns,
        segments,
        bytes: 0,
    })
}

pub(super) fn gender_text(male: bool, chinese: bool) -> &'static str {
    match (male, chinese) {
        (true, false) => "M",
        (false, false) => "F",
        (true, true) => "男",
        (false, true) => "女",
    }
}

/// Rows (in 1..rows) that repeat the previous customer's id in messy mode.
pub(super) fn duplicate_rows(messy: &mut Messy, rows: usize) -> Vec<usize> {
    if !messy.on || rows < 4 {
        return Vec::new();
    }
    let n = (rows / 500).max(2);
    let mut at: Vec<usize> = (0..n)
        .map(|_| 1 + messy.draw.below(rows as u64 - 1) as usize)
        .collect();
    at.sort_unstable();
    at.dedup();
    at
}

pub(super) fn write_customers<S: Sink>(
    sink: &mut S,
    opts: &SampleOptions,
) -> Result<(Vec<Segment>, usize)> {
    let mut messy = Messy::new(opts);
    let dups = duplicate_rows(&mut messy, opts.rows);
    let mut next_dup = dups.iter().copied().peekable();
    let mut stream = sample_customers(opts.rows, opts.seed, opts.as_of);
    let mut segments = Vec::with_capacity(opts.rows);
    let mut prev: Option<SampleCustomer> = None;
    let mut dup_count = 0usize;
    let cn = opts.chinese;

    for i in 0..opts.rows {
        let mut c = stream.generate();
        if next_dup.peek() == Some(&i) {
            next_dup.next();
            if let Some(p) = prev {
                // Alternate between an exact re-export and an id clash.
                if dup_count.is_multiple_of(2) {
                    c = p;
                } else {
                    c.number = p.number;
                }
                dup_count += 1;
            }
        }
        let m = &mut messy;

        // CustomerID
        m.scratch.clear();
        push_customer_id(&mut m.scratch, c.number);
        if m.pad() {
            let id = std::mem::take(&mut m.scratch);
            m.padded(sink, |s| s.push_str(&id));
        } else {
            sink.text(&m.scratch);
        }
        // Age
        if !m.missing(sink, 0.03) {
            if m.chance(0.007) {
                let bad = [-1, 150, 0, 999][m.draw.below(4) as usize];
                sink.int(bad);
            } else {
                m.int(sink, i64::from(c.age));
            }
        }
        // Gender
        if !m.missing(sink, 0.02) {
            let g = gender_text(c.male, cn);
            if !cn && m.chance(0.01) {
                sink.text(if c.male { "Male" } else { "female" });
            } else {
                m.text(sink, g);
            }
        }
        // Branch
        if !m.missing(sink, 0.02) {
            let b = &BRANCHES[c.branch];
            m.text(sink, if cn { b.1 } else { b.0 });
        }
        // AccountBalance
        if !m.missing(sink, 0.02) {
            m.money(sink, c.balance_cents, 0.05);
        }
        // TxnCount12M
        if !m.missing(sink, 0.015) {
            if m.chance(0.003) {
                sink.text(m.unknown);
            } else {
                m.int(sink, i64::from(c.txn_count_12m));
            }
        }
        // TxnAmount12M
        if !m.missing(sink, 0.015) {
            m.money(sink, c.txn_amount_12m_cents, 0.05);
        }
        // LastTxnDate
        if !m.missing(sink, 0.02) {
            m.date(sink, c.last_txn, DateStyle::Iso);
        }
        // OpenDate
        if !m.missing(sink, 0.01) {
            m.date(sink, c.open_date, DateStyle::Iso);
        }
        // ProductCount
        if !m.missing(sink, 0.03) {
            if m.chance(0.005) {
                sink.text(m.unknown);
            } else {
                m.int(sink, i64::from(c.products));
            }
        }
        // Income (messy only): mostly empty.
        if m.on && !m.missing(sink, 0.42) {
            m.money(sink, c.income_cents, 0.05);
        }
        if opts.true_segment {
            sink.text(c.segment.name());
        }
        sink.end_row()?;
        segments.push(c.segment);
        prev = Some(c);
    }
    let distinct = opts.rows - dup_count;
    Ok((segments, distinct))
}

pub(super) fn add_notes_sheet(
    workbook: &mut rust_xlsxwriter::Workbook,
    opts: &SampleOptions,
    summary: &SampleSummary,
) -> Result<()> {
    let ws = workbook.add_worksheet();
    ws.set_name("Notes").map_err(xlsx_error)?;
    let mut lines = vec![
        "Synthetic bank customers generated by custseg (not real data).".to_string(),
        format!("seed: {}", opts.seed),
        format!("as of: {}", opts.as_of),
        format!("rows: {}", summary.rows),
        format!("messy: {}", opts.messy),
        "Planted segments (share of customers):".to_string(),
    ];
    let counts = summary.segment_counts();
    for s in Segment::ALL {
        let mut line = String::new();
        let _ = write!(
            line,
            "  {} / {}: {} rows (expected {:.0}%)",
            s.name(),
            s.name_cn(),
            counts[s.index()],
            s.share() * 100.0
        );
        lines.push(line);
    }
    for (r, line) in lines.iter().enumerate() {
        ws.write_string(r as u32, 0, line).map_err(xlsx_error)?;
    }
    ws.set_column_width(0, 60).map_err(xlsx_error)?;
    Ok(())
}
