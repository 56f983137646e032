//! `segmentation_results.csv` (one row per customer) and
//! `cluster_summary.csv` (one row per segment).

use super::formats::{BOM, CsvBom};
use super::outset::OutputSet;
use super::write::neutralise_cell;
use crate::error::{Error, Result};
use crate::pipeline::mapping::{Mapping, Role};
use crate::pipeline::profile::{Profiles, largest};
use crate::pipeline::table::{ColumnData, Table};
use rayon::prelude::*;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

pub const RESULTS_CSV: &str = "segmentation_results.csv";
pub const SUMMARY_CSV: &str = "cluster_summary.csv";

/// The customer id of each row for outputs: the mapped id column, or the
/// row's position in the file when there is none.
pub fn customer_ids(table: &Table, mapping: &Mapping) -> Vec<String> {
    let ids = CustomerIds::of(table, mapping);
    (0..ids.len()).map(|i| ids.get(i).into_owned()).collect()
}

/// The customer ids of a table, read from it row by row when asked: owned
/// strings for 10M customers would cost about 0.5 GB at export.
pub enum CustomerIds<'a> {
    /// The mapped id column.
    Column(&'a ColumnData),
    /// No id column: the row's place in the file.
    Rows(&'a Table),
}

impl<'a> CustomerIds<'a> {
    pub fn of(table: &'a Table, mapping: &Mapping) -> Self {
        match mapping
            .column_for(Role::CustomerId)
            .and_then(|c| table.column(c))
        {
            Some(col) => CustomerIds::Column(&col.data),
            None => CustomerIds::Rows(table),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            CustomerIds::Column(data) => data.len(),
            CustomerIds::Rows(table) => table.n_rows,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s id; text ids are borrowed, not copied.
    pub fn get(&self, i: usize) -> Cow<'a, str> {
        match self {
            CustomerIds::Column(ColumnData::Text(t)) => Cow::Borrowed(t.raw(i)),
            CustomerIds::Column(data) => Cow::Owned(data.display(i)),
            CustomerIds::Rows(table) => Cow::Owned(table.row_label(i)),
        }
    }
}

/// Writes a number with up to 6 decimals and no trailing zeros: the text
/// of `format!("{x:.6}")` trimmed (correctly rounded, ties to even), "0"
/// for a negative number that rounds to zero.
pub fn push_number(buf: &mut String, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        buf.push_str(itoa::Buffer::new().format(x as i64));
        return;
    }
    if push_six_decimals(buf, x) {
        return;
    }
    let start = buf.len();
    let _ = write!(buf, "{x:.6}");
    while buf.ends_with('0') {
        buf.pop();
    }
    if buf.ends_with('.') {
        buf.pop();
    }
    if &buf[start..] == "-0" {
        buf.truncate(start);
        buf.push('0');
    }
}

/// [`push_number`] in integer arithmetic for a finite `x` below 1e9 in
/// magnitude (false, nothing written, otherwise): `x` is `m · 2^e`
/// exactly, so `x · 10^6` is the integer `m · 10^6` shifted right by `-e`
/// bits, and the bits shifted out decide the rounding without error. The
/// results file writes millions of numbers, and `{:.6}` costs most of it.
fn push_six_decimals(buf: &mut String, x: f64) -> bool {
    const SCALE: u128 = 1_000_000;
    let a = x.abs();
    // Also false for NaN.
    if a.partial_cmp(&1e9) != Some(std::cmp::Ordering::Less) {
        return false;
    }
    let bits = a.to_bits();
    let (biased, fraction) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
    let (mantissa, exp) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let scaled: u64 = if exp >= 0 {
        // An integer (whole numbers are written before this is reached).
        return false;
    } else if exp < -110 {
        // Below 2^-57: rounds to 0.
        0
    } else {
        let shift = (-exp) as u32;
        let product = mantissa as u128 * SCALE;
        let whole = product >> shift;
        let rest = product & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let up = rest > half || (rest == half && whole & 1 == 1);
        (whole + up as u128) as u64
    };
    if scaled == 0 {
        buf.push('0');
        return true;
    }
    if x < 0.0 {
        buf.push('-');
    }
    let (int, mut frac) = (scaled / SCALE as u64, scaled % SCALE as u64);
    buf.push_str(itoa::Buffer::new().format(int));
    if frac != 0 {
        let mut digits = [b'.', b'0', b'0', b'0', b'0', b'0', b'0'];
        for d in digits[1..].iter_mut().rev() {
            *d = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        let used = digits.iter().rposition(|&d| d != b'0').unwrap_or(0) + 1;
        buf.push_str(std::str::from_utf8(&digits[..used]).unwrap_or_default());
    }
    true
}

/// A number rounded for people: two decimals from 1 up, four significant
/// digits below (0.04167), no float noise (63862.085, not 63862.08500000001).
pub fn rounded(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let text = if x == 0.0 {
        "0".to_string()
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
        format!("{x:.digits$}")
    };
    let t = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if t == "-0" { "0".into() } else { t.to_string() }
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    Error::io(
        format!("writing {name}"),
        std::io::Error::other(e.to_string()),
    )
}

pub struct ResultsInput<'a> {
    pub ids: &'a CustomerIds<'a>,
    /// Repeat each segment's action on every row.
    pub actions: bool,
    pub bom: CsvBom,
    pub labels: &'a [u8],
    pub profiles: &'a Profiles,
    pub feature_names: &'a [String],
    /// One column per feature, original units.
    pub original: Vec<&'a [f64]>,
}

pub fn write_results(out: &mut OutputSet, input: &ResultsInput) -> Result<()> {
    let d = input.feature_names.len();
    out.write_with(RESULTS_CSV, |w: &mut dyn Write| {
        if input.bom.wanted(results_non_ascii(input)) {
            w.write_all(BOM)
                .map_err(|e| Error::io(format!("writing {RESULTS_CSV}"), e))?;
        }
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["customer_id".to_string(), "segment".into(), "label".into()];
        if input.actions {
            header.push("action".into());
        }
        header.extend(
            input
                .feature_names
                .iter()
                .map(|f| neutralise_cell(f).into_owned()),
        );
        csv.write_record(&header)
            .map_err(|e| csv_error(RESULTS_CSV, e))?;
        csv.flush()
            .map_err(|e| Error::io(format!("writing {RESULTS_CSV}"), e))?;
        let csv = csv.into_inner().map_err(|e| {
            Error::io(
                format!("writing {RESULTS_CSV}"),
                std::io::Error::other(e.to_string()),
            )
        })?;
        // Segment number, label and action as CSV once per segment, not once
        // per customer.
        let segment_cells: Vec<Vec<u8>> = input
            .profiles
            .segments
            .iter()
            .map(|s| {
                let mut cells = Vec::new();
                let mut texts = vec![s.id.to_string(), neutralise_cell(&s.label).into_owned()];
                if input.actions {
                    texts.push(neutralise_cell(&s.action).into_owned());
                }
                for text in texts {
                    cells.push(b',');
                    push_csv_field(&mut cells, &text);
                }
                cells
            })
            .collect();
        // Rows are formatted in parallel, a batch at a time (so memory stays
        // bounded), and written in order; a batch is written (and hashed)
        // while the next one is formatted.
        let n = input.ids.len();
        let batch = RESULTS_BATCH_ROWS * rayon::current_num_threads().max(1);
        let format_batch = |start: usize| -> Vec<Vec<u8>> {
            let end = (start + batch).min(n);
            (start..end)
                .step_by(RESULTS_BATCH_ROWS)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|a| {
                    format_rows(
                        input,
                        &segment_cells,
                        d,
                        a..(a + RESULTS_BATCH_ROWS).min(end),
                    )
                })
                .collect()
        };
        let write_batch = |csv: &mut dyn Write, parts: Vec<Vec<u8>>| -> Result<()> {
            for part in parts {
                csv.write_all(&part)
                    .map_err(|e| Error::io(format!("writing {RESULTS_CSV}"), e))?;
            }
            Ok(())
        };
        let mut ready = format_batch(0);
        for start in (batch..n).step_by(batch) {
            let mut next = Vec::new();
            // In place: the writer stays on this thread (it need not be Send).
            rayon::in_place_scope(|s| {
                s.spawn(|_| next = format_batch(start));
                write_batch(csv, std::mem::take(&mut ready))
            })?;
            ready = next;
        }
        write_batch(csv, ready)?;
        Ok(())
    })
}

