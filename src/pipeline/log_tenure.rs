//! Who a transaction log shows to be new.
//!
//! A log covers a window of time, from its first to its last day. A
//! customer's first transaction in it is not the day they became a
//! customer: someone who has banked for twelve years and transacts every
//! few months first shows up a few months into the log. Tenure counted
//! from that first transaction calls sparse customers new (and a "new"
//! segment gets onboarding offers it does not need); counted from the
//! log's start it is the same for nearly everyone. Either way it mostly
//! measures the log, so a log without an open date gives no Tenure.
//!
//! What the log can show is who is new. A customer counts as new only when
//! a first transaction so late would be unlikely had they been a customer
//! all through the window, transacting as often as they do: with `n` dated
//! transactions spread evenly over the window, the chance that all of them
//! fall after a point `u` of the way in is `(1 - u)^n`; below
//! [`NEW_EVIDENCE`] the customer is new. One transaction halfway through a
//! year's log proves nothing; five, all in its last quarter, do. The flag
//! is a profile column ([`NEW_IN_LOG`]) that labels read to keep new
//! customers out of churn labels and established ones out of "new" ones.

use crate::pipeline::table::MISSING_DATE;

/// The profile column of a log that flags the customers it shows to be
/// new (labels read it to tell new customers from established ones).
pub const NEW_IN_LOG: &str = "new_in_log";

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
        // One transaction halfway: half of all long-standing customers
        // with one transaction look like that.
        assert!(!w.is_new(500, 1));
        // One transaction in the last 2% of the log is evidence.
        assert!(w.is_new(990, 1));
        // Three transactions from a third of the way in: 0.67^3 = 0.30.
        assert!(!w.is_new(333, 3));
        // No dated transaction: no evidence.
        assert!(!w.is_new(MISSING_DATE, 0));
    }

    #[test]
    fn a_one_day_log_shows_nobody_new() {
        let w = LogWindow::of(&[5, 5], &[5, 5]).unwrap();
        assert!(!w.is_new(5, 10));
        assert_eq!(LogWindow::of(&[MISSING_DATE], &[MISSING_DATE]), None);
    }
}
