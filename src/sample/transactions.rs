//! The transaction log: customers from the clean stream, a transaction count
//! per customer by segment weight, dates inside one three-year window, then
//! one row per transaction in date order.

use chrono::NaiveDate;

use super::draw::{Draw, cents, days_before, params, sample_customers};
use super::format::{DateStyle, push_customer_id, push_padded};
use super::messy::{MISSING_TOKENS, Messy};
use super::sink::Sink;
use super::write::gender_text;
use super::{BRANCHES, SampleCustomer, SampleOptions, Segment};
use crate::Result;

/// Days a transaction log covers, up to the as-of date.
const LOG_WINDOW_DAYS: u64 = 3 * 365;

struct Txn {
    date: NaiveDate,
    customer: u32,
    amount_cents: i64,
    balance_cents: i64,
}

pub(super) fn write_transactions<S: Sink>(
    sink: &mut S,
    opts: &SampleOptions,
) -> Result<(Vec<Segment>, usize)> {
    let n_customers = (opts.rows / 5).max(1);
    let customers: Vec<SampleCustomer> =
        sample_customers(n_customers, opts.seed, opts.as_of).collect();
    let mut d = Draw::new(opts.seed, 2);
    // The draws below come from one stream in this order: dates of birth,
    // weights, then the transactions.
    let dobs = dates_of_birth(&customers, &mut d, opts.as_of);
    let counts = transaction_counts(&customers, &mut d, opts.rows);
    let txns = draw_transactions(&customers, &counts, &mut d, opts);

    let mut messy = Messy::new(opts);
    let income_known: Vec<bool> = customers.iter().map(|_| !messy.chance(0.42)).collect();
    let log = TxnLog {
        customers: &customers,
        dobs: &dobs,
        income_known: &income_known,
        // Kaggle style: upper-case city names.
        upper_cities: BRANCHES.iter().map(|b| b.0.to_ascii_uppercase()).collect(),
        chinese: opts.chinese,
        true_segment: opts.true_segment,
    };
    let mut segments = Vec::with_capacity(txns.len());
    for (ti, t) in txns.iter().enumerate() {
        log.write_row(sink, &mut messy, ti, t)?;
        segments.push(customers[t.customer as usize].segment);
    }
    Ok((segments, n_customers))
}

/// Date of birth per customer.
fn dates_of_birth(customers: &[SampleCustomer], d: &mut Draw, as_of: NaiveDate) -> Vec<NaiveDate> {
    customers
        .iter()
        .map(|c| {
            let back = u64::from(c.age) * 365 + c.age as u64 / 4 + d.below(365);
            days_before(as_of, back)
        })
        .collect()
}

/// Transactions per customer, summing to `rows`: one each, the rest shared by weight.
fn transaction_counts(customers: &[SampleCustomer], d: &mut Draw, rows: usize) -> Vec<usize> {
    let n_customers = customers.len();
    let weights: Vec<f64> = customers
        .iter()
        .map(|c| params(c.segment).txn_weight * d.lognormal(1.0, 0.4))
        .collect();
    let total_w: f64 = weights.iter().sum();
    let extra = rows - n_customers.min(rows);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| 1 + (extra as f64 * w / total_w).floor() as usize)
        .collect();
    let mut assigned: usize = counts.iter().sum();
    let mut i = 0;
    while assigned < rows {
        counts[i % n_customers] += 1;
        assigned += 1;
        i += 1;
    }
    // rows < 5 gives one customer; trim if rounding overshot (it cannot, but be safe).
    while assigned > rows {
        let j = counts.iter().position(|&c| c > 1).unwrap_or(0);
        counts[j] -= 1;
        assigned -= 1;
    }
    counts
}

/// Every customer's transactions, in date order.
fn draw_transactions(
    customers: &[SampleCustomer],
    counts: &[usize],
    d: &mut Draw,
    opts: &SampleOptions,
) -> Vec<Txn> {
    // One window for the whole log, like a bank's export of the last three
    // years: a customer who was there before it transacts from its first
    // day on, a newer one from their open date.
    let log_start = days_before(opts.as_of, LOG_WINDOW_DAYS);
    let mut txns: Vec<Txn> = Vec::with_capacity(opts.rows);
    for (ci, c) in customers.iter().enumerate() {
        let p = params(c.segment);
        let last = c.last_txn;
        let span_start = c.open_date.max(log_start).min(last);
        let span = (last - span_start).num_days().max(0) as u64;
        for k in 0..counts[ci] {
            let date = if k == 0 {
                last
            } else {
                days_before(last, d.below(span + 1))
            };
            let amount = cents(d.lognormal(p.ticket.0, p.ticket.1 + 0.3));
            let balance = cents(c.balance_cents as f64 / 100.0 * d.lognormal(1.0, 0.04));
            txns.push(Txn {
                date,
                customer: ci as u32,
                amount_cents: amount.max(1),
                balance_cents: balance,
            });
        }
    }
    // A log is in date order; the sort is stable, so ties keep customer order.
    txns.sort_by_key(|t| t.date);
    txns
}

/// What every row of the log looks up by customer.
struct TxnLog<'a> {
    customers: &'a [SampleCustomer],
    dobs: &'a [NaiveDate],
    income_known: &'a [bool],
    upper_cities: Vec<String>,
    chinese: bool,
    true_segment: bool,
}

impl TxnLog<'_> {
    fn write_row<S: Sink>(&self, sink: &mut S, m: &mut Messy, ti: usize, t: &Txn) -> Result<()> {
        let c = &self.customers[t.customer as usize];
        let cn = self.chinese;
        // TransactionID
        m.scratch.clear();
        m.scratch.push('T');
        push_padded(&mut m.scratch, ti as u64 + 1, 7);
        sink.text(&m.scratch);
        // CustomerID
        m.scratch.clear();
        push_customer_id(&mut m.scratch, c.number);
        sink.text(&m.scratch);
        // CustomerDOB
        if !m.missing(sink, 0.02) {
            if m.chance(0.005) {
                sink.text("1/1/1800");
            } else {
                m.date(sink, self.dobs[t.customer as usize], DateStyle::Dmy);
            }
        }
        // CustGender
        if !m.missing(sink, 0.01) {
            m.text(sink, gender_text(c.male, cn));
        }
        // CustLocation
        if !m.missing(sink, 0.01) {
            let b = &BRANCHES[c.branch];
            let city = if cn {
                b.1.trim_end_matches("分行")
            } else {
                self.upper_cities[c.branch].as_str()
            };
            m.text(sink, city);
        }
        // CustAccountBalance
        if !m.missing(sink, 0.015) {
            m.money(sink, t.balance_cents, 0.03);
        }
        // TransactionDate
        m.date(sink, t.date, DateStyle::Dmy);
        // TransactionAmount
        m.money(sink, t.amount_cents, 0.02);
        // CustIncome (messy only)
        if m.on {
            if self.income_known[t.customer as usize] {
                m.money(sink, c.income_cents, 0.0);
            } else {
                let tok = MISSING_TOKENS[(t.customer % 4) as usize];
                sink.text(tok);
            }
        }
        if self.true_segment {
            sink.text(c.segment.name());
        }
        sink.end_row()
    }
}