/// Whether the results hold any non-ASCII text (ids, labels, actions
/// when written, feature names).
fn results_non_ascii(input: &ResultsInput) -> bool {
    input.feature_names.iter().any(|f| !f.is_ascii())
        || input
            .profiles
            .segments
            .iter()
            .any(|s| !s.label.is_ascii() || (input.actions && !s.action.is_ascii()))
        || (0..input.ids.len())
            .into_par_iter()
            .any(|i| !input.ids.get(i).is_ascii())
}

/// Rows formatted per parallel task.
const RESULTS_BATCH_ROWS: usize = 16_384;

/// The CSV bytes of the results rows `rows` (what `csv::Writer` writes,
/// without its per-field scanning of the long, repeated action text).
fn format_rows(
    input: &ResultsInput,
    segment_cells: &[Vec<u8>],
    d: usize,
    rows: std::ops::Range<usize>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * (segment_cells[0].len() + 16 * (d + 1)));
    let mut number = String::new();
    for i in rows {
        push_csv_field(&mut out, &neutralise_cell(&input.ids.get(i)));
        out.extend_from_slice(&segment_cells[input.labels[i] as usize]);
        for j in 0..d {
            out.push(b',');
            number.clear();
            push_number(&mut number, input.original[j][i]);
            out.extend_from_slice(number.as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// One CSV field, quoted (quotes doubled) when it holds a comma, a quote or
/// a line break: the `csv` crate's "quote when necessary".
fn push_csv_field(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

pub fn write_summary(out: &mut OutputSet, profiles: &Profiles, bom: CsvBom) -> Result<()> {
    let (header, rows) = summary_rows(profiles)?;
    let non_ascii = header
        .iter()
        .chain(rows.iter().flatten())
        .any(|c| !c.is_ascii());
    out.write_with(SUMMARY_CSV, |w: &mut dyn Write| {
        if bom.wanted(non_ascii) {
            w.write_all(BOM)
                .map_err(|e| Error::io(format!("writing {SUMMARY_CSV}"), e))?;
        }
        let mut csv = csv::Writer::from_writer(w);
        for row in std::iter::once(&header).chain(&rows) {
            csv.write_record(row)
                .map_err(|e| csv_error(SUMMARY_CSV, e))?;
        }
        csv.flush()
            .map_err(|e| Error::io(format!("writing {SUMMARY_CSV}"), e))
    })
}

/// The segment summary's header and one row per segment, as text (CSV
/// cells: formulas neutralised); the workbook writes the same cells.
pub fn summary_rows(profiles: &Profiles) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let Some(first) = profiles.segments.first() else {
        return Err(Error::data("no segments to summarise"));
    };
    let mut header: Vec<String> = [
        "segment",
        "label",
        "action",
        "size",
        "share",
        "distinguishing_features",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.push("tiny".into());
    let trust = profiles.trust.as_ref();
    if trust.is_some() {
        header.extend(["stability", "stability_band", "rule"].map(String::from));
    }
    for f in &first.features {
        let name = neutralise_cell(&f.feature).into_owned();
        header.push(format!("{name}_mean"));
        header.push(format!("{name}_median"));
        header.push(format!("{name}_z"));
        header.push(format!("{name}_vs_all"));
    }
    for c in &first.columns {
        let name = neutralise_cell(&c.column).into_owned();
        header.push(format!("{name}_{}", if c.flag { "share" } else { "mean" }));
    }
    let categories: Vec<&String> = first.categories.keys().collect();
    for c in &categories {
        header.push(format!("top_{}", c.replace(' ', "_")));
    }
    let mut rows = Vec::with_capacity(profiles.segments.len());
    for s in &profiles.segments {
        let mut row = vec![
            s.id.to_string(),
            neutralise_cell(&s.label).into_owned(),
            neutralise_cell(&s.action).into_owned(),
            s.size.to_string(),
        ];
        row.push(format!("{:.4}", s.share));
        row.push(
            neutralise_cell(
                &s.distinguishing
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            )
            .into_owned(),
        );
        row.push(s.tiny.to_string());
        if let Some(t) = trust {
            let st = t.stability_of(s.id as usize);
            row.push(st.map_or(String::new(), |x| format!("{:.3}", x.jaccard)));
            row.push(st.map_or(String::new(), |x| x.band.words().to_string()));
            let rule = t.rule_of(s.id as usize).map_or("", |r| r.text.as_str());
            row.push(neutralise_cell(rule).into_owned());
        }
        for f in &s.features {
            row.push(rounded(f.mean));
            row.push(rounded(f.median));
            row.push(format!("{:.2}", f.z));
            row.push(f.direction.word().to_string());
        }
        for c in &s.columns {
            row.push(rounded(c.mean));
        }
        for c in &categories {
            let text = s
                .categories
                .get(*c)
                .map(|shares| {
                    // The largest groups, whatever order the split is shown in.
                    largest(shares, 3)
                        .iter()
                        .map(|v| format!("{} {:.0}%", v.value, v.share * 100.0))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            row.push(neutralise_cell(&text).into_owned());
        }
        rows.push(row);
    }
    Ok((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slow, obviously right text: `{:.6}` trimmed.
    fn by_format(x: f64) -> String {
        let mut t = format!("{x:.6}");
        if t.contains('.') {
            t = t.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        if t == "-0" { "0".into() } else { t }
    }

    #[test]
    fn numbers_are_written_as_format_six_decimals_trimmed() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut cases = vec![
            0.25,
            0.0078125,
            -0.0078125,
            0.0234375,
            1e-7,
            -1e-7,
            5e-7,
            -5e-7,
            4.9999999e-7,
            0.0000005,
            123456.0000005,
            999_999_999.999_999_5,
            999_999_999.999_999,
            1e-300,
            -1e-320,
            5e-324,
            0.1,
            0.3,
            2.675,
            1.0000005,
            9983.29,
            -0.5e-6,
            0.9999995,
            0.99999949999,
            1e9 - 1e-6,
            -1e9 + 0.5,
        ];
        for _ in 0..200_000 {
            let m: f64 = rng.random_range(-1.0..1.0);
            let e: i32 = rng.random_range(-30..31);
            cases.push(m * 2f64.powi(e));
            // Exact binary fractions with ties at the 6th decimal.
            let odd = rng.random_range(0..1u64 << 20) * 2 + 1;
            cases.push(odd as f64 / 2f64.powi(rng.random_range(7..40)));
            // Money-like values.
            cases.push(rng.random_range(-1_000_000..1_000_000) as f64 / 100.0);
        }
        for x in cases {
            let mut fast = String::new();
            push_number(&mut fast, x);
            assert_eq!(fast, by_format(x), "{x:e}");
        }
    }

    #[test]
    fn fields_are_quoted_as_the_csv_crate_does() {
        let fields = [
            "plain",
            "a,b",
            "say \"hi\"",
            "line\nbreak",
            "cr\rhere",
            " spaced ",
            "#hash",
            "'=cmd",
            "客户",
        ];
        for f in fields {
            let mut ours = Vec::new();
            push_csv_field(&mut ours, f);
            ours.extend_from_slice(b",x\n");
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record([f, "x"]).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap(),
                "{f:?}"
            );
        }
    }

    #[test]
    fn numbers_are_short_and_exact_enough() {
        let f = |x| {
            let mut s = String::new();
            push_number(&mut s, x);
            s
        };
        assert_eq!(f(12.0), "12");
        assert_eq!(f(-1234.5), "-1234.5");
        assert_eq!(f(0.1234567), "0.123457");
        assert_eq!(f(-0.0000001), "0");
        assert_eq!(f(f64::NAN), "");
    }

    #[test]
    fn summary_numbers_are_rounded_for_people() {
        assert_eq!(rounded(63862.08500000001), "63862.09");
        assert_eq!(rounded(12.0), "12");
        assert_eq!(rounded(0.041666666), "0.04167");
        assert_eq!(rounded(-0.0000001), "-0.0000001");
        assert_eq!(rounded(-2.5), "-2.5");
        assert_eq!(rounded(f64::NAN), "");
    }
}
