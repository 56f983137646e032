//! What a screen wants to happen beyond its own state (gitui's queue of
//! internal events): screens never call each other or change the stage
//! outputs; they return [`Effect`]s, and the App applies them in order.

use super::data::Change;
use super::jobs::{JobKind, Request};
use super::overlay::{ErrorReport, Overlay, StatusKind};
use super::stage::Stage;
use crate::pipeline::mapping::ColumnUse;

pub enum Effect {
    /// A message in the status line.
    Status(StatusKind, String),
    ClearStatus,
    /// An error box over the screen.
    Error(ErrorReport),
    /// A text box, the role list or a question over the screen.
    Open(Overlay),
    /// Move to a stage (when what it needs is there).
    GoTo(Stage),
    /// Go to a stage once the running work is done (an Enter typed while
    /// it runs), taking the steps between.
    JumpTo(Stage),
    /// Start a job on the worker (replacing the same kind of job).
    Start(Request),
    /// Stop the running jobs of a kind; their late results are ignored.
    Cancel(JobKind),
    /// A change to the stage outputs (the App's [`super::data::PipelineData`]).
    Data(Change),
    /// Map columns: set the use of a column (Features asks for it when
    /// Space includes a column a rule keeps out).
    SetColumnUse {
        column: String,
        usage: ColumnUse,
    },
}
