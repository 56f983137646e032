//! Feature hygiene: a column is a clustering feature only if it describes
//! the customer's behaviour or state. The rules below look at each column's
//! name and values once, right after the roles are mapped, and turn columns
//! that do not describe the customer into profile-only (shown beside the
//! segments, not clustered) or ignored columns. Each decision carries its
//! reason as a [`Rule`] with data; the faces word it. A use the user set
//! (`mapping.usage`, the Map screen's f/p/i) always wins over a rule; the
//! rule is then kept with `applied = false` so the faces can say what was
//! overridden.
//!
//! | Rule | Use |
//! |---|---|
//! | row index: values 0..n-1 or 1..n in row order, or a header such as `Unnamed: 0`, `index`, `#` | ignore |
//! | derived score / rank / code: whole numbers named score, segment, code, class, grade, tier ... with few levels; ranks, quintiles, deciles whatever their values | profile |
//! | a binning of another column: whole numbers with at most 20 levels whose rank correlation with a clustered column is at least 0.95 | profile |
//! | template mode: the table has Recency, Frequency and Monetary (by role), so other numeric columns are profiled | profile |
//! | calendar parts: day of month, month number, weekday, time of day (HHMMSS, HHMM), a year as a number | ignore |
//! | 0/1 and yes/no flags | profile (or features with a modest weight, `flags = "feature"`) |
//! | outcomes (y, target, label, response, churned, subscribed ...) and columns the user marks as known only after the fact | profile |
//! | in a campaign table (an outcome and a contact column), columns about the contact: calls, their duration, days since the last contact, channel | profile |
//! | a sentinel (-1, 999, 9999 ...) in more than half of the rows | profile |
//!
//! Sentinels in fewer rows are not a use decision: the column stays a
//! feature and Features reads the sentinel as missing ([`Sentinel`]).

use crate::pipeline::mapping::{ColumnUse, Mapping, MappingOptions, Role, normalise};
use crate::pipeline::table::{Column, ColumnData, ColumnType, MISSING_DATE, Table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// How 0/1 and yes/no flags take part.
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
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_flag_use
)]
pub enum FlagUse {
    /// Shown in segment profiles (share of 1s per segment), not clustered.
    #[default]
    #[strum(to_string = "profile")]
    Profile,
    /// Clustered, with the indicator weight of Features.
    #[strum(to_string = "feature", serialize = "features")]
    Feature,
}

fn unknown_flag_use(s: &str) -> String {
    format!("unknown flag use '{s}' (profile or feature)")
}

/// The user's hygiene settings (in `mapping.hygiene` of the RunConfig).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HygieneOptions {
    /// Apply the rules (off: every numeric column is offered as a feature).
    pub enabled: bool,
    pub flags: FlagUse,
    /// Columns known only after the fact (call duration, campaign outcome):
    /// profile only.
    pub after_the_fact: Vec<String>,
}

impl Default for HygieneOptions {
    fn default() -> Self {
        HygieneOptions {
            enabled: true,
            flags: FlagUse::Profile,
            after_the_fact: Vec::new(),
        }
    }
}

/// A calendar part stored as a number (or as month/weekday names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarPart {
    DayOfMonth,
    Month,
    Weekday,
    /// HHMMSS or HHMM.
    TimeOfDay,
    Year,
}

impl CalendarPart {
    pub fn name(self) -> &'static str {
        match self {
            CalendarPart::DayOfMonth => "a day of the month",
            CalendarPart::Month => "a month",
            CalendarPart::Weekday => "a weekday",
            CalendarPart::TimeOfDay => "a time of day",
            CalendarPart::Year => "a year",
        }
    }
}

/// Why a column is not a clustering feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// Values 0..n-1 / 1..n in row order, or an index header.
    RowIndex {
        by_name: bool,
    },
    /// Whole numbers with few levels, named like a derived score or code.
    DerivedCode {
        word: String,
        levels: usize,
    },
    /// A monotone binning of a clustered column.
    Binning {
        of: String,
        rho: f64,
    },
    /// The table has Recency, Frequency and Monetary.
    TemplateExtra,
    Calendar {
        part: CalendarPart,
    },
    /// Two values, 0/1 or yes/no; `share` of them are 1.
    Flag {
        share: f64,
    },
    /// Named like an outcome of a campaign or model.
    Outcome {
        word: String,
    },
    /// Marked by the user as known only after the fact.
    AfterTheFact,
    /// In a campaign table (an outcome and contact columns), a column about
    /// the marketing contact, not the customer: the number of calls, their
    /// length, days since the last contact, the channel.
    CampaignContact {
        word: String,
    },
    /// A sentinel in most rows: the column is mostly "not applicable".
    MostlySentinel {
        value: f64,
        share: f64,
    },
}

