//! What the user can change to fix a problem or override a decision, as data.
//!
//! The library reports a [`Remedy`] beside its message (in an error, a
//! dropped column, a left-out feature, a warning) and never words it: the
//! message says what happened, the remedy says which option would change it.
//! Each face words a remedy itself: the command line as its flag
//! ([`Remedy::flag`], [`Remedy::cli_phrase`]), the TUI as a key or screen
//! (`tui::remedy`). The Markdown report, written by both faces beside the
//! run.toml that replays it with `--config`, names the option as the command
//! line spells it.

/// An option that would fix or override something, with the value the
/// evidence suggests where there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// Skip the rows that cannot be read (a last record that looks cut off,
    /// rows with the wrong number of fields).
    SkipBadRows,
    /// Name the file's encoding; `suggested` is the one the evidence favours.
    Encoding { suggested: Option<String> },
    /// Name the field delimiter.
    Delimiter,
    /// Say that the first row is a header.
    Header,
    /// Read ambiguous dates in the other day/month order (`order` is its name).
    DateOrder { order: String },
    /// Give a column a role (`column: None` when the user must choose it).
    SetRole {
        role: String,
        column: Option<String>,
    },
    /// Name a role's inflow and outflow values (a direction column).
    DirectionValues { column: String },
    /// Say what one row is: `customers` or `transactions`.
    InputKind { kind: String },
    /// Set the as-of date (`date` when one is given or suggested).
    AsOf { date: Option<String> },
    /// Choose another as-of date than the one custseg took from the data.
    OtherAsOf,
    /// Change the missing-share limit (`value` as given or suggested).
    MaxMissing { value: Option<String> },
    /// Keep one row per repeated customer id (`policy` when one is set).
    Duplicates { policy: Option<String> },
    /// Select a column as a feature in generic mode.
    Select { column: Option<String> },
    /// Leave a feature out of the clustering.
    DropFeature { name: Option<String> },
    /// Transform one feature (`to` names the transform when there is one).
    TransformFeature { name: String, to: Option<String> },
    /// Set the transform of every feature.
    Transform { mode: String },
    /// Build the template features (RFM, tenure, ...) rather than generic ones.
    FeaturesTemplate,
    /// One-hot encode text feature columns.
    OneHot,
    /// Winsorise features at these percentiles (`bounds` as the option reads).
    Winsorize { bounds: String },
    /// Ask for fewer segments (`at_most` is the most the data can hold).
    SmallerK { at_most: usize },
    /// Replace the outputs in a folder that already holds some.
    Force,
    /// Wait for another run writing the same folder, or choose another one.
    WaitForOtherRun,
    /// Any one of these would do.
    OneOf(Vec<Remedy>),
}

impl Remedy {
    /// The command-line flag (with its value where one is known).
    pub fn flag(&self) -> String {
        let or = |v: &Option<String>, default: &str| v.clone().unwrap_or_else(|| default.into());
        match self {
            Remedy::SkipBadRows => "--skip-bad-rows".into(),
            Remedy::Encoding { suggested } => match suggested {
                Some(s) => format!("--encoding {s}"),
                None => "--encoding".into(),
            },
            Remedy::Delimiter => "--delimiter".into(),
            Remedy::Header => "--header".into(),
            Remedy::DateOrder { order } => format!("--date-order {order}"),
            Remedy::SetRole { role, column } => format!("--map {role}={}", or(column, "COLUMN")),
            Remedy::DirectionValues { column } => {
                format!("--map direction={column} --inflow-values V --outflow-values V")
            }
            Remedy::InputKind { kind } => format!("--input {kind}"),
            Remedy::AsOf { date } => match date {
                Some(d) => format!("--as-of {d}"),
                None => "--as-of".into(),
            },
            Remedy::OtherAsOf => "--as-of".into(),
            Remedy::MaxMissing { value } => match value {
                Some(v) => format!("--max-missing {v}"),
                None => "--max-missing".into(),
            },
            Remedy::Duplicates { policy } => {
                format!("--duplicates {}", or(policy, "keep-first"))
            }
            Remedy::Select { column } => format!("--select {}", or(column, "COLUMN")),
            Remedy::DropFeature { name } => match name {
                Some(n) => format!("--drop-feature {n}"),
                None => "--drop-feature".into(),
            },
            Remedy::TransformFeature { name, to } => match to {
                Some(t) => format!("--transform-feature {name}={t}"),
                None => format!("--transform-feature {name}"),
            },
            Remedy::Transform { mode } => format!("--transform {mode}"),
            Remedy::FeaturesTemplate => "--features template".into(),
            Remedy::OneHot => "--one-hot".into(),
            Remedy::Winsorize { bounds } => format!("--winsorize {bounds}"),
            Remedy::SmallerK { at_most } => format!("--k {at_most}"),
            Remedy::Force => "--force".into(),
            Remedy::WaitForOtherRun => "--out".into(),
            Remedy::OneOf(all) => all.iter().map(Remedy::flag).collect::<Vec<_>>().join(" / "),
        }
    }

