//! Column builders used while streaming a file.
//!
//! Most columns of a bank export are plain numbers or ISO dates. When the
//! file's sample says a column is one of those, its cells are parsed straight
//! into a typed vector as they are read ("fast lane"), skipping the text
//! arena and the second pass. The first cell that does not fit demotes the
//! column to the general path: the values so far are turned back into text
//! that parses to exactly the same values, and full inference decides the type
//! at the end, as if the fast lane had never been tried.

use super::infer::{InferOptions, infer_column};
use super::values::is_missing_token;
use crate::pipeline::table::{
    Column, ColumnData, ColumnInfo, ColumnType, MISSING_DATE, TextColumn, format_date,
};

pub enum ColumnBuilder {
    Number { values: Vec<f64>, missing: usize },
    IsoDate { values: Vec<i32>, missing: usize },
    Raw(TextColumn),
}

impl ColumnBuilder {
    /// Chooses a lane from the sample cells of this column (header excluded).
    pub fn for_sample<'a>(
        cells: impl Iterator<Item = &'a str>,
        rows_hint: usize,
        bytes_hint: usize,
    ) -> Self {
        let mut numbers = 0;
        let mut dates = 0;
        let mut other = 0;
        for c in cells {
            if is_missing_token(c) {
                continue;
            }
            if fast_number(c).is_some() {
                numbers += 1;
            } else if fast_iso_date(c).is_some() {
                dates += 1;
            } else {
                other += 1;
            }
        }
        if other == 0 && numbers > 0 && dates == 0 {
            ColumnBuilder::Number {
                values: Vec::with_capacity(rows_hint),
                missing: 0,
            }
        } else if other == 0 && dates > 0 && numbers == 0 {
            ColumnBuilder::IsoDate {
                values: Vec::with_capacity(rows_hint),
                missing: 0,
            }
        } else {
            ColumnBuilder::Raw(TextColumn::with_capacity(rows_hint, bytes_hint))
        }
    }

    /// Adds a trimmed cell. Returns `false` only if a text arena overflows.
    #[inline]
    pub fn push(&mut self, cell: &str) -> bool {
        match self {
            ColumnBuilder::Number { values, missing } => {
                if let Some(v) = fast_number(cell) {
                    values.push(v);
                    return true;
                }
                if is_missing_token(cell) {
                    values.push(f64::NAN);
                    *missing += 1;
                    return true;
                }
            }
            ColumnBuilder::IsoDate { values, missing } => {
                if let Some(d) = fast_iso_date(cell) {
                    values.push(d);
                    return true;
                }
                if is_missing_token(cell) {
                    values.push(MISSING_DATE);
                    *missing += 1;
                    return true;
                }
            }
            ColumnBuilder::Raw(text) => return text.push(cell),
        }
        self.demote();
        self.push(cell)
    }

    /// Falls back to the general path, rewriting the values so far as text.
    fn demote(&mut self) {
        let text = match self {
            ColumnBuilder::Number { values, .. } => {
                let mut t = TextColumn::with_capacity(values.capacity(), values.len() * 8);
                let mut buf = String::new();
                for v in values.iter() {
                    if v.is_nan() {
                        t.push_missing();
                    } else {
                        buf.clear();
                        use std::fmt::Write;
                        let _ = write!(buf, "{v}");
                        let _ = t.push(&buf);
                    }
                }
                t
            }
            ColumnBuilder::IsoDate { values, .. } => {
                let mut t = TextColumn::with_capacity(values.capacity(), values.len() * 10);
                for &d in values.iter() {
                    if d == MISSING_DATE {
                        t.push_missing();
                    } else {
                        let _ = t.push(&format_date(d));
                    }
                }
                t
            }
            ColumnBuilder::Raw(_) => return,
        };
        *self = ColumnBuilder::Raw(text);
    }

    /// The typed column.
    pub fn finish(self, name: &str, opts: &InferOptions) -> Column {
        match self {
            ColumnBuilder::Number { values, missing } => Column {
                name: name.to_string(),
                ctype: ColumnType::Number,
                data: ColumnData::Number(values),
                info: ColumnInfo {
                    missing,
                    ..ColumnInfo::default()
                },
            },
            ColumnBuilder::IsoDate { values, missing } => Column {
                name: name.to_string(),
                ctype: ColumnType::Date,
                data: ColumnData::Date(values),
                info: ColumnInfo {
                    missing,
                    ..ColumnInfo::default()
                },
            },
            ColumnBuilder::Raw(text) => infer_column(name, text, opts),
        }
    }
}

