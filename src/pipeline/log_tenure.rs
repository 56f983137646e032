//! Tenure of a transaction log without an open date.
//!
//! A log covers a window of time, from its first to its last day. A
//! customer's first transaction in it is not the day they became a
//! customer: someone who has banked for twelve years and transacts every
//! few months first shows up a few months into the log. Counting their
//! tenure from that first transaction calls sparse customers new, and a
//! "new" segment gets onboarding offers it does not need.
//!
//! So the log's start censors tenure. A customer counts as **new** only
//! when the log shows it: had they been a customer all through the window,
//! transacting as often as they do, a first transaction this late would be
//! unlikely. With `n` dated transactions spread evenly over the window, the
//! chance that all of them fall after a point `u` of the way in is
//! `(1 - u)^n`; below [`NEW_EVIDENCE`] the customer is new and their tenure
//! runs from their first transaction. Otherwise the log cannot tell, and
//! tenure runs from the log's first day: "at least as long as the log".
//! One transaction halfway through a year's log proves nothing; five
//! transactions, all in its last quarter, do.

use crate::pipeline::table::MISSING_DATE;

/// Below this chance of a first transaction so late for a customer who was
/// there from the log's start, the customer is new.
pub const NEW_EVIDENCE: f64 = 0.05;

/// The log's first and last transaction days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogWindow {
    pub start: i32,
    pub end: i32,
}

impl LogWindow {
    /// The window of customers' first and last days (missing days skipped);
    /// `None` without a dated customer.
    pub fn of(first: &[i32], last: &[i32]) -> Option<LogWindow> {
        let start = first.iter().copied().filter(|&d| d != MISSING_DATE).min()?;
        let end = last
            .iter()
            .copied()
            .filter(|&d| d != MISSING_DATE)
            .max()?
            .max(start);
        Some(LogWindow { start, end })
    }

    /// Whether a customer first seen on `first`, with `n` dated
    /// transactions, is shown by the log to be new.
    pub fn is_new(&self, first: i32, n: u32) -> bool {
        if first == MISSING_DATE || self.end <= self.start || n == 0 {
            return false;
        }
        let u = f64::from(first - self.start) / f64::from(self.end - self.start);
        (1.0 - u.clamp(0.0, 1.0)).powf(f64::from(n)) < NEW_EVIDENCE
    }

    /// The day tenure runs from: the first transaction of a customer the
    /// log shows to be new, else the log's first day.
    pub fn tenure_start(&self, first: i32, n: u32) -> i32 {
        if first == MISSING_DATE {
            MISSING_DATE
        } else if self.is_new(first, n) {
            first
        } else {
            self.start
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_and_frequent_is_new_sparse_is_censored() {
        let w = LogWindow {
            start: 0,
            end: 1000,
        };
        // Five transactions, all in the last quarter: (0.25)^5 < 5%.
        assert!(w.is_new(750, 5));
        assert_eq!(w.tenure_start(750, 5), 750);
        // One transaction halfway: half of all long-standing customers
        // with one transaction look like that.
        assert!(!w.is_new(500, 1));
        assert_eq!(w.tenure_start(500, 1), 0);
        // One transaction in the last 2% of the log is evidence.
        assert!(w.is_new(990, 1));
        // Three transactions from a third of the way in: 0.67^3 = 0.30.
        assert!(!w.is_new(333, 3));
        // No dated transaction: no tenure.
        assert_eq!(w.tenure_start(MISSING_DATE, 0), MISSING_DATE);
    }

    #[test]
    fn a_one_day_log_shows_nobody_new() {
        let w = LogWindow::of(&[5, 5], &[5, 5]).unwrap();
        assert!(!w.is_new(5, 10));
        assert_eq!(LogWindow::of(&[MISSING_DATE], &[MISSING_DATE]), None);
    }
}
