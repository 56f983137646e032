//! Random numbers: only ChaCha8's raw stream is used, so the output does not
//! depend on how `rand` maps words to floats or ranges.

use chrono::{Days, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use super::{BRANCHES, SampleCustomer, Segment};

pub(super) struct Draw {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Draw {
    pub(super) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Draw { rng, spare: None }
    }

    /// Uniform in [0, 1).
    pub(super) fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in lo..hi (floats).
    pub(super) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.rng.next_u64() as u128 * n as u128) >> 64) as u64
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal (Box-Muller).
    pub(super) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }

    pub(super) fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Log-normal with the given median and log-scale sigma.
    pub(super) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    pub(super) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Index drawn with the given integer weights.
    pub(super) fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u64 = weights.clone().map(u64::from).sum();
        let mut x = self.below(total);
        for (i, w) in weights.enumerate() {
            let w = u64::from(w);
            if x < w {
                return i;
            }
            x -= w;
        }
        unreachable!("weights are positive")
    }
}

// ---------------------------------------------------------------------------
// Segment parameters.

pub(super) enum Recency {
    /// Exponential with this mean in days, capped.
    Exp { mean: f64, max: f64 },
    /// Uniform in lo..hi days.
    Uniform { lo: f64, hi: f64 },
}

pub(super) struct SegParams {
    pub(super) share: f64,
    pub(super) age: (f64, f64, f64, f64), // mean, sd, min, max
    pub(super) male: f64,
    pub(super) balance: (f64, f64), // median, sigma
    pub(super) count: (f64, f64),   // median, sigma (transactions in 12 months)
    pub(super) ticket: (f64, f64),  // median, sigma (average transaction amount)
    pub(super) recency: Recency,
    pub(super) tenure: (f64, f64, f64, f64), // years: mean, sd, min, max
    pub(super) products: (f64, f64, u32, u32),
    pub(super) income: (f64, f64),
    /// Relative number of transactions in the transaction log.
    pub(super) txn_weight: f64,
}

pub(super) fn params(s: Segment) -> &'static SegParams {
    static P: [SegParams; 5] = [
        SegParams {
            share: 0.10,
            age: (55.0, 5.5, 42.0, 72.0),
            male: 0.56,
            balance: (800_000.0, 0.45),
            count: (55.0, 0.35),
            ticket: (12_000.0, 0.5),
            recency: Recency::Exp {
                mean: 15.0,
                max: 120.0,
            },
            tenure: (15.0, 4.0, 6.0, 30.0),
            products: (5.6, 1.1, 4, 8),
            income: (60_000.0, 0.5),
            txn_weight: 5.0,
        },
        SegParams {
            share: 0.20,
            age: (27.0, 2.8, 22.0, 32.0),
            male: 0.5,
            balance: (15_000.0, 0.7),
            count: (75.0, 0.4),
            ticket: (350.0, 0.5),
            recency: Recency::Exp {
                mean: 8.0,
                max: 60.0,
            },
            tenure: (1.5, 0.8, 0.25, 3.5),
            products: (1.6, 0.7, 1, 3),
            income: (8_000.0, 0.4),
            txn_weight: 6.0,
        },
        SegParams {
            share: 0.30,
            age: (46.0, 6.0, 33.0, 62.0),
            male: 0.5,
            balance: (120_000.0, 0.5),
            count: (28.0, 0.35),
            ticket: (1_800.0, 0.5),
            recency: Recency::Exp {
                mean: 25.0,
                max: 150.0,
            },
            tenure: (12.0, 3.0, 6.0, 25.0),
            products: (3.2, 0.8, 2, 5),
            income: (15_000.0, 0.4),
            txn_weight: 3.0,
        },
        SegParams {
            share: 0.20,
            age: (36.0, 5.5, 24.0, 52.0),
            male: 0.52,
            balance: (80_000.0, 0.5),
            count: (420.0, 0.35),
            ticket: (1_400.0, 0.5),
            recency: Recency::Exp {
                mean: 2.0,
                max: 14.0,
            },
            tenure: (5.0, 1.5, 2.0, 10.0),
            products: (3.5, 0.8, 2, 6),
            income: (22_000.0, 0.45),
            txn_weight: 15.0,
        },
        SegParams {
            share: 0.20,
            age: (50.0, 13.0, 22.0, 80.0),
            male: 0.48,
            balance: (2_000.0, 1.0),
            count: (2.0, 0.6),
            ticket: (500.0, 0.7),
            recency: Recency::Uniform {
                lo: 200.0,
                hi: 700.0,
            },
            tenure: (9.0, 4.0, 2.0, 30.0),
            products: (1.2, 0.5, 1, 2),
            income: (5_000.0, 0.6),
            txn_weight: 0.6,
        },
    ];
    &P[s.index()]
}

