//! Type inference: one column of raw cells in, one typed column out.
//!
//! The whole column is scanned before a type is chosen, so a date column whose
//! first rows happen to read both ways (03/04/2024) is decided by the rows that
//! cannot (25/04/2024). A column takes a type when at least
//! [`TYPE_SHARE`] of its non-missing cells fit it; the rest become missing
//! and are counted with examples, so messy exports still load and nothing is
//! silently lost.

use super::values::{
    DateToken, MAX_MAGNITUDE, NumberStyle, beyond_magnitude, is_flag_token, is_missing_token,
    looks_like_id_with_leading_zero, parse_date_token, parse_flag, parse_number,
};
use crate::pipeline::table::{
    Column, ColumnData, ColumnInfo, ColumnType, MISSING_DATE, TextColumn, date_to_days,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Share of non-missing cells that must fit a type for the column to take it.
pub const TYPE_SHARE: f64 = 0.9;
/// Share of written-out dates (2024-01-31, 31/01/2024) that makes a column
/// whose name says "date" a date column: a messy date column must still
/// load as dates, with its bad cells counted and shown, not fall back to text.
pub const HINTED_DATE_SHARE: f64 = 0.5;
const EXAMPLES: usize = 5;

/// How to read dates like 03/04/2024 when nothing in the column decides it.
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
    parse_err_ty = String,
    parse_err_fn = unknown_date_order
)]
pub enum DateOrder {
    /// 03/04/2024 is 3 April (most of the world, including Chinese and Indian exports).
    #[default]
    #[strum(to_string = "dmy", serialize = "day-first", serialize = "dayfirst")]
    Dmy,
    /// 03/04/2024 is 4 March (US exports).
    #[strum(to_string = "mdy", serialize = "month-first", serialize = "monthfirst")]
    Mdy,
}

fn unknown_date_order(s: &str) -> String {
    format!("unknown date order '{s}' (use dmy or mdy)")
}

#[derive(Clone, Copy, Debug, Default)]
pub struct InferOptions {
    pub date_order: DateOrder,
}

/// What a raw column could be, counted over all its cells.
#[derive(Default)]
struct Census {
    non_missing: usize,
    numbers_dot: usize,
    numbers_comma: usize,
    percents: usize,
    leading_zero_ids: usize,
    flags: usize,
    dates_full: usize,
    pairs_dmy_only: usize,
    pairs_mdy_only: usize,
    pairs_both: usize,
    compact8: usize,
    compact6: usize,
}

/// Whether a cell could read as a decimal-comma number at all. A cell that
/// already read as a dot-decimal number, has no comma and does not end in a
/// three-digit group after its last dot ("9983.29") cannot; skipping it keeps
/// the census cheap on the common case.
fn comma_reading_possible(bytes: &[u8], dot_ok: bool) -> bool {
    if !dot_ok || bytes.contains(&b',') {
        return true;
    }
    match bytes.iter().rposition(|&b| b == b'.') {
        Some(p) => bytes.len() - p - 1 == 3,
        None => true,
    }
}

#[derive(Default)]
struct Misfits {
    number: usize,
    date: usize,
    flag: usize,
}

