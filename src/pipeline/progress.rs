//! How long-running stages report progress and learn they should stop.
//! The TUI forwards reports to its event channel; headless prints them.

use std::sync::atomic::{AtomicBool, Ordering};

pub trait Progress: Sync {
    /// `fraction` in 0..=1 of the current stage, with a short message.
    fn report(&self, fraction: f64, message: &str);
    /// Checked between chunks of work; `true` makes the stage return `Error::Cancelled`.
    fn is_cancelled(&self) -> bool {
        false
    }
    /// A K of the sweep is fitted and measured, before the sweep ends (so
    /// a caller can show each K as it comes). Ignored by default.
    fn k_fitted(&self, _k: &KFitted) {}
}

/// One K of a sweep as soon as it is fitted and measured: its SSE and
/// quality metrics (not its labels), and how many K the sweep fits.
#[derive(Clone, Debug, PartialEq)]
pub struct KFitted {
    pub k: usize,
    pub sse: f64,
    pub metrics: crate::pipeline::cluster::Metrics,
    /// K fitted so far, this one included, and K to fit in all.
    pub done: usize,
    pub total: usize,
}

/// Progress sink that ignores everything (tests, library callers).
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _fraction: f64, _message: &str) {}
}

/// A cancel flag plus a callback; what the TUI worker and headless mode use.
pub struct FnProgress<'a, F: Fn(f64, &str) + Sync> {
    pub callback: F,
    pub cancel: Option<&'a AtomicBool>,
}

impl<F: Fn(f64, &str) + Sync> Progress for FnProgress<'_, F> {
    fn report(&self, fraction: f64, message: &str) {
        (self.callback)(fraction.clamp(0.0, 1.0), message)
    }
    fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}