    /// The remedy as a short command-line advice, to follow a message after
    /// "; " (errors) or inside parentheses (notes).
    pub fn cli_phrase(&self) -> String {
        let flag = self.flag();
        match self {
            Remedy::SkipBadRows => format!("use {flag}"),
            Remedy::Encoding { suggested: Some(_) } => format!("name the encoding with {flag}"),
            Remedy::Encoding { suggested: None } => {
                format!("name the encoding with {flag} (e.g. gbk, big5, shift_jis, windows-1252)")
            }
            Remedy::Delimiter => format!("name the delimiter with {flag}"),
            Remedy::Header => format!("use {flag} if the first row is a header"),
            Remedy::DateOrder { .. } => format!("{flag} to change"),
            Remedy::SetRole { .. } => format!("name it with {flag}"),
            Remedy::DirectionValues { .. } => flag,
            Remedy::InputKind { .. } => format!("{flag} to override"),
            Remedy::AsOf { date: None } => format!("give {flag}"),
            Remedy::AsOf { date: Some(_) } => format!("use {flag}"),
            Remedy::OtherAsOf => format!("set {flag} to choose another"),
            Remedy::MaxMissing { value: None } => format!("raise {flag} to keep it"),
            Remedy::MaxMissing { value: Some(v) } => {
                format!("raise --max-missing to at least {v} to keep it")
            }
            Remedy::Duplicates { .. } => {
                "use --duplicates keep-first or keep-last to keep one row per id".into()
            }
            Remedy::Select { .. } => format!("use {flag} to cluster on it"),
            Remedy::DropFeature { .. } => format!("consider {flag} for one"),
            Remedy::TransformFeature { .. } | Remedy::Transform { .. } => format!("use {flag}"),
            Remedy::FeaturesTemplate => format!("{flag} to use it"),
            Remedy::OneHot => format!("{flag} to cluster on it"),
            Remedy::Winsorize { .. } => format!("{flag} to change"),
            Remedy::SmallerK { at_most } => {
                format!("use a smaller K (--k or --k-range, at most {at_most})")
            }
            Remedy::Force => format!("use {flag} to replace it"),
            Remedy::WaitForOtherRun => "wait for it to finish or choose another folder".into(),
            Remedy::OneOf(all) => all
                .iter()
                .map(Remedy::cli_phrase)
                .collect::<Vec<_>>()
                .join(", or "),
        }
    }
}

/// A warning or note: what happened (`text`, which never names an option's
/// flag or key), the columns or features it is about (so a screen can show
/// it beside them without reading the text), and the option that would
/// change it. Saved files hold the text alone.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Notice {
    pub text: String,
    pub about: Vec<String>,
    pub remedy: Option<Remedy>,
}

impl Notice {
    /// A notice about nothing in particular, with no remedy.
    pub fn new(text: impl Into<String>) -> Self {
        Notice {
            text: text.into(),
            ..Notice::default()
        }
    }
    /// The column or feature it is about (more than one call adds more).
    pub fn about(mut self, name: impl Into<String>) -> Self {
        self.about.push(name.into());
        self
    }
    /// The option that would change it.
    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }
    /// Whether it is about this column or feature.
    pub fn is_about(&self, name: &str) -> bool {
        self.about.iter().any(|a| a == name)
    }
    /// The notice as the command line (and the report) words it.
    pub fn cli_line(&self) -> String {
        match &self.remedy {
            Some(r) => format!("{} ({})", self.text, r.cli_phrase()),
            None => self.text.clone(),
        }
    }
}

impl From<String> for Notice {
    fn from(text: String) -> Self {
        Notice::new(text)
    }
}

impl From<Notice> for String {
    fn from(n: Notice) -> String {
        n.text
    }
}

/// The command that replays a saved run, as the report tells it.
pub fn replay_command(config_file: &str) -> String {
    format!("custseg --no-tui --config {config_file}")
}