/// Infers the type of one column and converts it. `raw` holds trimmed cells.
pub fn infer_column(name: &str, raw: TextColumn, opts: &InferOptions) -> Column {
    let n = raw.len();
    let hinted = name_suggests_date(name);
    let Some((census, numbers)) = take_census(&raw, hinted) else {
        let (data, missing) = text_without_missing_tokens(raw);
        let info = ColumnInfo {
            missing,
            ..ColumnInfo::default()
        };
        return finish(name, ColumnType::Text, data, info);
    };

    let missing = n - census.non_missing;
    let share = |count: usize| {
        census.non_missing > 0 && count as f64 >= TYPE_SHARE * census.non_missing as f64
    };
    let mut info = ColumnInfo {
        missing,
        ..ColumnInfo::default()
    };

    if census.non_missing == 0 {
        info.notes.push("every cell is empty".into());
        return finish(
            name,
            ColumnType::Text,
            text_without_missing_tokens(raw).0,
            info,
        );
    }

    // Flags before numbers so "1"/"0" columns stay numeric but Y/N become 1/0.
    if census.flags == census.non_missing && census.numbers_dot < census.non_missing {
        let values = (0..n)
            .map(|i| parse_flag(raw.raw(i)).map_or(f64::NAN, |b| b as u8 as f64))
            .collect();
        info.notes.push("yes/no values stored as 1/0".into());
        return finish(name, ColumnType::Flag, ColumnData::Number(values), info);
    }

    let pairs = census.pairs_both + census.pairs_dmy_only + census.pairs_mdy_only;
    let written_dates = census.dates_full + pairs;
    let hinted_dates = hinted
        && written_dates as f64 >= HINTED_DATE_SHARE * census.non_missing as f64
        && written_dates > census.numbers_dot.max(census.numbers_comma);
    let compact8_is_date = share(census.compact8)
        && (hinted || census.compact8 as f64 >= 0.99 * census.non_missing as f64);
    let compact6_is_date = hinted && share(census.compact6);
    if share(written_dates) || hinted_dates || compact8_is_date || compact6_is_date {
        let order = decide_date_order(name, &census, opts, &mut info);
        let data = convert_dates(&raw, order, compact8_is_date, compact6_is_date, &mut info);
        return finish(name, ColumnType::Date, ColumnData::Date(data), info);
    }

    if share(census.numbers_dot.max(census.numbers_comma)) {
        return number_column(name, raw, numbers, &census, info);
    }

    drop(numbers);
    finish(
        name,
        ColumnType::Text,
        text_without_missing_tokens(raw).0,
        info,
    )
}

/// The census pass over every cell, with the numbers parsed speculatively
/// (most columns are numeric, and then no second pass is needed). `None`
/// when the column is text: cells that fit no typed reading are counted per
/// type, a type with more misfits than 10% of all rows is out, and when
/// every type is out the rest of the column need not be parsed.
fn take_census(raw: &TextColumn, hinted: bool) -> Option<(Census, Vec<f64>)> {
    let n = raw.len();
    let mut census = Census::default();
    let mut numbers = Vec::with_capacity(n);
    let mut misfits = Misfits::default();
    let give_up = (n as f64 * (1.0 - TYPE_SHARE)).floor() as usize;
    let date_give_up = if hinted {
        (n as f64 * (1.0 - HINTED_DATE_SHARE)).floor() as usize
    } else {
        give_up
    };
    for i in 0..n {
        let cell = raw.raw(i);
        if is_missing_token(cell) {
            numbers.push(f64::NAN);
            continue;
        }
        if misfits.number > give_up && misfits.date > date_give_up && misfits.flag > give_up {
            return None;
        }
        census.non_missing += 1;
        census.count_cell(cell, &mut numbers, &mut misfits);
    }
    Some((census, numbers))
}

impl Census {
    /// Counts what one non-missing cell could be read as, and pushes its
    /// dot-decimal number (NaN when it is none).
    #[inline]
    fn count_cell(&mut self, cell: &str, numbers: &mut Vec<f64>, misfits: &mut Misfits) {
        let bytes = cell.as_bytes();
        let all_digits = bytes.iter().all(u8::is_ascii_digit);
        let dot = parse_number(cell, NumberStyle::DotDecimal);
        // `1e200` is written as a number but too large to compute with: it
        // still makes the column numeric (read as missing and reported), so
        // a column of only such values is not quietly kept as text.
        let unbelievable = dot.is_none() && beyond_magnitude(cell);
        match dot {
            Some(p) => {
                self.numbers_dot += 1;
                self.percents += p.percent as usize;
                if all_digits && looks_like_id_with_leading_zero(cell) {
                    self.leading_zero_ids += 1;
                }
                numbers.push(p.value);
            }
            None => {
                self.numbers_dot += unbelievable as usize;
                numbers.push(f64::NAN)
            }
        }
        // Plain integers read the same in both styles; only parse again when
        // a '.' or ',' could mean something else.
        if all_digits
            || (comma_reading_possible(bytes, dot.is_some())
                && parse_number(cell, NumberStyle::CommaDecimal).is_some())
        {
            self.numbers_comma += 1;
        } else if dot.is_none() && !unbelievable {
            misfits.number += 1;
        }
        if bytes.len() <= 5 && !all_digits && is_flag_token(cell) {
            self.flags += 1;
        } else {
            misfits.flag += 1;
        }
        // A number is only worth a date look when it is 6 or 8 digits.
        let date_candidate = dot.is_none() || (all_digits && matches!(bytes.len(), 6 | 8));
        if date_candidate {
            self.count_date(cell, misfits);
        } else {
            misfits.date += 1;
        }
    }

