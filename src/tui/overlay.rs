//! What is drawn over a screen (help, an error, a question, a text box, the
//! role list) and the status line: plain data that screens ask for through
//! effects and the App keeps.

use super::keymap::OverlayKind;
use super::text::TextInput;
use crate::pipeline::mapping::Role;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warn,
    Error,
}

/// The one-line message above the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// An error shown in a box: what went wrong and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReport {
    pub title: String,
    pub cause: String,
    pub hint: String,
}

/// A list to choose from, drawn over the screen (Map: the role of a column).
#[derive(Clone, Debug, PartialEq)]
pub struct RolePicker {
    /// Index of the column in the mapping.
    pub column: usize,
    /// `None` = "automatic" (drop the user's choice for this column).
    pub choices: Vec<Option<Role>>,
    pub selected: usize,
}

/// The option rows of the Cluster screen (a text box can be for one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepOption {
    KMin,
    KMax,
    K,
    Restarts,
    Seed,
}

/// What a text box is for; Enter hands its text to that screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    /// Features: the as-of date.
    AsOf,
    /// Cluster: the value of an option row.
    Sweep(SweepOption),
    /// Inspect: the label of a segment.
    Label(u32),
    /// Inspect: the recommended action of a segment.
    SegmentAction(u32),
    /// Inspect: a customer id to find.
    Search,
    /// Inspect: the output folder of an earlier run to compare with.
    Origin,
}

/// A one-line text field in a box over the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct InputBox {
    pub purpose: InputPurpose,
    pub title: String,
    /// What to type, one line under the field.
    pub hint: String,
    pub input: TextInput,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

impl InputBox {
    pub fn new(purpose: InputPurpose, title: &str, text: &str, hint: &str) -> Self {
        InputBox {
            purpose,
            title: title.into(),
            hint: hint.into(),
            input: TextInput::new(text),
            error: None,
        }
    }
}

/// A yes/no question (other than quitting).
#[derive(Clone, Debug, PartialEq)]
pub enum Question {
    /// Export into a folder that already holds files.
    Overwrite { dir: PathBuf, files: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Error(ErrorReport),
    ConfirmQuit,
    RolePicker(RolePicker),
    Input(InputBox),
    Confirm(Question),
}

impl Overlay {
    pub fn kind(&self) -> OverlayKind {
        match self {
            Overlay::Help { .. } => OverlayKind::Help,
            Overlay::Error(_) => OverlayKind::Error,
            Overlay::ConfirmQuit => OverlayKind::ConfirmQuit,
            Overlay::RolePicker(_) => OverlayKind::Picker,
            Overlay::Input(_) => OverlayKind::Input,
            Overlay::Confirm(_) => OverlayKind::Confirm,
        }
    }
}
