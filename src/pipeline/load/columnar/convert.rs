//! Arrow arrays into the table's columns, batch after batch.
//!
//! Each Arrow type maps straight to a column type: integers, floats and
//! decimals are numbers; dates and timestamps are dates (a timestamp's
//! calendar day, in its zone when the zone is a fixed offset or a zone
//! without daylight saving custseg knows, else UTC with a warning);
//! booleans are flags (1/0); strings (plain, large, view, dictionary) are
//! text and go through the same type inference as a CSV cell; nulls are
//! missing. An integer column holding a value a float cannot hold exactly
//! (beyond 2^53: card or account numbers) is kept as exact text instead.

use super::super::infer::{InferOptions, infer_column};
use crate::pipeline::table::{Column, ColumnInfo, ColumnType, MISSING_DATE, TextColumn};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};

/// Largest integer every value up to which an f64 holds exactly.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// How a column of a given Arrow type is read, or why it is not.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    Number,
    Flag,
    /// Days from a date or timestamp; the offset (seconds east of UTC) of the zone.
    Date {
        offset_secs: i64,
    },
    Text,
    /// Not loaded; the words say what the type is.
    Skip(String),
}

/// The plan for a column of `dt`, and a warning when a zone is read as UTC.
pub fn plan(dt: &DataType) -> (Plan, Option<String>) {
    use DataType::*;
    let p = match dt {
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => Plan::Number,
        Float16 | Float32 | Float64 => Plan::Number,
        Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => Plan::Number,
        Boolean => Plan::Flag,
        Date32 | Date64 => Plan::Date { offset_secs: 0 },
        Timestamp(_, None) => Plan::Date { offset_secs: 0 },
        Timestamp(_, Some(tz)) => {
            return match zone_offset(tz) {
                Some(offset_secs) => (Plan::Date { offset_secs }, None),
                None => (
                    Plan::Date { offset_secs: 0 },
                    Some(format!(
                        "time zone '{tz}' is not a fixed offset custseg knows; its timestamps were read as UTC dates"
                    )),
                ),
            };
        }
        Utf8 | LargeUtf8 | Utf8View | Null => Plan::Text,
        Dictionary(_, v) if matches!(**v, Utf8 | LargeUtf8 | Utf8View) => Plan::Text,
        Dictionary(_, v) => Plan::Skip(format!("a dictionary of {v}")),
        List(_) | LargeList(_) | ListView(_) | LargeListView(_) | FixedSizeList(..) => {
            Plan::Skip("a list (nested)".into())
        }
        Struct(_) => Plan::Skip("a struct (nested)".into()),
        Map(..) => Plan::Skip("a map (nested)".into()),
        Union(..) => Plan::Skip("a union (nested)".into()),
        other => Plan::Skip(format!("{other}")),
    };
    (p, None)
}