    /// Counts which date reading (full, day/month pair, compact) a cell has.
    #[inline]
    fn count_date(&mut self, cell: &str, misfits: &mut Misfits) {
        match parse_date_token(cell) {
            None => misfits.date += 1,
            Some(DateToken::Full(..)) => self.dates_full += 1,
            Some(DateToken::Pair { a, b, year }) => {
                let dmy = valid_ymd(year, b, a);
                let mdy = valid_ymd(year, a, b);
                match (dmy, mdy) {
                    (true, true) => self.pairs_both += 1,
                    (true, false) => self.pairs_dmy_only += 1,
                    (false, true) => self.pairs_mdy_only += 1,
                    (false, false) => misfits.date += 1,
                }
            }
            Some(DateToken::Compact8(y, m, d)) => self.compact8 += valid_ymd(y, m, d) as usize,
            Some(DateToken::Compact6(y, m, d)) => self.compact6 += valid_ymd(y, m, d) as usize,
        }
    }
}

/// A column that reads as numbers: kept as text when its numbers are
/// identifiers (leading zeros, or codes among them), else re-read with a
/// decimal comma when that style won the census.
fn number_column(
    name: &str,
    raw: TextColumn,
    mut numbers: Vec<f64>,
    census: &Census,
    mut info: ColumnInfo,
) -> Column {
    let n = raw.len();
    if census.leading_zero_ids > 0 && census.percents == 0 {
        // "000123" is an identifier: reading it as 123 would lose the zeros.
        info.notes
            .push("numbers with leading zeros kept as text (identifiers)".into());
        drop(numbers);
        return finish(
            name,
            ColumnType::Text,
            text_without_missing_tokens(raw).0,
            info,
        );
    }
    if census.numbers_comma > census.numbers_dot {
        numbers = (0..n)
            .map(|i| {
                let cell = raw.raw(i);
                if is_missing_token(cell) {
                    f64::NAN
                } else {
                    parse_number(cell, NumberStyle::CommaDecimal).map_or(f64::NAN, |p| p.value)
                }
            })
            .collect();
        info.notes.push("decimal comma (1.234,56) detected".into());
    }
    if census.percents > 0 {
        info.notes
            .push("percent values stored as fractions (12.5% -> 0.125)".into());
    }
    collect_unparsed(&raw, &numbers, |x: &f64| x.is_nan(), &mut info);
    if info.unparsed > 0 && codes_among_numbers(&numbers, &info) {
        // "536365" next to "C536379": invoice or item codes, not amounts;
        // reading them as numbers would lose the codes (a cancellation's
        // leading C among them).
        info.notes.push(format!(
            "whole numbers mixed with codes like '{}': kept as text (identifiers)",
            info.unparsed_examples[0].1
        ));
        info.unparsed = 0;
        info.unparsed_examples.clear();
        drop(numbers);
        return finish(
            name,
            ColumnType::Text,
            text_without_missing_tokens(raw).0,
            info,
        );
    }
    if info.unparsed > 0 {
        note_beyond_magnitude(&raw, &numbers, &mut info);
    }
    finish(name, ColumnType::Number, ColumnData::Number(numbers), info)
}

/// Whether the cells that did not read as numbers are codes of the same
/// family as the numbers: every number a whole number, nearly all of them
/// with 4 digits or more, and every unreadable example digits with a short
/// letter prefix or suffix ("C536379", "85123A", "INV-10021").
fn codes_among_numbers(numbers: &[f64], info: &ColumnInfo) -> bool {
    let code = |cell: &str| {
        let b = cell.as_bytes();
        let lead = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let rest = &b[lead..];
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let tail = &rest[digits..];
        lead <= 3
            && digits >= 4
            && tail.len() <= 3
            && tail.iter().all(u8::is_ascii_alphabetic)
            && lead + tail.len() > 0
    };
    if !info.unparsed_examples.iter().all(|(_, v)| code(v)) {
        return false;
    }
    let (mut whole, mut long) = (0usize, 0usize);
    for &x in numbers.iter().filter(|x| !x.is_nan()) {
        if x.fract() != 0.0 || x < 0.0 {
            return false;
        }
        whole += 1;
        long += (x >= 1000.0) as usize;
    }
    whole > 0 && long * 10 >= whole * 9
}

fn finish(name: &str, ctype: ColumnType, data: ColumnData, info: ColumnInfo) -> Column {
    Column {
        name: name.to_string(),
        ctype,
        data: data.into(),
        info,
    }
}

