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
    Column, ColumnData, ColumnInfo, ColumnType, MISSING_DATE, TextColumn, advise_huge_pages,
    format_date,
};

pub enum ColumnBuilder {
    Number { values: Vec<f64>, missing: usize },
    IsoDate { values: Vec<i32>, missing: usize },
    Raw(TextColumn),
}

/// Which builder a column starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Number,
    IsoDate,
    Raw,
}

/// Chooses a lane from the sample cells of a column (header excluded).
pub fn lane_for_sample<'a>(cells: impl Iterator<Item = &'a str>) -> Lane {
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
        Lane::Number
    } else if other == 0 && dates > 0 && numbers == 0 {
        Lane::IsoDate
    } else {
        Lane::Raw
    }
}

impl ColumnBuilder {
    /// Chooses a lane from the sample cells of this column (header excluded).
    pub fn for_sample<'a>(
        cells: impl Iterator<Item = &'a str>,
        rows_hint: usize,
        bytes_hint: usize,
    ) -> Self {
        ColumnBuilder::new(lane_for_sample(cells), rows_hint, bytes_hint)
    }

    /// An empty builder in `lane`, with room reserved for `rows_hint` cells
    /// (and `bytes_hint` bytes of text in the raw lane).
    pub fn new(lane: Lane, rows_hint: usize, bytes_hint: usize) -> Self {
        match lane {
            Lane::Number => {
                let values: Vec<f64> = Vec::with_capacity(rows_hint);
                advise_huge_pages(values.as_ptr().cast(), values.capacity() * 8);
                ColumnBuilder::Number { values, missing: 0 }
            }
            Lane::IsoDate => {
                let values: Vec<i32> = Vec::with_capacity(rows_hint);
                advise_huge_pages(values.as_ptr().cast(), values.capacity() * 4);
                ColumnBuilder::IsoDate { values, missing: 0 }
            }
            Lane::Raw => ColumnBuilder::Raw(TextColumn::with_capacity(rows_hint, bytes_hint)),
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            ColumnBuilder::Number { .. } => Lane::Number,
            ColumnBuilder::IsoDate { .. } => Lane::IsoDate,
            ColumnBuilder::Raw(_) => Lane::Raw,
        }
    }

    /// Cells pushed so far.
    pub fn len(&self) -> usize {
        match self {
            ColumnBuilder::Number { values, .. } => values.len(),
            ColumnBuilder::IsoDate { values, .. } => values.len(),
            ColumnBuilder::Raw(text) => text.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes all cells, keeping the lane and the allocated memory.
    pub fn clear(&mut self) {
        match self {
            ColumnBuilder::Number { values, missing } => {
                values.clear();
                *missing = 0;
            }
            ColumnBuilder::IsoDate { values, missing } => {
                values.clear();
                *missing = 0;
            }
            ColumnBuilder::Raw(text) => text.clear(),
        }
    }

    /// Appends the cells of `other` (read after this builder's cells). Builders
    /// in different lanes are both demoted to text first; for the result to be
    /// what one builder fed all the cells would hold, `other` must not still be
    /// in a fast lane when `self` was already demoted (its cells would come back
    /// as formatted values instead of the raw text). Returns `false` only if a
    /// text arena overflows.
    #[must_use]
    pub fn append(&mut self, mut other: ColumnBuilder) -> bool {
        self.append_from(&mut other)
    }

    /// [`ColumnBuilder::append`] that leaves `other` to be reused (its cells
    /// are kept, possibly demoted to text; [`ColumnBuilder::clear`] it first).
    #[must_use]
    pub fn append_from(&mut self, other: &mut ColumnBuilder) -> bool {
        match (&mut *self, &mut *other) {
            (
                ColumnBuilder::Number { values, missing },
                ColumnBuilder::Number {
                    values: more,
                    missing: more_missing,
                },
            ) => {
                values.extend_from_slice(more);
                *missing += *more_missing;
                true
            }
            (
                ColumnBuilder::IsoDate { values, missing },
                ColumnBuilder::IsoDate {
                    values: more,
                    missing: more_missing,
                },
            ) => {
                values.extend_from_slice(more);
                *missing += *more_missing;
                true
            }
            _ => {
                self.demote();
                other.demote();
                match (self, other) {
                    (ColumnBuilder::Raw(text), ColumnBuilder::Raw(more)) => text.append(more),
                    _ => unreachable!("both builders were demoted"),
                }
            }
        }
    }

    /// Adds a trimmed cell. Returns `false` only if a text arena overflows.
    #[inline(always)]
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
        self.demote_and_push(cell)
    }

    /// The rare end of [`ColumnBuilder::push`]: a cell that does not fit
    /// the fast lane (kept out of line so the common path inlines).
    #[cold]
    #[inline(never)]
    fn demote_and_push(&mut self, cell: &str) -> bool {
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
                data: ColumnData::Number(values).into(),
                info: ColumnInfo {
                    missing,
                    ..ColumnInfo::default()
                },
            },
            ColumnBuilder::IsoDate { values, missing } => Column {
                name: name.to_string(),
                ctype: ColumnType::Date,
                data: ColumnData::Date(values).into(),
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
///
/// The value is exactly `cell.parse::<f64>()`: the common short form
/// (`-?digits[.digits]`, at most 2^53 as an integer and 22 decimals) is
/// computed as one exact integer divided by one exact power of ten, which
/// IEEE division rounds correctly; anything else goes to `str::parse`.
#[inline]
pub fn fast_number(cell: &str) -> Option<f64> {
    let b = cell.as_bytes();
    let n = b.len();
    if n == 0 || n > 24 {
        return None;
    }
    let neg = b[0] == b'-';
    let mut i = neg as usize;
    let mut mantissa: u64 = 0;
    while i < n && b[i].is_ascii_digit() {
        mantissa = mantissa.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
        i += 1;
    }
    let int_digits = i - neg as usize;
    let mut frac_digits = 0;
    let dot = i < n && b[i] == b'.';
    if dot {
        i += 1;
        let start = i;
        while i < n && b[i].is_ascii_digit() {
            mantissa = mantissa.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
            i += 1;
        }
        frac_digits = i - start;
    }
    if i == n {
        let digits = int_digits + frac_digits;
        if digits == 0 || (!neg && !dot && (n == 6 || n == 8)) {
            return None;
        }
        if b[0] == b'0' && n > 1 && b[1].is_ascii_digit() {
            return None;
        }
        if digits <= 19 && mantissa <= 1 << 53 && frac_digits < POW10.len() {
            let v = if frac_digits == 0 {
                mantissa as f64
            } else {
                mantissa as f64 / POW10[frac_digits]
            };
            return Some(if neg { -v } else { v });
        }
    }
    general_number(cell)
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// [`fast_number`] for the forms its shortcut does not cover (exponents,
/// long mantissas, stray signs).
#[cold]
fn general_number(cell: &str) -> Option<f64> {
    let b = cell.as_bytes();
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
    super::values::believable(v).then_some(v)
}

/// `YYYY-MM-DD` with a valid calendar date in 1800..=2200, as days since 1970;
/// also with an ISO time of day (`2024-01-31T08:26:00`, `2024-01-31 08:26`,
/// `...08:26:00.250Z`, `...+08:00`), which is dropped: dates are days.
#[inline]
pub fn fast_iso_date(cell: &str) -> Option<i32> {
    let b = cell.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || (b.len() > 10 && !iso_time_tail(&b[10..])) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0i32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as i32)
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let year = (y - FIRST_YEAR) as usize;
    let leap = (YEAR_START[year + 1] - YEAR_START[year] == 366) as usize;
    let month = (m - 1) as usize;
    if d > MONTH_START[leap][month + 1] - MONTH_START[leap][month] {
        return None;
    }
    Some(YEAR_START[year] + MONTH_START[leap][month] + d - 1)
}

/// `[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`, checked strictly (a cell that only
/// starts like a date-time goes to full inference).
fn iso_time_tail(t: &[u8]) -> bool {
    let two = |i: usize, max: u8| -> bool {
        t.len() >= i + 2
            && t[i].is_ascii_digit()
            && t[i + 1].is_ascii_digit()
            && (t[i] - b'0') * 10 + (t[i + 1] - b'0') <= max
    };
    if t.len() < 6 || !matches!(t[0], b'T' | b' ') || !two(1, 23) || t[3] != b':' || !two(4, 59) {
        return false;
    }
    let mut i = 6;
    if t.len() > i && t[i] == b':' {
        if !two(i + 1, 60) {
            return false;
        }
        i += 3;
        if t.len() > i && t[i] == b'.' {
            i += 1;
            let start = i;
            while i < t.len() && t[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
    }
    match &t[i..] {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] | [b'+' | b'-', h1, h2, m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

const FIRST_YEAR: i32 = 1800;
const LAST_YEAR: i32 = 2200;

/// Days since 1970-01-01 of 1 January of each year from `FIRST_YEAR` to
/// `LAST_YEAR + 1`.
const YEAR_START: [i32; (LAST_YEAR - FIRST_YEAR + 2) as usize] = {
    let mut t = [0; (LAST_YEAR - FIRST_YEAR + 2) as usize];
    let mut i = 0;
    while i < t.len() {
        t[i] = days_from_civil(FIRST_YEAR + i as i32, 1, 1);
        i += 1;
    }
    t
};

/// Days before each month (and after December) in a common and a leap year.
const MONTH_START: [[i32; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// Days since 1970-01-01 (H. Hinnant's algorithm; no allocation, no failure).
const fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
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
    use chrono::{Datelike, NaiveDate};

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

    /// `fast_number` as it was before its shortcut: the reference.
    fn reference_number(cell: &str) -> Option<f64> {
        let b = cell.as_bytes();
        if b.is_empty() || b.len() > 24 {
            return None;
        }
        general_number(cell)
    }

    #[test]
    fn fast_numbers_are_exactly_what_str_parse_gives() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut cell = String::new();
        let mut fast_path = 0;
        for round in 0..400_000 {
            cell.clear();
            if round % 2 == 0 {
                // Any mix of the characters a number can have.
                let alphabet = b"0123456789012345678901234567890123456789.-+eE";
                for _ in 0..next() % 26 {
                    cell.push(alphabet[(next() % alphabet.len() as u64) as usize] as char);
                }
            } else {
                // Decimal numbers of every length and scale.
                if next() % 4 == 0 {
                    cell.push('-');
                }
                let digits = 1 + next() % 21;
                let point = next() % (digits + 1);
                for k in 0..digits {
                    if k == point && k > 0 {
                        cell.push('.');
                    }
                    cell.push((b'0' + (next() % 10) as u8) as char);
                }
            }
            let fast = fast_number(&cell);
            let reference = reference_number(&cell);
            assert_eq!(
                fast.map(f64::to_bits),
                reference.map(f64::to_bits),
                "'{cell}': {fast:?} vs {reference:?}"
            );
            if let Some(v) = fast {
                assert_eq!(
                    v.to_bits(),
                    cell.parse::<f64>().unwrap().to_bits(),
                    "{cell}"
                );
                fast_path += 1;
            }
        }
        assert!(fast_path > 100_000);
        for (cell, value) in [
            ("-0", -0.0f64),
            ("0.1", 0.1),
            ("9007199254740993", 9007199254740992.0),
            ("0.30000000000000004", 0.30000000000000004),
            (".5", 0.5),
            ("5.", 5.0),
            ("123456789.123456789", 123456789.12345679),
        ] {
            assert_eq!(
                fast_number(cell).map(f64::to_bits),
                Some(value.to_bits()),
                "{cell}"
            );
        }
    }

    #[test]
    fn appending_builders_equals_pushing_all_cells_to_one() {
        let cells = ["1", "2.50", "x", "3.50", "NA", "4"];
        for split in 0..=cells.len() {
            let opts = InferOptions::default();
            let mut one = ColumnBuilder::new(Lane::Number, 0, 0);
            for c in cells {
                assert!(one.push(c));
            }
            let mut first = ColumnBuilder::new(Lane::Number, 0, 0);
            // Cells after a demotion are raw text in `one`: so is `second`
            // whenever `first` was demoted.
            for c in &cells[..split] {
                assert!(first.push(c));
            }
            let mut second = ColumnBuilder::new(first.lane(), 0, 0);
            for c in &cells[split..] {
                assert!(second.push(c));
            }
            assert!(first.append(second));
            assert_eq!(first.len(), cells.len());
            let (a, b) = (one.finish("x", &opts), first.finish("x", &opts));
            assert_eq!((a.ctype, &a.info), (b.ctype, &b.info), "split {split}");
            assert_eq!(a.data.display(3), b.data.display(3));
        }
    }

    #[test]
    fn fast_dates_match_chrono_on_every_day_of_the_range() {
        for y in [
            1799, 1800, 1900, 1970, 2000, 2023, 2024, 2100, 2200, 2201, 9999,
        ] {
            for m in 0..=13 {
                for d in 0..=32 {
                    let s = format!("{y:04}-{m:02}-{d:02}");
                    let expected = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                        .ok()
                        .filter(|_| (1800..=2200).contains(&y))
                        .map(date_to_days);
                    assert_eq!(fast_iso_date(&s), expected, "{s}");
                }
            }
        }
        let mut day = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        while day.year() <= 2200 {
            let s = day.format("%Y-%m-%d").to_string();
            assert_eq!(fast_iso_date(&s), Some(date_to_days(day)), "{s}");
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn fast_dates_take_iso_date_times_and_leave_the_rest_to_inference() {
        let day = fast_iso_date("2024-01-31");
        assert!(day.is_some());
        for s in [
            "2024-01-31T08:26:00",
            "2024-01-31 08:26",
            "2024-01-31 23:59:60",
            "2024-01-31T08:26:00.250Z",
            "2024-01-31T08:26:00+08:00",
            "2024-01-31T08:26-0500",
        ] {
            assert_eq!(fast_iso_date(s), day, "{s}");
        }
        for s in [
            "2024-01-31 8:26",
            "2024-01-31 24:00",
            "2024-01-31T08:26:00.",
            "2024-01-31 08:26 PM",
            "2024-01-31x08:26",
            "2024-01-31 ",
            "2024-02-30 08:26",
        ] {
            assert_eq!(fast_iso_date(s), None, "{s}");
        }
        // The lane a date-time column takes, and what it reads.
        let cells = ["2024-01-31T08:26:00", "2024-02-01T17:00:00"];
        let b = ColumnBuilder::for_sample(cells.iter().copied(), 2, 64);
        assert_eq!(b.lane(), Lane::IsoDate);
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
