//! Rules on one column: its header's words and its values (row index,
//! calendar part, time of day, derived code, flag, sentinel).

use super::*;

/// Lower-case words of a header: split at punctuation, spaces, digits and
/// camelCase ("CreditScore" -> credit, score; "R_Score" -> r, score), and
/// after an acronym ("RFMScore" -> rfm, score; "CLVRank" -> clv, rank).
pub fn tokens(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if !ch.is_alphabetic() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
        let camel = prev.is_some_and(char::is_lowercase);
        let acronym_end = prev.is_some_and(char::is_uppercase) && next_lower;
        if ch.is_uppercase() && (camel || acronym_end) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub(super) fn has_token(tokens: &[String], words: &[&str]) -> Option<String> {
    tokens.iter().find(|t| words.contains(&t.as_str())).cloned()
}

pub(super) fn outcome_word(name: &str, tokens: &[String]) -> Option<String> {
    const WORDS: [&str; 12] = [
        "target",
        "label",
        "response",
        "responded",
        "churn",
        "churned",
        "subscribed",
        "outcome",
        "attrition",
        "exited",
        "converted",
        "poutcome",
    ];
    if normalise(name) == "y" {
        return Some("y".into());
    }
    if let Some(w) = has_token(tokens, &WORDS) {
        return Some(w);
    }
    ["流失", "响应", "目标", "标签", "是否购买", "是否认购"]
        .iter()
        .find(|w| name.contains(*w))
        .map(|w| w.to_string())
}

pub(super) fn row_index(name: &str, values: &[f64], s: &Summary, n: usize) -> Option<bool> {
    if !s.integer {
        return None;
    }
    let norm = normalise(name);
    let named = norm.is_empty()
        || norm.starts_with("unnamed")
        || ["index", "idx", "rownum", "rownumber", "row", "序号", "行号"].contains(&norm.as_str());
    if named && s.present == n {
        return Some(true);
    }
    let first = values.first().copied()?;
    // By values alone only in a table long enough for the sequence to
    // mean something.
    let counts = n >= 30
        && (first == 0.0 || first == 1.0)
        && values
            .iter()
            .enumerate()
            .all(|(i, &v)| v == first + i as f64);
    counts.then_some(false)
}

pub(super) fn calendar(
    tokens: &[String],
    name: &str,
    values: &[f64],
    s: &Summary,
) -> Option<CalendarPart> {
    if !s.integer {
        return None;
    }
    let norm = normalise(name);
    let named = |words: &[&str], cjk: &[&str]| {
        has_token(tokens, words).is_some() || cjk.iter().any(|w| name.contains(w))
    };
    let present = || values.iter().filter(|x| x.is_finite());
    // Years first: 1990..2023 would also read as clock times 19:90..20:23.
    let year_named = named(&["year", "yr", "yyyy", "yob"], &["年份", "年度"]);
    if s.within(1900.0, 2100.0) && (year_named || s.present >= 30) {
        return Some(CalendarPart::Year);
    }
    if time_of_day(tokens, name, s, present().copied()) {
        return Some(CalendarPart::TimeOfDay);
    }
    if (norm.contains("dayofweek") || named(&["weekday", "dow", "wday"], &["星期", "周几"]))
        && s.within(0.0, 7.0)
    {
        return Some(CalendarPart::Weekday);
    }
    if named(&["month", "mth", "mm"], &["月份"]) && s.within(1.0, 12.0) {
        return Some(CalendarPart::Month);
    }
    if (norm.contains("dayofmonth") || named(&["day", "dom", "dd"], &["日期", "几号"]))
        && s.within(1.0, 31.0)
    {
        return Some(CalendarPart::DayOfMonth);
    }
    None
}

/// HHMMSS (143207) or HHMM (1432) integers: every value a valid clock time
/// and most of them past the first hour's digits, which chance does not
/// give for dozens of values.
pub(super) fn time_of_day(
    tokens: &[String],
    name: &str,
    s: &Summary,
    values: impl Iterator<Item = f64> + Clone,
) -> bool {
    if s.min < 0.0 {
        return false;
    }
    let named = has_token(tokens, &["time", "hhmmss", "hhmm", "tm", "hour"]).is_some()
        || name.contains("时间")
        || name.contains("时刻");
    let need = if named { 5 } else { 30 };
    // Real clock times use most minutes; codes made of a few digits
    // (111..555) do not.
    let minutes = |digits: u32| {
        let mut seen = [false; 60];
        for v in values.clone() {
            let m = if digits == 6 {
                (v as u64 / 100) % 100
            } else {
                v as u64 % 100
            };
            if m < 60 {
                seen[m as usize] = true;
            }
        }
        seen.iter().filter(|b| **b).count()
    };
    let clock = |v: f64, digits: u32| {
        let v = v as u64;
        let ok_low = v % 100 < 60 && (digits == 4 || (v / 100) % 100 < 60);
        let hours = v / 10u64.pow(digits - 2);
        ok_low && hours < 24
    };
    for (digits, floor) in [(6u32, 10_000.0), (4, 100.0)] {
        if s.max > 10f64.powi(digits as i32) || s.present < need {
            continue;
        }
        if digits == 4 && !named && s.present < 200 {
            continue;
        }
        let wide = values.clone().filter(|&v| v >= floor).count();
        if wide * 2 >= s.present
            && (named || minutes(digits) >= 30)
            && values.clone().all(|v| clock(v, digits))
        {
            return true;
        }
    }
    false
}

pub(super) fn text_calendar(t: &crate::pipeline::table::TextColumn) -> Option<CalendarPart> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut seen = 0usize;
    let (mut months, mut days) = (true, true);
    for v in t.iter().flatten().take(5000) {
        seen += 1;
        let l = v.trim().to_ascii_lowercase();
        let head = l.get(..3).unwrap_or("");
        months &= MONTHS.contains(&head) && l.len() <= 9;
        days &= DAYS.contains(&head) && l.len() <= 9;
        if !months && !days {
            return None;
        }
    }
    match (seen >= 2, months, days) {
        (true, true, _) => Some(CalendarPart::Month),
        (true, _, true) => Some(CalendarPart::Weekday),
        _ => None,
    }
}

