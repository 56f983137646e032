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

mod column_rules;
mod summary;
mod table_rules;

use column_rules::*;
use summary::*;
use table_rules::*;

pub use column_rules::{find_sentinel, tokens};
pub use table_rules::{has_rfm, spearman};

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
