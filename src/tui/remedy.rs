//! The TUI's words for a [`Remedy`]: the screen and key that change the
//! option (the command line words the same remedy as its flag, see
//! `Remedy::cli_phrase`). Options no screen edits are named as their
//! run.toml key, to set in a config file.

use crate::error::Error;
use crate::pipeline::clean::AsOfSource;
use crate::remedy::{Notice, Remedy};

/// Where the as-of date came from, as the Features title says it: with the
/// key that chooses another date when custseg chose it from the data, and
/// a short form for narrow screens.
pub fn as_of_origin(source: &AsOfSource) -> (String, &'static str) {
    let short = match source {
        AsOfSource::Given => "set",
        AsOfSource::LatestInData { .. } => "latest",
        AsOfSource::NoActivityDates => "no dates",
        AsOfSource::Model => "the model's",
    };
    let long = match source.remedy() {
        Some(Remedy::OtherAsOf) => format!("{short}; e: another"),
        _ => short.to_string(),
    };
    (long, short)
}

/// What to do, as a sentence fragment ("set Encoding to gbk in Load options").
pub fn key_hint(r: &Remedy) -> String {
    let load = |what: &str| format!("set {what} in the Load options (Tab, then ←/→)");
    match r {
        Remedy::SkipBadRows => load("Bad rows = skip"),
        Remedy::Encoding { suggested: Some(s) } => load(&format!("Encoding to {s}")),
        Remedy::Encoding { suggested: None } => load("Encoding"),
        Remedy::Delimiter => load("Delimiter"),
        Remedy::Header => load("Header = yes"),
        Remedy::DateOrder { order } => load(&format!("Dates to {order}")),
        Remedy::SetRole { role, column } => match column {
            Some(c) => format!("give '{c}' the {role} role on Map columns (e)"),
            None => format!("give a column the {role} role on Map columns (e)"),
        },
        Remedy::DirectionValues { column } => format!(
            "give '{column}' the direction role on Map columns (e) and name its inflow and outflow values in a run.toml (aggregate.inflow_values, aggregate.outflow_values)"
        ),
        Remedy::InputKind { kind } => {
            format!("set aggregate.input = \"{kind}\" in a run.toml")
        }
        Remedy::AsOf { .. } => "set the as-of date on Features (e)".into(),
        Remedy::OtherAsOf => "choose another as-of date on Features (e)".into(),
        Remedy::MaxMissing { value: Some(v) } => {
            format!("raise Max missing to at least {v} in Clean options (Tab)")
        }
        Remedy::MaxMissing { value: None } => "change Max missing in Clean options (Tab)".into(),
        Remedy::Duplicates { .. } => {
            "set Duplicates to keep-first or keep-last in Clean options (Tab)".into()
        }
        Remedy::Select { column: Some(c) } => {
            format!("cluster on '{c}' with Space on Features")
        }
        Remedy::Select { column: None } => {
            "mark a numeric column as a feature on Map columns (f)".into()
        }
        Remedy::DropFeature { .. } => "exclude one with Space on Features".into(),
        Remedy::TransformFeature { .. } | Remedy::Transform { .. } => {
            "change the transform with t on Features".into()
        }
        Remedy::FeaturesTemplate => "set features.mode = \"template\" in a run.toml".into(),
        Remedy::OneHot => "set features.one_hot = true in a run.toml".into(),
        Remedy::Winsorize { .. } => "set features.winsorize in a run.toml".into(),
        Remedy::SmallerK { at_most } => {
            format!("lower K (at most {at_most}) in the Cluster options (Tab, then ←)")
        }
        Remedy::WaitForOtherRun => {
            "wait for the other run to finish, or choose another folder".into()
        }
        Remedy::Force => "Enter again and answer y to overwrite".into(),
        Remedy::OneOf(all) => all.iter().map(key_hint).collect::<Vec<_>>().join(", or "),
    }
}

/// The same as [`key_hint`], as a sentence.
pub fn key_sentence(r: &Remedy) -> String {
    let mut s = key_hint(r);
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    s.push('.');
    s
}

/// The option a setting error is about, as the TUI names it.
fn setting_name(r: &Remedy) -> String {
    match r {
        Remedy::SetRole {
            role,
            column: Some(c),
        } => format!("{role} = '{c}'"),
        Remedy::SetRole { role, column: None } => format!("the {role} role"),
        Remedy::InputKind { kind } => format!("input = {kind}"),
        Remedy::AsOf { date: Some(d) } => format!("as-of date {d}"),
        Remedy::MaxMissing { value: Some(v) } => format!("Max missing {v}"),
        Remedy::Select { column: Some(c) } | Remedy::DropFeature { name: Some(c) } => {
            format!("feature '{c}'")
        }
        Remedy::TransformFeature { name, to } => match to {
            Some(t) => format!("transform of '{name}' ({t})"),
            None => format!("transform of '{name}'"),
        },
        Remedy::Encoding { suggested: Some(s) } => format!("Encoding {s}"),
        Remedy::DateOrder { order } => format!("Dates {order}"),
        other => key_hint(other),
    }
}

/// An error as the TUI words it: the option it is about, then the message
/// (the remedy goes in the error box's hint: [`hint_for`]).
pub fn error_text(e: &Error) -> String {
    match e.setting() {
        Some(s) => format!("{}: {e}", setting_name(s)),
        None => e.to_string(),
    }
}

/// The error's remedy as a sentence, or `otherwise`.
pub fn hint_for(e: &Error, otherwise: &str) -> String {
    e.remedy()
        .map_or_else(|| otherwise.to_string(), key_sentence)
}

/// A warning or note as the TUI words it.
pub fn notice_text(n: &Notice) -> String {
    match &n.remedy {
        Some(r) => format!("{} ({})", n.text, key_hint(r)),
        None => n.text.clone(),
    }
}
