//! How long-running stages report progress and learn they should stop.
//! The TUI forwards reports to its event channel; headless prints them.

use std::sync::Mutex;
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

/// Two parts of a stage that run at the same time, on one bar: it shows
/// their weighted sum (so it never goes back), with the first part's
/// messages while it runs and the second's after (two alternating messages
/// would flicker). When one part fails, [`SideBySide::abandon`] stops the
/// other at its next check.
pub struct SideBySide<'a> {
    inner: &'a dyn Progress,
    weights: [f64; 2],
    state: Mutex<SideState>,
    abandoned: AtomicBool,
}

struct SideState {
    done: [f64; 2],
    first_message: String,
}

impl<'a> SideBySide<'a> {
    /// `first_share` of the bar for the first part, the rest for the second.
    pub fn new(inner: &'a dyn Progress, first_share: f64) -> Self {
        let first = first_share.clamp(0.0, 1.0);
        SideBySide {
            inner,
            weights: [first, 1.0 - first],
            state: Mutex::new(SideState {
                done: [0.0; 2],
                first_message: String::new(),
            }),
            abandoned: AtomicBool::new(false),
        }
    }

    pub fn first(&self) -> SidePart<'_> {
        SidePart {
            whole: self,
            index: 0,
        }
    }

    pub fn second(&self) -> SidePart<'_> {
        SidePart {
            whole: self,
            index: 1,
        }
    }

    /// The other part's result is no longer wanted.
    pub fn abandon(&self) {
        self.abandoned.store(true, Ordering::Relaxed);
    }
}

/// One part of a [`SideBySide`].
pub struct SidePart<'a> {
    whole: &'a SideBySide<'a>,
    index: usize,
}

impl Progress for SidePart<'_> {
    fn report(&self, fraction: f64, message: &str) {
        let whole = self.whole;
        // Reported under the lock, so the fractions arrive in order.
        let mut state = whole.state.lock().unwrap_or_else(|e| e.into_inner());
        let done = &mut state.done[self.index];
        *done = done.max(fraction.clamp(0.0, 1.0));
        let total = whole.weights[0] * state.done[0] + whole.weights[1] * state.done[1];
        if self.index == 0 {
            message.clone_into(&mut state.first_message);
            whole.inner.report(total, message);
        } else if state.done[0] >= 1.0 {
            whole.inner.report(total, message);
        } else {
            whole.inner.report(total, &state.first_message);
        }
    }
    fn is_cancelled(&self) -> bool {
        self.whole.abandoned.load(Ordering::Relaxed) || self.whole.inner.is_cancelled()
    }
    fn k_fitted(&self, k: &KFitted) {
        self.whole.inner.k_fitted(k);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every report that reaches the bar, in order.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<(f64, String)>>);

    impl Progress for Recorded {
        fn report(&self, fraction: f64, message: &str) {
            self.0.lock().unwrap().push((fraction, message.to_string()));
        }
    }

    #[test]
    fn two_parts_side_by_side_fill_one_bar_forwards() {
        let bar = Recorded::default();
        let side = SideBySide::new(&bar, 0.75);
        let (fits, gap) = (side.first(), side.second());
        fits.report(0.2, "K=2");
        gap.report(0.5, "gap 5 of 10");
        fits.report(0.6, "K=3");
        gap.report(0.4, "gap 4 of 10"); // late: never moves the bar back
        fits.report(1.0, "every K fitted");
        gap.report(1.0, "gap 10 of 10");
        let seen = bar.0.into_inner().unwrap();
        let fractions: Vec<f64> = seen.iter().map(|s| s.0).collect();
        let expect = [0.15, 0.275, 0.575, 0.575, 0.875, 1.0];
        for (f, e) in fractions.iter().zip(expect) {
            assert!((f - e).abs() < 1e-12, "{fractions:?}");
        }
        let messages: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
        // The second part's messages only once the first is done.
        assert_eq!(
            messages,
            ["K=2", "K=2", "K=3", "K=3", "every K fitted", "gap 10 of 10"]
        );
    }

    #[test]
    fn a_failed_part_stops_the_other_and_a_cancel_reaches_both() {
        let cancel = AtomicBool::new(false);
        let bar = FnProgress {
            callback: |_: f64, _: &str| {},
            cancel: Some(&cancel),
        };
        let side = SideBySide::new(&bar, 0.5);
        assert!(!side.first().is_cancelled() && !side.second().is_cancelled());
        cancel.store(true, Ordering::Relaxed);
        assert!(side.first().is_cancelled() && side.second().is_cancelled());
        let bar = NoProgress;
        let side = SideBySide::new(&bar, 0.5);
        side.abandon();
        assert!(side.second().is_cancelled());
    }
}
