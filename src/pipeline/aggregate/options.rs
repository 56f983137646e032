//! The options of the Aggregate stage (`--input` and the log policies).

use crate::pipeline::txn_meaning::{
    DirectionWords, MonetaryBasis, PlanOptions, ReturnsPolicy, SignedAmounts,
};
use serde::{Deserialize, Serialize};

/// `--input`: what one row of the input is.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    ascii_case_insensitive,
    parse_err_ty = String,
    parse_err_fn = unknown_input_kind
)]
pub enum InputKind {
    /// Decide from the data (see [`decide_input`](super::decide_input)).
    #[default]
    #[strum(to_string = "auto")]
    Auto,
    /// One row per customer; repeated ids are duplicates (Clean's policy).
    #[strum(to_string = "customers", serialize = "customer")]
    Customers,
    /// One row per transaction; aggregate to one row per customer.
    #[strum(
        to_string = "transactions",
        serialize = "transaction",
        serialize = "txn"
    )]
    Transactions,
}

fn unknown_input_kind(s: &str) -> String {
    format!("unknown input kind '{s}' (use auto, customers or transactions)")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregateOptions {
    /// `--input auto|customers|transactions`.
    pub input: InputKind,
    /// Slack for the streaming check: an unmapped text column is abandoned as
    /// per-transaction (e.g. a transaction id) once its distinct values
    /// outnumber the customers seen so far by more than this.
    pub max_attribute_levels: usize,
    /// Cancelled invoice lines: net (default) or exclude (see [`txn_meaning`](crate::pipeline::txn_meaning)).
    pub returns: ReturnsPolicy,
    /// Monetary of a debit/credit log: inflow (default), outflow or net.
    pub monetary: MonetaryBasis,
    /// Negative amounts without a direction column: auto, flows or plain.
    pub signed_amounts: SignedAmounts,
    /// The direction column's own words for money in and out.
    pub direction_words: DirectionWords,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions {
            input: InputKind::Auto,
            max_attribute_levels: 1000,
            returns: ReturnsPolicy::default(),
            monetary: MonetaryBasis::default(),
            signed_amounts: SignedAmounts::default(),
            direction_words: DirectionWords::default(),
        }
    }
}

impl AggregateOptions {
    pub(super) fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            returns: self.returns,
            monetary: self.monetary,
            signed_amounts: self.signed_amounts,
        }
    }
}
