//! Calendar dates as custseg holds them: days since 1970-01-01 in an `i32`
//! (see `table::date_to_days`), [`IsoDate`] for dates given as options, and
//! the date arithmetic the stages share (completed years and months). It
//! sits outside the stages so that Aggregate, Clean and Features use it
//! without importing each other.

use crate::pipeline::table::{date_to_days, days_to_date, format_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar date held as days since 1970-01-01, written `YYYY-MM-DD` in
/// config files, saved models and on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoDate(pub i32);

impl IsoDate {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<IsoDate> {
        NaiveDate::from_ymd_opt(y, m, d).map(|d| IsoDate(date_to_days(d)))
    }
    pub fn days(self) -> i32 {
        self.0
    }
    pub fn naive(self) -> Option<NaiveDate> {
        days_to_date(self.0)
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_date(self.0))
    }
}

impl FromStr for IsoDate {
    type Err = String;
    /// `2024-03-31`, `2024/03/31`, `2024.03.31` or `20240331`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let t = s.trim();
        let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            vec![&t[..4], &t[4..6], &t[6..]]
        } else {
            t.split(['-', '/', '.']).collect()
        };
        let bad = || format!("'{s}' is not a date; use YYYY-MM-DD, e.g. 2024-03-31");
        if parts.len() != 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u32 = parts[1].parse().map_err(|_| bad())?;
        let d: u32 = parts[2].parse().map_err(|_| bad())?;
        IsoDate::from_ymd(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Completed years between two dates given as days (e.g. age at the as-of date).
pub fn years_between(from: i32, to: i32) -> i32 {
    let (y1, m1, d1) = civil_from_days(from);
    let (y2, m2, d2) = civil_from_days(to);
    y2 - y1 - i32::from((m2, d2) < (m1, d1))
}

/// Completed calendar months between two dates given as days.
pub fn months_between(from: i32, to: i32) -> i32 {
    let (y1, m1, d1) = civil_from_days(from);
    let (y2, m2, d2) = civil_from_days(to);
    (y2 - y1) * 12 + (m2 as i32 - m1 as i32) - i32::from(d2 < d1)
}

/// (year, month, day) for days since 1970-01-01 (proleptic Gregorian;
/// H. Hinnant's algorithm, no allocation, no failure).
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}