impl Rule {
    /// The use the rule gives a column.
    pub fn usage(&self) -> ColumnUse {
        match self {
            Rule::RowIndex { .. } | Rule::Calendar { .. } => ColumnUse::Ignore,
            _ => ColumnUse::Profile,
        }
    }

    /// Short name of the rule, for tables and JSON.
    pub fn key(&self) -> &'static str {
        match self {
            Rule::RowIndex { .. } => "row_index",
            Rule::DerivedCode { .. } => "derived_code",
            Rule::Binning { .. } => "binning",
            Rule::TemplateExtra => "template_extra",
            Rule::Calendar { .. } => "calendar",
            Rule::Flag { .. } => "flag",
            Rule::Outcome { .. } => "outcome",
            Rule::AfterTheFact => "after_the_fact",
            Rule::CampaignContact { .. } => "campaign_contact",
            Rule::MostlySentinel { .. } => "mostly_sentinel",
        }
    }

    /// What was found, in words (no flag or key names: the faces add how
    /// to override).
    pub fn finding(&self) -> String {
        match self {
            Rule::RowIndex { by_name: true } => "named like a row index".into(),
            Rule::RowIndex { by_name: false } => {
                "a row index (its values count the rows in order)".into()
            }
            Rule::DerivedCode { word, .. } if RANK_WORDS.contains(&word.as_str()) || word == "排名" => {
                format!("a {word} computed from another column; it repeats that column's order")
            }
            Rule::DerivedCode { word, levels } => format!(
                "a derived {word} ({levels} whole-number levels), computed from other columns"
            ),
            Rule::Binning { of, rho } => {
                format!("a binning of '{of}' (rank correlation {rho:+.2}); it repeats that column")
            }
            Rule::TemplateExtra => {
                "the table has Recency, Frequency and Monetary; other numeric columns are profiled, not clustered".into()
            }
            Rule::Calendar { part } => format!(
                "{}, a calendar part rather than a trait of the customer; dates enter through Recency and Tenure",
                part.name()
            ),
            Rule::Flag { share } => format!(
                "a 0/1 flag ({:.0}% ones); flags would dominate distances",
                share * 100.0
            ),
            Rule::Outcome { word } => format!(
                "named like an outcome ('{word}'): known only after the fact"
            ),
            Rule::AfterTheFact => "marked as known only after the fact".into(),
            Rule::CampaignContact { word } => format!(
                "about the marketing contact ('{word}'), not the customer: calls and their length are known only during or after the campaign"
            ),
            Rule::MostlySentinel { value, share } => format!(
                "{} in {:.0}% of rows means 'not applicable'",
                crate::pipeline::table::format_number(*value),
                share * 100.0
            ),
        }
    }
}

/// A value that stands for "not applicable" (`-1` days since a contact
/// that never happened, `999`, `9999`): read as missing by Features.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sentinel {
    pub value: f64,
    pub count: usize,
    /// Of the non-missing cells.
    pub share: f64,
}

/// One column's hygiene result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnHygiene {
    /// Why the column is not a feature, if a rule says so.
    pub rule: Option<Rule>,
    /// The rule set the column's use (false: the user's use setting won).
    pub applied: bool,
    pub sentinel: Option<Sentinel>,
}

/// Runs the rules over `mapping` (built from `table`) and sets each
/// column's use where a rule applies and the user did not set one.
pub fn apply(table: &Table, mapping: &mut Mapping, opts: &MappingOptions) {
    let h = &opts.hygiene;
    if !h.enabled {
        return;
    }
    let results = assess(table, mapping, h);
    for (c, r) in mapping.columns.iter_mut().zip(results) {
        let user_set = opts.usage.contains_key(&c.column);
        let applied = r.rule.is_some() && !user_set;
        if applied && let Some(rule) = &r.rule {
            c.usage = rule.usage();
        }
        c.hygiene = ColumnHygiene { applied, ..r };
    }
}

/// The rules' findings, one per mapping column, without changing anything.
pub fn assess(table: &Table, mapping: &Mapping, opts: &HygieneOptions) -> Vec<ColumnHygiene> {
    let n = table.n_rows;
    let mut out: Vec<ColumnHygiene> = mapping
        .columns
        .par_iter()
        .map(|cm| {
            let Some(col) = table.column(&cm.column) else {
                return ColumnHygiene::default();
            };
            let role = cm.role;
            let rule = column_rule(col, role, n, opts);
            let sentinel = match (&rule, role) {
                (_, Some(Role::CustomerId)) => None,
                (None, _) | (Some(Rule::MostlySentinel { .. }), _) => col
                    .numbers()
                    .filter(|_| col.ctype == ColumnType::Number)
                    .and_then(find_sentinel),
                _ => None,
            };
            ColumnHygiene {
                rule,
                applied: false,
                sentinel,
            }
        })
        .collect();
    template_extras(table, mapping, &mut out);
    campaign_contacts(mapping, &mut out);
    binnings(table, mapping, &mut out);
    out
}