/// Seconds east of UTC for a zone written as an offset or named after a
/// zone without daylight saving today.
fn zone_offset(tz: &str) -> Option<i64> {
    let t = tz.trim();
    let named = match t {
        "UTC" | "Z" | "Etc/UTC" | "GMT" | "Etc/GMT" | "utc" => Some(0),
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Hong_Kong" | "Asia/Macau" | "Asia/Taipei"
        | "Asia/Singapore" | "Asia/Kuala_Lumpur" | "Asia/Manila" | "PRC" => Some(8 * 3600),
        "Asia/Tokyo" | "Asia/Seoul" => Some(9 * 3600),
        "Asia/Kolkata" | "Asia/Calcutta" => Some(5 * 3600 + 1800),
        "Asia/Dubai" => Some(4 * 3600),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = digits[2..].parse().ok()?;
    (h <= 18 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// One column being filled.
pub enum Acc {
    Number(Vec<f64>),
    Flag(Vec<f64>),
    Date(Vec<i32>, i64),
    Text(TextColumn),
}

/// Why a batch could not be added to a column.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// The text of one column passed 4 GiB.
    TextTooLarge,
    /// The array's type is not the column's (a damaged or inconsistent file).
    TypeChanged(String),
}

/// A column's accumulator with what it noticed.
pub struct ColumnAcc {
    pub name: String,
    pub acc: Acc,
    /// Values a float cannot hold or that were not finite, made missing.
    non_finite: usize,
    /// An integer column turned to exact text.
    as_exact_text: bool,
    timestamps_with_time: bool,
}

impl ColumnAcc {
    pub fn new(name: String, plan: &Plan, rows: usize) -> Self {
        let acc = match plan {
            Plan::Number => Acc::Number(Vec::with_capacity(rows)),
            Plan::Flag => Acc::Flag(Vec::with_capacity(rows)),
            Plan::Date { offset_secs } => Acc::Date(Vec::with_capacity(rows), *offset_secs),
            Plan::Text | Plan::Skip(_) => Acc::Text(TextColumn::default()),
        };
        ColumnAcc {
            name,
            acc,
            non_finite: 0,
            as_exact_text: false,
            timestamps_with_time: false,
        }
    }

    /// Bytes held so far (for the memory budget).
    pub fn heap_bytes(&self) -> u64 {
        (match &self.acc {
            Acc::Number(v) | Acc::Flag(v) => v.len() * 8,
            Acc::Date(v, _) => v.len() * 4,
            Acc::Text(t) => t.heap_bytes(),
        }) as u64
    }

    /// Appends one array (a batch of this column).
    pub fn push(&mut self, array: &dyn Array) -> Result<(), Refused> {
        match &mut self.acc {
            Acc::Number(_) => self.push_numbers(array),
            Acc::Flag(out) => {
                let b = array
                    .as_boolean_opt()
                    .ok_or_else(|| changed(array, "booleans"))?;
                out.extend(
                    b.iter()
                        .map(|v| v.map_or(f64::NAN, |x| f64::from(u8::from(x)))),
                );
                Ok(())
            }
            Acc::Date(out, offset) => {
                let offset = *offset;
                let mut with_time = false;
                push_dates(array, out, offset, &mut with_time)?;
                self.timestamps_with_time |= with_time;
                Ok(())
            }
            Acc::Text(out) => push_text(array, out),
        }
    }

    fn push_numbers(&mut self, array: &dyn Array) -> Result<(), Refused> {
        use DataType::*;
        let before = self.len();
        let mut ints: Vec<Option<i128>> = Vec::new();
        let mut floats: Vec<f64> = Vec::new();
        match array.data_type() {
            Int8 => ints.extend(prim::<Int8Type>(array).iter().map(|v| v.map(i128::from))),
            Int16 => ints.extend(prim::<Int16Type>(array).iter().map(|v| v.map(i128::from))),
            Int32 => ints.extend(prim::<Int32Type>(array).iter().map(|v| v.map(i128::from))),
            Int64 => ints.extend(prim::<Int64Type>(array).iter().map(|v| v.map(i128::from))),
            UInt8 => ints.extend(prim::<UInt8Type>(array).iter().map(|v| v.map(i128::from))),
            UInt16 => ints.extend(prim::<UInt16Type>(array).iter().map(|v| v.map(i128::from))),
            UInt32 => ints.extend(prim::<UInt32Type>(array).iter().map(|v| v.map(i128::from))),
            UInt64 => ints.extend(prim::<UInt64Type>(array).iter().map(|v| v.map(i128::from))),
            Float16 => floats.extend(
                prim::<Float16Type>(array)
                    .iter()
                    .map(|v| v.map_or(f64::NAN, f64::from)),
            ),
            Float32 => floats.extend(
                prim::<Float32Type>(array)
                    .iter()
                    .map(|v| v.map_or(f64::NAN, f64::from)),
            ),
            Float64 => floats.extend(
                prim::<Float64Type>(array)
                    .iter()
                    .map(|v| v.unwrap_or(f64::NAN)),
            ),
            Decimal32(_, s) => {
                floats.extend(decimals(prim::<Decimal32Type>(array), *s, |v| v as f64))
            }
            Decimal64(_, s) => {
                floats.extend(decimals(prim::<Decimal64Type>(array), *s, |v| v as f64))
            }
            Decimal128(_, s) => {
                floats.extend(decimals(prim::<Decimal128Type>(array), *s, |v| v as f64))
            }
            Decimal256(_, s) => floats.extend(decimals(prim::<Decimal256Type>(array), *s, |v| {
                v.to_string().parse::<f64>().unwrap_or(f64::NAN)
            })),
            _ => return Err(changed(array, "numbers")),
        }
        if !ints.is_empty() {
            self.push_ints(&ints)
        } else {
            self.push_floats(&floats, array);
            debug_assert_eq!(self.len(), before + array.len());
            Ok(())
        }
    }

    fn push_floats(&mut self, floats: &[f64], array: &dyn Array) {
        let Acc::Number(out) = &mut self.acc else {
            return;
        };
        for (i, &x) in floats.iter().enumerate() {
            if x.is_finite() {
                out.push(x);
            } else {
                // NaN or infinity in a value that is there: not a number a
                // customer can have; missing, and counted.
                self.non_finite += usize::from(array.is_valid(i));
                out.push(f64::NAN);
            }
        }
    }

    fn push_ints(&mut self, ints: &[Option<i128>]) -> Result<(), Refused> {
        if !self.as_exact_text && ints.iter().flatten().any(|&v| (v as f64).abs() > EXACT_INT) {
            self.switch_to_exact_text()?;
        }
        match &mut self.acc {
            Acc::Number(out) => out.extend(ints.iter().map(|v| v.map_or(f64::NAN, |x| x as f64))),
            Acc::Text(out) => {
                for v in ints {
                    match v {
                        Some(x) => {
                            if !out.push(&x.to_string()) {
                                return Err(Refused::TextTooLarge);
                            }
                        }
                        None => out.push_missing(),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The integers so far (all exact in f64) as text, and text from now on.
    fn switch_to_exact_text(&mut self) -> Result<(), Refused> {
        let Acc::Number(values) = &self.acc else {
            return Ok(());
        };
        let mut text = TextColumn::with_capacity(values.len(), values.len() * 8);
        for &x in values {
            if x.is_nan() {
                text.push_missing();
            } else if !text.push(&format!("{}", x as i128)) {
                return Err(Refused::TextTooLarge);
            }
        }
        self.acc = Acc::Text(text);
        self.as_exact_text = true;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        match &self.acc {
            Acc::Number(v) | Acc::Flag(v) => v.len(),
            Acc::Date(v, _) => v.len(),
            Acc::Text(t) => t.len(),
        }
    }

    /// The finished column.
    pub fn finish(self, infer: &InferOptions) -> Column {
        let ColumnAcc {
            name,
            acc,
            non_finite,
            as_exact_text,
            timestamps_with_time,
        } = self;
        let mut column = match acc {
            Acc::Number(v) => typed(&name, ColumnType::Number, v),
            Acc::Flag(v) => {
                let mut c = typed(&name, ColumnType::Flag, v);
                c.info
                    .notes
                    .push("booleans read as 1 (true) and 0 (false)".into());
                c
            }
            Acc::Date(v, _) => {
                let mut c = Column::date(&name, v);
                c.info.missing = c.data.missing_count();
                if timestamps_with_time {
                    c.info
                        .notes
                        .push("timestamps read as their dates (the time of day dropped)".into());
                }
                c
            }
            Acc::Text(t) if as_exact_text => {
                let mut c = Column::text(&name, t);
                c.info.missing = c.data.missing_count();
                c.info.notes.push(
                    "integers beyond 2^53 (a float cannot hold them exactly) kept as exact text"
                        .into(),
                );
                c
            }
            Acc::Text(t) => infer_column(&name, t, infer),
        };
        if non_finite > 0 {
            column.info.unparsed += non_finite;
            column.info.missing -= non_finite.min(column.info.missing);
            column.info.notes.push(format!(
                "{non_finite} NaN or infinite values read as missing"
            ));
        }
        column
    }
}

fn typed(name: &str, ctype: ColumnType, values: Vec<f64>) -> Column {
    let missing = values.iter().filter(|x| x.is_nan()).count();
    let mut c = Column::number(name, values);
    c.ctype = ctype;
    c.info = ColumnInfo {
        missing,
        ..ColumnInfo::default()
    };
    c
}

fn changed(array: &dyn Array, wanted: &str) -> Refused {
    Refused::TypeChanged(format!(
        "the column holds {wanted} in one part of the file and {} in another",
        array.data_type()
    ))
}

fn prim<T: ArrowPrimitiveType>(array: &dyn Array) -> &arrow_array::PrimitiveArray<T> {
    array.as_primitive::<T>()
}

fn decimals<'a, T: ArrowPrimitiveType>(
    array: &'a arrow_array::PrimitiveArray<T>,
    scale: i8,
    to_f64: impl Fn(T::Native) -> f64 + 'a,
) -> impl Iterator<Item = f64> + 'a {
    let factor = 10f64.powi(i32::from(scale).abs());
    array.iter().map(move |v| {
        v.map_or(f64::NAN, |raw| {
            let x = to_f64(raw);
            if scale >= 0 { x / factor } else { x * factor }
        })
    })
}

/// Days since 1970-01-01 of `secs` since the epoch in a zone `offset` east.
fn day_of(secs: i64, offset: i64) -> i32 {
    let days = secs.saturating_add(offset).div_euclid(86_400);
    i32::try_from(days)
        .ok()
        .filter(|&d| d != MISSING_DATE)
        .unwrap_or(MISSING_DATE)
}

fn push_dates(
    array: &dyn Array,
    out: &mut Vec<i32>,
    offset: i64,
    with_time: &mut bool,
) -> Result<(), Refused> {
    let ticks = |per_sec: i64,
                 values: &mut dyn Iterator<Item = Option<i64>>,
                 out: &mut Vec<i32>,
                 with_time: &mut bool| {
        for v in values {
            out.push(v.map_or(MISSING_DATE, |t| {
                let secs = t.div_euclid(per_sec);
                *with_time |= t.rem_euclid(per_sec) != 0 || secs.rem_euclid(86_400) != 0;
                day_of(secs, offset)
            }));
        }
    };
    match array.data_type() {
        DataType::Date32 => out.extend(
            prim::<Date32Type>(array)
                .iter()
                .map(|v| v.filter(|&d| d != MISSING_DATE).unwrap_or(MISSING_DATE)),
        ),
        DataType::Date64 => out.extend(
            prim::<Date64Type>(array)
                .iter()
                .map(|v| v.map_or(MISSING_DATE, |ms| day_of(ms.div_euclid(1000), 0))),
        ),
        DataType::Timestamp(unit, _) => {
            let per_sec = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            let mut it: Box<dyn Iterator<Item = Option<i64>>> = match unit {
                TimeUnit::Second => Box::new(prim::<TimestampSecondType>(array).iter()),
                TimeUnit::Millisecond => Box::new(prim::<TimestampMillisecondType>(array).iter()),
                TimeUnit::Microsecond => Box::new(prim::<TimestampMicrosecondType>(array).iter()),
                TimeUnit::Nanosecond => Box::new(prim::<TimestampNanosecondType>(array).iter()),
            };
            ticks(per_sec, &mut it, out, with_time);
        }
        _ => return Err(changed(array, "dates")),
    }
    Ok(())
}

fn push_str(out: &mut TextColumn, v: Option<&str>) -> Result<(), Refused> {
    match v.map(str::trim) {
        Some(s) if !s.is_empty() => {
            if out.push(s) {
                Ok(())
            } else {
                Err(Refused::TextTooLarge)
            }
        }
        _ => {
            out.push_missing();
            Ok(())
        }
    }
}

fn push_text(array: &dyn Array, out: &mut TextColumn) -> Result<(), Refused> {
    match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .try_for_each(|v| push_str(out, v)),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .try_for_each(|v| push_str(out, v)),
        DataType::Utf8View => array
            .as_string_view()
            .iter()
            .try_for_each(|v| push_str(out, v)),
        DataType::Null => {
            (0..array.len()).for_each(|_| out.push_missing());
            Ok(())
        }
        DataType::Dictionary(..) => push_dictionary(array, out),
        _ => Err(changed(array, "text")),
    }
}

fn push_dictionary(array: &dyn Array, out: &mut TextColumn) -> Result<(), Refused> {
    let dict = array
        .as_any_dictionary_opt()
        .ok_or_else(|| changed(array, "text"))?;
    let values = dict.values();
    let mut texts = TextColumn::default();
    push_text(values.as_ref(), &mut texts)?;
    let keys = dict.normalized_keys();
    for (i, &k) in keys.iter().enumerate() {
        if array.is_null(i) {
            out.push_missing();
            continue;
        }
        if k >= texts.len() {
            return Err(Refused::TypeChanged(format!(
                "a dictionary key ({k}) points past its {} values",
                texts.len()
            )));
        }
        push_str(out, texts.get(k))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_offsets_or_known_names() {
        assert_eq!(zone_offset("+08:00"), Some(8 * 3600));
        assert_eq!(zone_offset("-0530"), Some(-(5 * 3600 + 1800)));
        assert_eq!(zone_offset("Asia/Shanghai"), Some(8 * 3600));
        assert_eq!(zone_offset("UTC"), Some(0));
        assert_eq!(zone_offset("Europe/London"), None);
        assert_eq!(zone_offset("+8"), None);
    }

    #[test]
    fn a_timestamp_is_its_day_in_its_zone() {
        // 2024-01-31T20:00:00Z is 1 February in Shanghai.
        let secs = 1_706_731_200;
        assert_eq!(day_of(secs, 0), 19_753);
        assert_eq!(day_of(secs, 8 * 3600), 19_754);
        assert_eq!(day_of(-1, 0), -1);
        assert_eq!(day_of(i64::MAX, 0), MISSING_DATE);
    }
}
