//! Going to a stage several steps away (digits 1-7, or an Enter typed while
//! a stage's work runs), and quitting with edits not yet exported.
//!
//! A jump forward keeps its target in the App; each step runs what the
//! current stage lacks (clean, features, sweep, profiles) or moves on, and
//! the next step comes when that work is done, so the progress of each
//! step shows as usual. It stops at the target, when a stage refuses (its
//! screen says why), when a box opens (an error), or on Esc.

use super::app::{App, Stage, StatusKind};
use super::jobs::{JobKind, Request};
use crate::config::RunConfig;

impl App {
    /// `1`-`7`: go to `target`; forward, running what it needs first.
    pub fn jump_to(&mut self, target: Stage) {
        self.jump = None;
        if target < self.stage {
            self.go_to(target);
        } else if target > self.stage {
            self.jump = Some(target);
            self.advance_jump();
        }
    }

    /// Takes the jump's next steps, as far as finished work allows.
    pub fn advance_jump(&mut self) {
        while let Some(target) = self.jump {
            if self.stage >= target || self.overlay.is_some() {
                self.jump = None;
                return;
            }
            if self.is_busy() {
                return;
            }
            let before = self.stage;
            self.jump_step();
            if self.stage == before && !self.is_busy() {
                // Refused: the screen's status line says why.
                self.jump = None;
                return;
            }
        }
    }

    /// Runs what the current stage lacks, or moves to the next one.
    fn jump_step(&mut self) {
        let d = &self.data;
        let request = match self.stage {
            Stage::Load if d.table().is_none() => {
                self.set_status(
                    StatusKind::Warn,
                    "Load a file first: Enter loads the path shown.",
                );
                return;
            }
            Stage::Clean if d.cleaned().is_none() => Some(Request::Clean),
            Stage::Features if d.features().is_none() => Some(Request::Features),
            Stage::Cluster if d.sweep().is_none() || d.sweep_pending(&self.config) => {
                Some(Request::Sweep)
            }
            Stage::Inspect if d.profiles().is_none() => Some(Request::Profile),
            _ => None,
        };
        match (request, self.stage.next()) {
            (Some(r), _) => self.start_request(r),
            (None, Some(next)) => self.go_to(next),
            (None, None) => self.jump = None,
        }
    }

    /// Esc during a jump stops it (the screen then cancels its work).
    pub fn cancel_jump(&mut self) -> bool {
        self.jump.take().is_some()
    }

    /// What quitting would lose: the running work, and edits made with the
    /// keys since the last export (labels, actions, options).
    pub fn quit_would_lose(&self) -> (Option<String>, bool) {
        let work = self
            .jobs
            .iter()
            .find(|j| j.cancel.is_some() && j.kind != JobKind::Sheets)
            .map(|j| j.label.clone());
        (work, self.has_unsaved_edits())
    }

    pub fn has_unsaved_edits(&self) -> bool {
        edits(&self.config) != self.saved_edits
    }
}

/// The part of a config a user edits on the screens: everything but the
/// input path and its checksum (choosing a file is not an edit to lose).
pub fn edits(config: &RunConfig) -> RunConfig {
    let mut c = config.clone();
    c.input = None;
    c.input_sha256 = None;
    c
}