/// The first rule that applies to one column on its own.
fn column_rule(col: &Column, role: Option<Role>, n: usize, opts: &HygieneOptions) -> Option<Rule> {
    if opts.after_the_fact.iter().any(|c| c == &col.name) {
        return Some(Rule::AfterTheFact);
    }
    if role.is_some() {
        return None;
    }
    let tokens = tokens(&col.name);
    if let Some(word) = outcome_word(&col.name, &tokens) {
        return Some(Rule::Outcome { word });
    }
    if col.ctype == ColumnType::Text {
        return col
            .texts()
            .and_then(text_calendar)
            .map(|part| Rule::Calendar { part });
    }
    let values = col.numbers()?;
    let s = Summary::of(values);
    if s.present == 0 {
        return None;
    }
    if let Some(by_name) = row_index(&col.name, values, &s, n) {
        return Some(Rule::RowIndex { by_name });
    }
    // Codes before calendar parts: an RFM code 111..555 also reads as HMM.
    if let Some(word) = derived_code(&tokens, &col.name, &s) {
        return Some(Rule::DerivedCode {
            levels: s.n_levels().unwrap_or(s.present),
            word,
        });
    }
    if let Some(part) = calendar(&tokens, &col.name, values, &s) {
        return Some(Rule::Calendar { part });
    }
    if let Some(share) = flag_share(col.ctype, &s)
        && opts.flags == FlagUse::Profile
    {
        return Some(Rule::Flag { share });
    }
    if let Some(sv) = find_sentinel(values).filter(|sv| sv.share > 0.5) {
        return Some(Rule::MostlySentinel {
            value: sv.value,
            share: sv.share,
        });
    }
    None
}

// ---------------------------------------------------------------- values

/// What the rules need to know of a numeric column, from one pass.
struct Summary {
    present: usize,
    integer: bool,
    min: f64,
    max: f64,
    /// Distinct values and their counts, while there are at most
    /// [`MAX_LEVELS`] of them.
    levels: Option<HashMap<u64, usize, BuildHasherDefault<BitsHasher>>>,
}

/// A cheap hasher for f64 bit patterns (one pass over a million cells per
/// column must stay in the milliseconds).
#[derive(Default)]
struct BitsHasher(u64);

