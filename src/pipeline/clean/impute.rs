//! Phase 5, imputation: the fill value of a column (median, lower median
//! date, most frequent value) and the filling.

use super::{FillMethod, FillValue, Imputation, IsoDate};
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::id_key::IdKey;
use crate::pipeline::stats::median_in_place;
use crate::pipeline::table::{ColumnData, ColumnType, MISSING_DATE, TextColumn};
use std::collections::HashMap;

/// The imputation value for a column and whether its present values are all
/// equal; `None` when every value is missing.
pub(super) fn fill_value(data: &ColumnData, ctype: ColumnType) -> Option<(Imputation, bool)> {
    match data {
        ColumnData::Number(v) if ctype == ColumnType::Flag => {
            let (value, constant) = mode_f64(v)?;
            Some((
                Imputation {
                    method: FillMethod::Mode,
                    value: FillValue::Number(value),
                },
                constant,
            ))
        }
        ColumnData::Number(v) => {
            let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let m = median_in_place(&mut present)?;
            let constant = present.iter().all(|x| *x == present[0]);
            Some((
                Imputation {
                    method: FillMethod::Median,
                    value: FillValue::Number(m),
                },
                constant,
            ))
        }
        ColumnData::Date(v) => {
            let mut present: Vec<i32> = v.iter().copied().filter(|d| *d != MISSING_DATE).collect();
            if present.is_empty() {
                return None;
            }
            // The lower median: a day that occurs in the data.
            let k = (present.len() - 1) / 2;
            let (_, m, _) = present.select_nth_unstable(k);
            let m = *m;
            let constant = present.iter().all(|d| *d == m);
            Some((
                Imputation {
                    method: FillMethod::Median,
                    value: FillValue::Date(IsoDate(m)),
                },
                constant,
            ))
        }
        ColumnData::Text(t) => {
            let (value, constant) = mode_text(t)?;
            Some((
                Imputation {
                    method: FillMethod::Mode,
                    value: FillValue::Text(value),
                },
                constant,
            ))
        }
    }
}

/// Most frequent non-missing number (ties: seen first) and whether it is the only one.
fn mode_f64(v: &[f64]) -> Option<(f64, bool)> {
    let mut counts: HashMap<u64, (usize, usize), FxBuild> = HashMap::default();
    for (i, x) in v.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        let key = if *x == 0.0 { 0 } else { x.to_bits() };
        counts.entry(key).or_insert((0, i)).0 += 1;
    }
    let distinct = counts.len();
    let (bits, _) = counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))?;
    Some((f64::from_bits(bits), distinct == 1))
}

/// Most frequent non-missing text (ties: seen first) and whether it is the
/// only value. Few distinct values (gender, yes/no) are counted in a short
/// list; past eight distinct values the counts move to a hash map.
pub(super) fn mode_text(t: &TextColumn) -> Option<(String, bool)> {
    const SMALL_SET: usize = 8;
    // (value, count, first row)
    let mut small: Vec<(&str, usize, usize)> = Vec::with_capacity(SMALL_SET);
    let mut map: Option<HashMap<IdKey<'_>, (usize, usize), FxBuild>> = None;
    for i in 0..t.len() {
        let Some(s) = t.get(i) else { continue };
        if let Some(m) = map.as_mut() {
            m.entry(IdKey::text(s)).or_insert((0, i)).0 += 1;
        } else if let Some(e) = small.iter_mut().find(|e| e.0 == s) {
            e.1 += 1;
        } else if small.len() < SMALL_SET {
            small.push((s, 1, i));
        } else {
            let mut m: HashMap<IdKey<'_>, (usize, usize), FxBuild> = small
                .iter()
                .map(|e| (IdKey::text(e.0), (e.1, e.2)))
                .collect();
            m.insert(IdKey::text(s), (1, i));
            map = Some(m);
        }
    }
    let counts: Vec<(usize, usize)> = match map {
        Some(m) => m.into_values().collect(),
        None => small.iter().map(|e| (e.1, e.2)).collect(),
    };
    let distinct = counts.len();
    let (_, first) = counts
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))?;
    Some((t.raw(first).to_string(), distinct == 1))
}

pub(super) fn fill(data: &mut ColumnData, value: &FillValue) {
    match (data, value) {
        (ColumnData::Number(v), FillValue::Number(f)) => {
            for x in v.iter_mut().filter(|x| x.is_nan()) {
                *x = *f;
            }
        }
        (ColumnData::Date(v), FillValue::Date(f)) => {
            for d in v.iter_mut().filter(|d| **d == MISSING_DATE) {
                *d = f.0;
            }
        }
        (ColumnData::Text(t), FillValue::Text(f)) if (0..t.len()).any(|i| t.get(i).is_none()) => {
            *t =
                TextColumn::from_values((0..t.len()).map(|i| Some(t.get(i).unwrap_or(f.as_str()))));
        }
        _ => {}
    }
}
