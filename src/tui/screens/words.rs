//! Words several screens use for the same facts.

use crate::pipeline::analysis::KPick;
use crate::pipeline::cluster::Choice;
use crate::pipeline::hygiene::{CalendarPart, Rule};
use crate::pipeline::mapping::ColumnUse;

/// A hygiene rule in a few words (Map's Role column, Features' list).
pub fn rule_short(rule: &Rule) -> String {
    match rule {
        Rule::RowIndex { .. } => "row index".into(),
        Rule::DerivedCode { word, .. } => format!("derived {word}"),
        Rule::Binning { of, .. } => format!("binning of {of}"),
        Rule::TemplateExtra => "beyond R/F/M".into(),
        Rule::Calendar { part } => match part {
            CalendarPart::DayOfMonth => "day of month".into(),
            CalendarPart::Month => "month".into(),
            CalendarPart::Weekday => "weekday".into(),
            CalendarPart::TimeOfDay => "time of day".into(),
            CalendarPart::Year => "year".into(),
        },
        Rule::Flag { .. } => "0/1 flag".into(),
        Rule::Outcome { .. } => "outcome".into(),
        Rule::AfterTheFact => "after the fact".into(),
        Rule::CampaignContact { .. } => "campaign contact".into(),
        Rule::MostlySentinel { .. } => "mostly n/a".into(),
    }
}

/// A column's use in a word or two.
pub fn use_label(u: ColumnUse) -> &'static str {
    match u {
        ColumnUse::Feature => "feature",
        ColumnUse::Profile => "profile only",
        ColumnUse::Ignore => "ignore",
    }
}

/// Why K is what it is, in this UI's words.
pub fn k_reason(pick: &KPick) -> String {
    if pick.choice == Choice::Fixed {
        "fixed by you".into()
    } else {
        pick.reason.clone()
    }
}
