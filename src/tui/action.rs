//! Everything that can happen to the [`App`](super::App): what keys mean
//! (see [`keymap`](super::keymap)), plus resizes, ticks and worker reports.

use super::stage::Stage;
use super::worker::WorkerEvent;
use crate::pipeline::mapping::ColumnUse;

/// A cursor movement; lists, tables, text fields and option values read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

// Carries a worker result once per job; boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Action {
    /// `q`: quit, after asking when work is running.
    Quit,
    /// Ctrl-C: quit now, whatever is going on.
    ForceQuit,
    /// `?` / F1: open (or close) the help for this screen.
    Help,
    /// Esc: close the overlay, cancel the running job, or go back a stage.
    Back,
    /// Enter: confirm; on a finished screen, go to the next stage.
    Confirm,
    /// Tab / Shift-Tab.
    NextPane,
    PrevPane,
    Move(Move),
    /// A character typed into a text field.
    Input(char),
    /// Text pasted (bracketed paste) into a text field.
    Paste(String),
    Backspace,
    Delete,
    /// Ctrl-U in a text field: clear it.
    ClearInput,
    /// Accept the completion shown after the cursor (→ or End at the end of a path).
    Complete,
    /// Space: include / leave out the selected column or feature; toggle
    /// the selected value.
    Toggle,
    /// `y` / `n` in a yes/no question.
    Answer(bool),
    /// Map screen: `f`, `p`.
    SetUse(ColumnUse),
    /// `1`-`7`: go to a stage, running what it needs first.
    JumpTo(Stage),
    /// A screen's letter command (which letters each screen has: `keymap`).
    Command(Command),
    Resize(u16, u16),
    /// A progress report or a result from the worker.
    Worker(WorkerEvent),
    /// Nothing happened for a while (spinner, elapsed time).
    Tick,
}

/// Letter commands of the screens. The keymap decides which letter
/// means which command on which screen (its `BINDINGS` table); the screens
/// only see these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `e`: edit the selected value (Load: the path; Map: the column's
    /// role; Features: the as-of date; Cluster: K or the selected option;
    /// Inspect: the segment's label).
    EditValue,
    /// Inspect `a`: change the segment's recommended action.
    EditAction,
    /// Cluster `r`: run the sweep (again) with the options shown.
    RunSweep,
    /// `s`: sort the table by the next column.
    SortNext,
    /// `S`: reverse the table's order.
    SortReverse,
    /// `/`: search (Load: filter the file list; Inspect: a customer by
    /// part of an id).
    Search,
    /// Inspect `c`: compare two segments side by side.
    Compare,
    /// Inspect `o`: where the segment's customers came from (a previous run).
    Origin,
    /// Features `t`: log / none for the selected feature.
    ToggleTransform,
    /// Cluster Del / Backspace: let the sweep choose K again.
    AutoK,
    /// Cluster `v`: the pane that does not fit at this size (chart or
    /// structure).
    SwapView,
    /// Cluster `w`: widen the K range and run the sweep.
    WidenRange,
    /// Inspect `p`: the 2-D (PCA) scatter of the segments.
    Scatter,
    /// Load F2: write the bundled sample to a file and load it.
    BundledSample,
}