pub(super) fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

pub(super) fn days_before(as_of: NaiveDate, days: u64) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

/// The clean customer stream behind the customer table: the `n`th customer
/// depends only on the seed, `as_of` and `n`'s predecessors.
pub struct SampleCustomers {
    draw: Draw,
    as_of: NaiveDate,
    next_number: u64,
    remaining: usize,
}

/// `count` clean customers drawn from `seed` (the same customers, in the same
/// order, as a clean customer table written with that seed).
pub fn sample_customers(count: usize, seed: u64, as_of: NaiveDate) -> SampleCustomers {
    SampleCustomers {
        draw: Draw::new(seed, 0),
        as_of,
        next_number: 1,
        remaining: count,
    }
}

impl SampleCustomers {
    pub(super) fn generate(&mut self) -> SampleCustomer {
        let d = &mut self.draw;
        let u = d.uniform();
        let mut acc = 0.0;
        let mut segment = Segment::Dormant;
        for s in Segment::ALL {
            acc += params(s).share;
            if u < acc {
                segment = s;
                break;
            }
        }
        let p = params(segment);

        let age = d.gauss(p.age.0, p.age.1).clamp(p.age.2, p.age.3).round() as u32;
        let male = d.chance(p.male);
        let branch = d.weighted(BRANCHES.iter().map(|b| b.2));
        let balance = d.lognormal(p.balance.0, p.balance.1);

        let recency = match p.recency {
            Recency::Exp { mean, max } => d.exponential(mean).min(max),
            Recency::Uniform { lo, hi } => d.between(lo, hi),
        }
        .floor() as u64;

        let (count, amount) = if recency > 365 {
            // Nothing in the last twelve months.
            (0, 0)
        } else {
            let count = d.lognormal(p.count.0, p.count.1).round().max(1.0) as u32;
            let ticket = d.lognormal(p.ticket.0, p.ticket.1);
            (count, cents(ticket * f64::from(count)))
        };

        // Tenure: at most (age - 18) years, and the account was opened at
        // least 30 days before the last transaction.
        let max_years = (f64::from(age) - 18.0).max(0.5);
        let years = d
            .gauss(p.tenure.0, p.tenure.1)
            .clamp(p.tenure.2, p.tenure.3)
            .min(max_years);
        let tenure_days = ((years * 365.25) as u64).max(recency + 30 + d.below(120));

        let products = d
            .gauss(p.products.0, p.products.1)
            .round()
            .clamp(f64::from(p.products.2), f64::from(p.products.3)) as u32;
        let income = d.lognormal(p.income.0, p.income.1);

        let number = self.next_number;
        self.next_number += 1;
        SampleCustomer {
            number,
            segment,
            age,
            male,
            branch,
            balance_cents: cents(balance),
            txn_count_12m: count,
            txn_amount_12m_cents: amount,
            last_txn: days_before(self.as_of, recency),
            open_date: days_before(self.as_of, tenure_days),
            products,
            income_cents: cents(income),
        }
    }
}

impl Iterator for SampleCustomers {
    type Item = SampleCustomer;

    fn next(&mut self) -> Option<SampleCustomer> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(self.generate())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

// ---------------------------------------------------------------------------