/// Years outside this window are typos or placeholders, not dates.
fn valid_ymd(y: i32, m: u32, d: u32) -> bool {
    (1800..=2200).contains(&y) && NaiveDate::from_ymd_opt(y, m, d).is_some()
}

/// Column names that make a 6- or 8-digit number more likely a date.
pub fn name_suggests_date(name: &str) -> bool {
    let lower = name.to_lowercase();
    [
        "date", "dob", "birth", "time", "day", "dt", "日期", "生日", "时间", "日",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

fn decide_date_order(
    name: &str,
    c: &Census,
    opts: &InferOptions,
    info: &mut ColumnInfo,
) -> DateOrder {
    match (c.pairs_dmy_only > 0, c.pairs_mdy_only > 0) {
        (true, false) => DateOrder::Dmy,
        (false, true) => DateOrder::Mdy,
        (true, true) => {
            let order = if c.pairs_dmy_only >= c.pairs_mdy_only {
                DateOrder::Dmy
            } else {
                DateOrder::Mdy
            };
            info.notes.push(format!(
                "column '{name}' mixes day-first ({}) and month-first ({}) dates; read as {}, the others are unparsed",
                c.pairs_dmy_only,
                c.pairs_mdy_only,
                order_name(order)
            ));
            order
        }
        (false, false) => {
            if c.pairs_both > 0 {
                info.date_order_guessed = Some(opts.date_order);
                // Each face says how to change it, from `date_order_guessed`.
                info.notes.push(format!(
                    "dates like 03/04/2024 are ambiguous; read as {}",
                    order_name(opts.date_order)
                ));
            }
            opts.date_order
        }
    }
}

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "day/month/year",
        DateOrder::Mdy => "month/day/year",
    }
}

fn convert_dates(
    raw: &TextColumn,
    order: DateOrder,
    compact8: bool,
    compact6: bool,
    info: &mut ColumnInfo,
) -> Vec<i32> {
    let days: Vec<i32> = (0..raw.len())
        .map(|i| {
            let cell = raw.raw(i);
            if is_missing_token(cell) {
                return MISSING_DATE;
            }
            let ymd = match parse_date_token(cell) {
                Some(DateToken::Full(y, m, d)) => Some((y, m, d)),
                Some(DateToken::Pair { a, b, year }) => match order {
                    DateOrder::Dmy => Some((year, b, a)),
                    DateOrder::Mdy => Some((year, a, b)),
                },
                Some(DateToken::Compact8(y, m, d)) if compact8 => Some((y, m, d)),
                Some(DateToken::Compact6(y, m, d)) if compact6 => Some((y, m, d)),
                _ => None,
            };
            ymd.filter(|&(y, m, d)| valid_ymd(y, m, d))
                .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
                .map_or(MISSING_DATE, date_to_days)
        })
        .collect();
    collect_unparsed(raw, &days, |&d: &i32| d == MISSING_DATE, info);
    days
}

/// Says why numbers like `1e308` were not read: they are beyond
/// [`MAX_MAGNITUDE`] (they would make sums and means infinite).
fn note_beyond_magnitude(raw: &TextColumn, numbers: &[f64], info: &mut ColumnInfo) {
    let mut count = 0usize;
    let mut first: Option<&str> = None;
    for (i, _) in numbers.iter().enumerate().filter(|(_, x)| x.is_nan()) {
        let cell = raw.raw(i);
        if beyond_magnitude(cell) {
            count += 1;
            first.get_or_insert(cell);
        }
    }
    if let Some(cell) = first {
        info.notes.push(format!(
            "{count} value{} beyond ±{MAX_MAGNITUDE:e} (such as '{}') read as missing: no amount is that large, and such values make sums infinite",
            if count == 1 { "" } else { "s" },
            crate::escape::excerpt(cell.trim(), 24)
        ));
    }
}

/// Counts cells that were present in the file but did not convert.
fn collect_unparsed<T>(
    raw: &TextColumn,
    values: &[T],
    failed: impl Fn(&T) -> bool,
    info: &mut ColumnInfo,
) {
    for (i, v) in values.iter().enumerate() {
        if failed(v) {
            let cell = raw.raw(i);
            if !is_missing_token(cell) {
                info.unparsed += 1;
                if info.unparsed_examples.len() < EXAMPLES {
                    info.unparsed_examples.push((i, cell.to_string()));
                }
            }
        }
    }
}