/// A plain decimal number ("123", "-4.50", "1e3") and nothing that inference
/// would read differently: no leading zeros (identifiers), no 6/8-digit
/// integers (possible compact dates), no thousands separators or signs.
#[inline]
pub fn fast_number(cell: &str) -> Option<f64> {
    let b = cell.as_bytes();
    if b.is_empty() || b.len() > 24 {
        return None;
    }
    let mut digits = 0;
    let mut others = false;
    for &c in b {
        if c.is_ascii_digit() {
            digits += 1;
        } else if matches!(c, b'.' | b'-' | b'+' | b'e' | b'E') {
            others = true;
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    if !others && (b.len() == 6 || b.len() == 8) {
        return None;
    }
    if b[0] == b'0' && b.len() > 1 && b[1].is_ascii_digit() {
        return None;
    }
    let v: f64 = cell.parse().ok()?;
    v.is_finite().then_some(v)
}

/// `YYYY-MM-DD` with a valid calendar date in 1800..=2200, as days since 1970.
#[inline]
pub fn fast_iso_date(cell: &str) -> Option<i32> {
    let b = cell.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0i32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as i32)
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1800..=2200).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (H. Hinnant's algorithm; no allocation, no failure).
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::{date_to_days, format_date};
    use chrono::NaiveDate;

    #[test]
    fn fast_numbers_leave_anything_unusual_to_inference() {
        assert_eq!(fast_number("123"), Some(123.0));
        assert_eq!(fast_number("-4.50"), Some(-4.5));
        for s in [
            "", "1,234", "007", "20240131", "930101", "1.2.3", "inf", "abc", "$5", "5%", " 5",
        ] {
            assert_eq!(fast_number(s), None, "{s}");
        }
    }

    #[test]
    fn fast_dates_match_chrono() {
        for (s, ok) in [
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("1970-01-01", true),
            ("2024-13-01", false),
        ] {
            let expected = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(date_to_days);
            assert_eq!(fast_iso_date(s), expected, "{s}");
            assert_eq!(fast_iso_date(s).is_some(), ok);
        }
        assert_eq!(
            format_date(fast_iso_date("1899-12-31").unwrap()),
            "1899-12-31"
        );
    }

    #[test]
    fn a_column_that_stops_fitting_is_typed_as_if_read_normally() {
        let cells = ["1", "2.5", "", "abc", "4"];
        let mut b = ColumnBuilder::for_sample(cells[..3].iter().copied(), 8, 64);
        assert!(matches!(b, ColumnBuilder::Number { .. }));
        for c in cells {
            assert!(b.push(c));
        }
        let fast = b.finish("x", &InferOptions::default());
        let slow = infer_column(
            "x",
            TextColumn::from_values(cells.iter().map(|c| Some(*c))),
            &InferOptions::default(),
        );
        assert_eq!(fast.data, slow.data);
        assert_eq!(fast.ctype, slow.ctype);
        assert_eq!(fast.info.missing, slow.info.missing);

        let cells = ["2024-01-31", "NA", "31/01/2024"];
        let mut b = ColumnBuilder::for_sample(cells[..2].iter().copied(), 8, 64);
        assert!(matches!(b, ColumnBuilder::IsoDate { .. }));
        for c in cells {
            assert!(b.push(c));
        }
        let col = b.finish("d", &InferOptions::default());
        assert_eq!(col.ctype, ColumnType::Date);
        let d = col.dates().unwrap();
        assert_eq!(
            (format_date(d[0]), d[1], format_date(d[2])),
            ("2024-01-31".into(), MISSING_DATE, "2024-01-31".into())
        );
    }
}