/// Words of a rank or quantile column: derived from another column
/// whatever its values.
pub(super) const RANK_WORDS: [&str; 8] = [
    "rank",
    "ranking",
    "ranked",
    "quintile",
    "decile",
    "quartile",
    "percentile",
    "ntile",
];

pub(super) fn derived_code(tokens: &[String], name: &str, s: &Summary) -> Option<String> {
    // Ranks are derived whatever their values: tied ranks are halves
    // (19.5) and percent ranks fractions.
    if let Some(w) = has_token(tokens, &RANK_WORDS) {
        return Some(w);
    }
    if !s.integer {
        return None;
    }
    let few = |max: usize| s.few_levels(max);
    if let Some(w) = has_token(
        tokens,
        &["segment", "seg", "code", "cluster", "rfm", "group"],
    ) && few(MAX_LEVELS)
    {
        return Some(w);
    }
    if let Some(w) = has_token(
        tokens,
        &["score", "class", "grade", "tier", "bucket", "band", "bin"],
    ) && few(20)
    {
        return Some(w);
    }
    if name.contains("排名") {
        return Some("排名".to_string());
    }
    ["评分", "得分", "等级", "分群", "分组"]
        .iter()
        .find(|w| name.contains(*w))
        .filter(|_| few(20))
        .map(|w| w.to_string())
}

/// Share of ones of a 0/1 column (or a yes/no flag column).
pub(super) fn flag_share(ctype: ColumnType, s: &Summary) -> Option<f64> {
    let levels = s.levels.as_ref()?;
    let binary = levels.len() == 2
        && levels
            .keys()
            .all(|b| [0.0f64, 1.0].contains(&f64::from_bits(*b)));
    if !(binary || ctype == ColumnType::Flag && levels.len() <= 2) {
        return None;
    }
    let ones = levels.get(&1.0f64.to_bits()).copied().unwrap_or(0);
    Some(ones as f64 / s.present.max(1) as f64)
}

/// A value that repeats in at least 2% of the cells (and 5 cells) and
/// stands apart from the rest: `-1`, `-9`, `-99` ... below an otherwise
/// non-negative column of at least three other values, or `99`, `999`,
/// `9999` ... above twice everything else.
pub fn find_sentinel(values: &[f64]) -> Option<Sentinel> {
    const CANDIDATES: [f64; 13] = [
        -1.0,
        -9.0,
        -99.0,
        -999.0,
        -9999.0,
        99.0,
        999.0,
        9999.0,
        99999.0,
        999999.0,
        9999999.0,
        99999999.0,
        999999999.0,
    ];
    let mut counts = [0usize; CANDIDATES.len()];
    let mut present = 0usize;
    for &x in values.iter().filter(|x| x.is_finite()) {
        present += 1;
        // Every candidate is a whole number of at most nine digits.
        if x.fract() != 0.0 || x.abs() > 1e9 {
            continue;
        }
        if let Some(i) = CANDIDATES.iter().position(|c| *c == x) {
            counts[i] += 1;
        }
    }
    let (i, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (**c, usize::MAX - i))?;
    if count < 5 || count * 50 < present || count == present {
        return None;
    }
    let value = CANDIDATES[i];
    let rest = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x != value);
    let apart = if value < 0.0 {
        let mut distinct: Vec<u64> = Vec::new();
        let non_negative = rest.clone().all(|x| {
            if distinct.len() < 3 && !distinct.contains(&x.to_bits()) {
                distinct.push(x.to_bits());
            }
            x >= 0.0
        });
        non_negative && distinct.len() >= 3
    } else {
        let max = rest.fold(f64::NEG_INFINITY, f64::max);
        max >= 0.0 && value >= 2.0 * max
    };
    apart.then(|| Sentinel {
        value,
        count,
        share: count as f64 / present as f64,
    })
}