/// The text column with missing-value tokens ("NA", "-") made missing, and
/// how many cells are missing.
fn text_without_missing_tokens(raw: TextColumn) -> (ColumnData, usize) {
    let (mut empty, mut tokens) = (0, 0);
    for i in 0..raw.len() {
        let c = raw.raw(i);
        if c.is_empty() {
            empty += 1;
        } else if is_missing_token(c) {
            tokens += 1;
        }
    }
    if tokens == 0 {
        return (ColumnData::Text(raw), empty);
    }
    let cleaned = TextColumn::from_values((0..raw.len()).map(|i| {
        let c = raw.raw(i);
        (!is_missing_token(c)).then_some(c)
    }));
    (ColumnData::Text(cleaned), empty + tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::format_date;

    fn infer(name: &str, cells: &[&str]) -> Column {
        let raw = TextColumn::from_values(cells.iter().map(|c| Some(*c)));
        infer_column(name, raw, &InferOptions::default())
    }

    fn dates(col: &Column) -> Vec<String> {
        col.dates()
            .unwrap()
            .iter()
            .map(|&d| format_date(d))
            .collect()
    }

    #[test]
    fn numbers_with_separators_currency_and_percent() {
        let c = infer(
            "x",
            &[
                "1,234.56",
                " ¥2,000 ",
                "$3",
                "€4.5",
                "£-5",
                "12.5%",
                "(1,000.00)",
            ],
        );
        assert_eq!(c.ctype, ColumnType::Number);
        assert_eq!(
            c.numbers().unwrap(),
            &[1234.56, 2000.0, 3.0, 4.5, -5.0, 0.125, -1000.0]
        );
        assert!(c.info.notes.iter().any(|n| n.contains("percent")));
    }

    #[test]
    fn decimal_comma_column() {
        let c = infer("Saldo", &["1.234,56", "12,5", "7"]);
        assert_eq!(c.ctype, ColumnType::Number);
        assert_eq!(c.numbers().unwrap(), &[1234.56, 12.5, 7.0]);
    }

    #[test]
    fn messy_numeric_column_keeps_type_and_counts_bad_cells() {
        let mut cells = vec!["10"; 19];
        cells.push("unknown");
        cells.push("NA");
        let c = infer("Age", &cells);
        assert_eq!(c.ctype, ColumnType::Number);
        assert_eq!(c.info.missing, 1);
        assert_eq!(c.info.unparsed, 1);
        assert_eq!(c.info.unparsed_examples, vec![(19, "unknown".to_string())]);
    }

    #[test]
    fn iso_slash_and_chinese_dates() {
        let c = infer(
            "d",
            &[
                "2024-01-31",
                "2024/02/29",
                "2024年3月1日",
                "2024.12.05",
                "2024-01-31 10:22:00",
            ],
        );
        assert_eq!(c.ctype, ColumnType::Date);
        assert_eq!(
            dates(&c),
            [
                "2024-01-31",
                "2024-02-29",
                "2024-03-01",
                "2024-12-05",
                "2024-01-31"
            ]
        );
    }

    #[test]
    fn day_first_decided_by_the_whole_column() {
        let c = infer("d", &["03/04/2024", "01/02/2024", "25/12/2023"]);
        assert_eq!(dates(&c), ["2024-04-03", "2024-02-01", "2023-12-25"]);
        let c = infer("d", &["03/04/2024", "01/02/2024", "12/25/2023"]);
        assert_eq!(dates(&c), ["2024-03-04", "2024-01-02", "2023-12-25"]);
    }

    #[test]
    fn ambiguous_dates_follow_the_option_and_warn() {
        let raw = TextColumn::from_values([Some("03/04/2024"), Some("05/06/2024")]);
        let c = infer_column("d", raw.clone(), &InferOptions::default());
        assert_eq!(dates(&c), ["2024-04-03", "2024-06-05"]);
        assert!(c.info.notes.iter().any(|n| n.contains("ambiguous")));
        let c = infer_column(
            "d",
            raw,
            &InferOptions {
                date_order: DateOrder::Mdy,
            },
        );
        assert_eq!(dates(&c), ["2024-03-04", "2024-05-06"]);
    }

    #[test]
    fn compact_and_two_digit_year_dates() {
        let c = infer("open_date", &["20240131", "19991231"]);
        assert_eq!(dates(&c), ["2024-01-31", "1999-12-31"]);
        let c = infer("birth", &["930101", "051231"]);
        assert_eq!(dates(&c), ["1993-01-01", "2005-12-31"]);
        // Six digits without a date-like name are just numbers.
        let c = infer("amount", &["930101", "151231"]);
        assert_eq!(c.ctype, ColumnType::Number);
        // Kaggle-style d/m/yy.
        let c = infer("CustomerDOB", &["10/1/94", "26/11/85"]);
        assert_eq!(dates(&c), ["1994-01-10", "1985-11-26"]);
        let c = infer("d", &["31-Jan-2024", "5 Mar 2023"]);
        assert_eq!(dates(&c), ["2024-01-31", "2023-03-05"]);
    }

    #[test]
    fn date_times_are_dates_and_times_of_day_are_not_numbers() {
        // Online Retail's month-first date-times: the column decides the order.
        let c = infer(
            "InvoiceDate",
            &["12/1/2010 08:26", "12/13/2010 17:06", "1/4/2011 10:00"],
        );
        assert_eq!(c.ctype, ColumnType::Date);
        assert_eq!(dates(&c), ["2010-12-01", "2010-12-13", "2011-01-04"]);
        let c = infer(
            "when",
            &[
                "2024-01-31T08:26:00",
                "2024-02-01 17:06:59",
                "2024-03-05T23:00:00Z",
            ],
        );
        assert_eq!(c.ctype, ColumnType::Date);
        assert_eq!(dates(&c), ["2024-01-31", "2024-02-01", "2024-03-05"]);
        for cells in [
            &["14:32:07", "09:05:00", "23:59:59"][..],
            &["14:32", "09:05", "23:59"][..],
        ] {
            let c = infer("TxnTime", cells);
            assert_eq!(c.ctype, ColumnType::Text, "{cells:?}");
        }
    }

    #[test]
    fn codes_among_whole_numbers_stay_text() {
        let mut cells = vec!["536365"; 30];
        cells.extend(["536366", "C536379", "536367"]);
        let c = infer("InvoiceNo", &cells);
        assert_eq!(c.ctype, ColumnType::Text);
        assert_eq!(c.texts().unwrap().get(31), Some("C536379"));
        assert!(c.info.notes.iter().any(|n| n.contains("'C536379'")));
        let mut cells = vec!["85123"; 30];
        cells.push("85123A");
        assert_eq!(infer("StockCode", &cells).ctype, ColumnType::Text);
        // A quantity with a stray word stays a number, its cell unparsed.
        let mut cells = vec!["12"; 30];
        cells.push("12pcs");
        let c = infer("Quantity", &cells);
        assert_eq!((c.ctype, c.info.unparsed), (ColumnType::Number, 1));
        // Amounts with a stray code stay numbers.
        let mut cells = vec!["1500.25"; 30];
        cells.push("C536379");
        assert_eq!(infer("Amount", &cells).ctype, ColumnType::Number);
    }

    #[test]
    fn flags_become_one_and_zero() {
        let c = infer("active", &["Y", "n", "yes", "FALSE", "是", "否", ""]);
        assert_eq!(c.ctype, ColumnType::Flag);
        let v = c.numbers().unwrap();
        assert_eq!(&v[..6], &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert!(v[6].is_nan());
        // 1/0 columns stay plain numbers.
        assert_eq!(infer("f", &["1", "0"]).ctype, ColumnType::Number);
    }

    #[test]
    fn ids_with_leading_zeros_stay_text() {
        let c = infer("id", &["000123", "000124", "100125"]);
        assert_eq!(c.ctype, ColumnType::Text);
        assert_eq!(c.texts().unwrap().get(0), Some("000123"));
    }

    #[test]
    fn missing_tokens_everywhere() {
        let c = infer("g", &["M", "NULL", "F", "N/A", "-", "无"]);
        assert_eq!(c.ctype, ColumnType::Text);
        assert_eq!(c.info.missing, 4);
        assert_eq!(c.texts().unwrap().get(1), None);
        let c = infer("g", &["", "NA"]);
        assert_eq!(c.ctype, ColumnType::Text);
        assert_eq!(c.info.missing, 2);
    }

    #[test]
    fn non_finite_numbers_are_not_numbers() {
        let c = infer(
            "x",
            &["1", "2", "inf", "3", "4", "5", "6", "7", "8", "9", "10"],
        );
        assert_eq!(c.ctype, ColumnType::Number);
        assert_eq!(c.info.unparsed, 1);
    }
}