impl Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (x ^ (x >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

const MAX_LEVELS: usize = 130;

impl Summary {
    fn of(values: &[f64]) -> Summary {
        let mut s = Summary {
            present: 0,
            integer: true,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            levels: Some(HashMap::default()),
        };
        // Runs of one value (sorted or grouped columns) cost one lookup.
        let mut run: Option<(u64, usize)> = None;
        for &x in values.iter().filter(|x| x.is_finite()) {
            s.present += 1;
            s.integer &= x.fract() == 0.0;
            s.min = s.min.min(x);
            s.max = s.max.max(x);
            if s.levels.is_none() {
                continue;
            }
            let bits = (x + 0.0).to_bits();
            match &mut run {
                Some((b, c)) if *b == bits => *c += 1,
                _ => {
                    if let Some((b, c)) = run.replace((bits, 1)) {
                        s.add_level(b, c);
                    }
                }
            }
        }
        if let Some((b, c)) = run {
            s.add_level(b, c);
        }
        s
    }

    fn add_level(&mut self, bits: u64, count: usize) {
        if let Some(l) = &mut self.levels {
            *l.entry(bits).or_default() += count;
            if l.len() > MAX_LEVELS {
                self.levels = None;
            }
        }
    }

    fn n_levels(&self) -> Option<usize> {
        self.levels.as_ref().map(HashMap::len)
    }

    /// At most `max` distinct values, each repeated three times on average
    /// (in a handful of rows every column has "few" levels).
    fn few_levels(&self, max: usize) -> bool {
        self.n_levels()
            .is_some_and(|l| l <= max && l * 3 <= self.present)
    }

    fn within(&self, lo: f64, hi: f64) -> bool {
        self.min >= lo && self.max <= hi
    }
}

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

fn has_token(tokens: &[String], words: &[&str]) -> Option<String> {
    tokens.iter().find(|t| words.contains(&t.as_str())).cloned()
}

fn outcome_word(name: &str, tokens: &[String]) -> Option<String> {
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

fn row_index(name: &str, values: &[f64], s: &Summary, n: usize) -> Option<bool> {
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

fn calendar(tokens: &[String], name: &str, values: &[f64], s: &Summary) -> Option<CalendarPart> {
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
fn time_of_day(
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

fn text_calendar(t: &crate::pipeline::table::TextColumn) -> Option<CalendarPart> {
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
const RANK_WORDS: [&str; 8] = [
    "rank",
    "ranking",
    "ranked",
    "quintile",
    "decile",
    "quartile",
    "percentile",
    "ntile",
];

fn derived_code(tokens: &[String], name: &str, s: &Summary) -> Option<String> {
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
fn flag_share(ctype: ColumnType, s: &Summary) -> Option<f64> {
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

// ---------------------------------------------------------------- table rules

/// Whether the columns that build Recency, Frequency and Monetary are all mapped.
pub fn has_rfm(mapping: &Mapping) -> bool {
    let mapped = |roles: &[Role]| {
        roles.iter().any(|r| {
            mapping
                .column_for(*r)
                .is_some_and(|c| mapping.usage_of(c) != ColumnUse::Ignore)
        })
    };
    mapped(&[Role::LastDate, Role::TxnDate, Role::Recency])
        && mapped(&[Role::TxnCount])
        && mapped(&[Role::TxnAmount])
}

fn template_extras(table: &Table, mapping: &Mapping, out: &mut [ColumnHygiene]) {
    if !has_rfm(mapping) {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        let numeric = table
            .column(&cm.column)
            .is_some_and(|c| c.ctype.is_numeric());
        if numeric && cm.role.is_none() && cm.usage == ColumnUse::Feature && h.rule.is_none() {
            h.rule = Some(Rule::TemplateExtra);
        }
    }
}

/// Words of a column about a marketing contact (UCI bank marketing:
/// `campaign`, `pdays`, `contact`, `poutcome`; call-centre exports:
/// `num_calls`, `call_duration`, `contacts`).
const CONTACT_WORDS: [&str; 9] = [
    "campaign",
    "campaigns",
    "contact",
    "contacts",
    "contacted",
    "call",
    "calls",
    "pdays",
    "poutcome",
];

/// Whole names that are about the contact only in a campaign table (a
/// `duration` elsewhere can be a loan's term).
const CONTACT_NAMES: [&str; 5] = [
    "duration",
    "previous",
    "durationsec",
    "durationseconds",
    "attempts",
];

/// The contact word of a column name, if it is about a marketing contact.
fn contact_word(name: &str) -> Option<String> {
    has_token(&tokens(name), &CONTACT_WORDS).or_else(|| {
        let n = normalise(name);
        CONTACT_NAMES.contains(&n.as_str()).then_some(n)
    })
}

/// A campaign table holds an outcome and at least one column named after
/// the contact; there, columns about the contact (how many calls, how
/// long, how long ago, by which channel) are profiled, not clustered: they
/// describe what the bank did, and the call's length is known only once
/// the outcome is.
fn campaign_contacts(mapping: &Mapping, out: &mut [ColumnHygiene]) {
    let outcome = out
        .iter()
        .any(|h| matches!(h.rule, Some(Rule::Outcome { .. })));
    let contact = mapping
        .columns
        .iter()
        .any(|cm| has_token(&tokens(&cm.column), &CONTACT_WORDS).is_some());
    if !(outcome && contact) {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        if h.rule.is_some() || cm.role.is_some() || cm.usage == ColumnUse::Ignore {
            continue;
        }
        if let Some(word) = contact_word(&cm.column) {
            h.rule = Some(Rule::CampaignContact { word });
        }
    }
}

/// Rows used for rank correlations: all of them up to this, else an even
/// stride through the table (deterministic).
const RANK_SAMPLE: usize = 20_000;

/// Few-level whole-number columns that rank customers like a clustered
/// column (|Spearman rho| >= 0.95) repeat it.
fn binnings(table: &Table, mapping: &Mapping, out: &mut [ColumnHygiene]) {
    let n = table.n_rows;
    let step = n.div_ceil(RANK_SAMPLE).max(1);
    let rows: Vec<usize> = (0..n).step_by(step).collect();
    let sample = |col: &Column| -> Option<Vec<f64>> {
        match &col.data {
            ColumnData::Number(v) => Some(rows.iter().map(|&i| v[i]).collect()),
            ColumnData::Date(v) => Some(
                rows.iter()
                    .map(|&i| {
                        if v[i] == MISSING_DATE {
                            f64::NAN
                        } else {
                            f64::from(v[i])
                        }
                    })
                    .collect(),
            ),
            ColumnData::Text(_) => None,
        }
    };
    let clustered: Vec<(&str, Vec<f64>)> = mapping
        .columns
        .iter()
        .zip(out.iter())
        .filter(|(cm, h)| {
            cm.usage == ColumnUse::Feature && h.rule.is_none() && cm.role != Some(Role::CustomerId)
        })
        .filter_map(|(cm, _)| {
            let col = table.column(&cm.column)?;
            let levels = Summary::of(col.numbers().unwrap_or(&[])).n_levels();
            let many = col.ctype == ColumnType::Date || levels.is_none_or(|l| l > 20);
            if many {
                sample(col).map(|v| (cm.column.as_str(), v))
            } else {
                None
            }
        })
        .collect();
    if clustered.is_empty() {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        if h.rule.is_some() || cm.role.is_some() || cm.usage != ColumnUse::Feature {
            continue;
        }
        let Some(col) = table
            .column(&cm.column)
            .filter(|c| c.ctype == ColumnType::Number)
        else {
            continue;
        };
        let s = Summary::of(col.numbers().unwrap_or(&[]));
        if !s.integer || !s.few_levels(20) || s.n_levels().is_some_and(|l| l < 3) {
            continue;
        }
        let Some(mine) = sample(col) else { continue };
        let best = clustered
            .iter()
            .filter(|(name, _)| *name != cm.column)
            .map(|(name, v)| (*name, spearman(&mine, v)))
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if let Some((of, rho)) = best.filter(|(_, r)| r.abs() >= 0.95) {
            h.rule = Some(Rule::Binning {
                of: of.to_string(),
                rho,
            });
        }
    }
}

/// Ranks with ties averaged (1-based).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation over the rows where both are present.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .unzip();
    if x.len() < 3 {
        return f64::NAN;
    }
    let (rx, ry) = (ranks(&x), ranks(&y));
    let m = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (p, q) in rx.iter().zip(&ry) {
        sxy += (p - m) * (q - m);
        sxx += (p - m) * (p - m);
        syy += (q - m) * (q - m);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_camel_case_and_punctuation() {
        assert_eq!(tokens("CreditScore"), ["credit", "score"]);
        assert_eq!(tokens("R_Score"), ["r", "score"]);
        assert_eq!(tokens("Unnamed: 0"), ["unnamed"]);
        assert_eq!(tokens("day_of_week"), ["day", "of", "week"]);
        assert_eq!(tokens("TransactionTime"), ["transaction", "time"]);
        assert_eq!(tokens("RFMScore"), ["rfm", "score"]);
        assert_eq!(tokens("CLVRank"), ["clv", "rank"]);
        assert_eq!(tokens("CUST_ID"), ["cust", "id"]);
        assert_eq!(tokens("AcceptedCmp3"), ["accepted", "cmp"]);
    }

    #[test]
    fn sentinels_need_to_repeat_and_stand_apart() {
        let mut pdays: Vec<f64> = (0..100).map(|i| f64::from(i % 40 + 1)).collect();
        pdays.extend(std::iter::repeat_n(-1.0, 400));
        let s = find_sentinel(&pdays).unwrap();
        assert_eq!((s.value, s.count), (-1.0, 400));
        assert!((s.share - 0.8).abs() < 1e-12);
        // A -1/0/1 trend column has no sentinel.
        let trend: Vec<f64> = (0..300).map(|i| f64::from(i % 3) - 1.0).collect();
        assert_eq!(find_sentinel(&trend), None);
        // 9999 among values up to 9000 is a value, not a sentinel.
        let mut income: Vec<f64> = (0..300).map(|i| f64::from(i * 30)).collect();
        income.extend(std::iter::repeat_n(9999.0, 20));
        assert_eq!(find_sentinel(&income), None);
        let mut contacted: Vec<f64> = (0..300).map(|i| f64::from(i % 27)).collect();
        contacted.extend(std::iter::repeat_n(999.0, 20));
        assert_eq!(find_sentinel(&contacted).unwrap().value, 999.0);
    }

    #[test]
    fn spearman_of_a_binning_is_high() {
        let x: Vec<f64> = (0..500).map(|i| f64::from(i * i % 997)).collect();
        let bins: Vec<f64> = x.iter().map(|v| (v / 200.0).floor()).collect();
        assert!(spearman(&x, &bins) > 0.95);
        let noise: Vec<f64> = (0..500).map(|i| f64::from((i * 7919) % 13)).collect();
        assert!(spearman(&x, &noise).abs() < 0.5);
    }
}
