//! Rules that explain the segments: a threshold tree with one leaf per
//! segment, fitted to the K-Means segments by IMM ("Iterative Mistake
//! Minimization", Dasgupta, Frost, Moshkovitz & Rashtchian, ICML 2020).
//!
//! Top down, each node holds some segment centres and the customers whose
//! segment is among them. It is cut on one feature at one threshold that
//! parts the centres (some on each side) and separates the fewest customers
//! from their own segment's centre ("mistakes"); the mistakes go no further
//! down, the rest follow their side. A node with one centre is that
//! segment's leaf, so the tree has exactly K leaves and each segment one
//! rule: the cuts on the way to its leaf.
//!
//! The tree is grown on the scaled features (what K-Means clustered) of a
//! seeded sample of at most [`RULES_SAMPLE`] customers (fewer for a wide
//! table, [`rules_sample`]); each cut is then
//! written in original units. The scaled value is a non-decreasing function
//! of the original one (winsorising, log and z-score all keep the order),
//! so a cut between two neighbouring scaled values is a cut between their
//! original values, and the roundest number in between is used
//! ([`render::round_between`]): "Balance ≥ 250,000". The rules are then
//! applied as written, in original units, to every customer, giving
//!
//! - `agreement`: the share of customers the rules put in their K-Means
//!   segment;
//! - `cost_ratio`: the SSE of the rules' partition (each leaf around its
//!   own mean, in the scaled units K-Means uses) over the K-Means SSE
//!   (1 = as tight as K-Means; IMM's guarantee is O(K²), ExKMC reports
//!   1.0–1.1 on real data).
//!
//! Ties between cuts with as few mistakes go to the middle of the run of
//! equal thresholds on a feature, then to the earlier feature, so the same
//! data give the same tree.

pub mod render;
pub mod sql;

use crate::pipeline::features::Features;
use crate::pipeline::trust::sample::{self, RULES_SAMPLE_STREAM};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use render::{Condition, SegmentRule};

/// Customers the tree is grown on, at most.
pub const RULES_SAMPLE: usize = 100_000;
/// Values (customers × features) the tree is grown on, at most: a wide
/// table grows it on fewer customers (each node sorts every feature).
pub const RULES_VALUES: usize = 2_000_000;
/// Customers the tree is grown on, at least (when there are that many).
pub const RULES_SAMPLE_MIN: usize = 10_000;

/// Customers the tree is grown on for `d` features.
pub fn rules_sample(d: usize) -> usize {
    (RULES_VALUES / d.max(1)).clamp(RULES_SAMPLE_MIN, RULES_SAMPLE)
}
/// Rows per chunk when the rules are applied to every customer (fixed, so
/// sums do not depend on the thread count).
const CHUNK_ROWS: usize = 4096;

/// A node of the threshold tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Leaf {
        segment: u32,
    },
    /// Customers with `original[feature] < threshold` go left.
    Split {
        feature: usize,
        threshold: f64,
        left: Box<Node>,
        right: Box<Node>,
    },
}

impl Node {
    /// The segment of the customer whose feature `j` is `value(j)`, in
    /// original units.
    pub fn segment_of(&self, value: impl Fn(usize) -> f64) -> u32 {
        let mut node = self;
        loop {
            match node {
                Node::Leaf { segment } => return *segment,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    node = if value(*feature) < *threshold {
                        left
                    } else {
                        right
                    }
                }
            }
        }
    }
}

/// The rules of one segmentation and how faithful they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub tree: Node,
    /// One rule per segment, by segment id.
    pub segments: Vec<SegmentRule>,
    /// Share of customers the rules put in their K-Means segment.
    pub agreement: f64,
    /// SSE of the rules' partition / K-Means SSE.
    pub cost_ratio: f64,
    /// Customers the tree was grown on.
    pub sample: usize,
}

impl Rules {
    pub fn rule(&self, segment: usize) -> Option<&SegmentRule> {
        self.segments.iter().find(|r| r.segment == segment)
    }
}

/// Fits the rules to the K-Means segments `labels` (centres `centres`,
/// row-major `k × d` in scaled units) of `features`.
pub fn explain(
    features: &Features,
    labels: &[u32],
    centres: &[f64],
    k: usize,
    seed: u64,
) -> Result<Rules> {
    let (n, d) = (features.n, features.d);
    if n == 0 || d == 0 || k == 0 || labels.len() != n || centres.len() != k * d {
        return Err(Error::usage(
            "rules need rows, features and one centre per segment",
        ));
    }
    let rows = sample::rows_without_replacement(n, rules_sample(d), seed, RULES_SAMPLE_STREAM);
    let grower = Grower {
        x: sample::gather(&features.scaled, d, &rows),
        o: rows
            .iter()
            .flat_map(|&r| features.original.iter().map(move |c| c[r]))
            .collect(),
        labels: rows.iter().map(|&r| labels[r]).collect(),
        centres,
        d,
    };
    let points: Vec<u32> = (0..rows.len() as u32).collect();
    let tree = grower.grow(points, (0..k as u32).collect());
    let (agreement, cost) = fidelity(&tree, features, labels, k);
    let kmeans_cost = kmeans_sse(features, labels, centres);
    let cost_ratio = if kmeans_cost > 0.0 {
        cost / kmeans_cost
    } else if cost > 0.0 {
        f64::INFINITY
    } else {
        1.0
    };
    Ok(Rules {
        segments: render::segment_rules(&tree, features, k),
        tree,
        agreement,
        cost_ratio,
        sample: rows.len(),
    })
}

/// The best cut of a node on one feature.
#[derive(Clone, Copy, Debug)]
struct Cut {
    mistakes: usize,
    feature: usize,
    /// Customers with a scaled value `<= at` go left.
    at: f64,
}

/// The sample the tree grows on.
struct Grower<'a> {
    /// Scaled and original values, row-major `m × d`.
    x: Vec<f64>,
    o: Vec<f64>,
    labels: Vec<u32>,
    centres: &'a [f64],
    d: usize,
}

impl Grower<'_> {
    fn grow(&self, points: Vec<u32>, centres: Vec<u32>) -> Node {
        if centres.len() <= 1 {
            return Node::Leaf {
                segment: centres.first().copied().unwrap_or(0),
            };
        }
        let best = (0..self.d)
            .filter_map(|j| self.best_cut(&points, &centres, j))
            .min_by_key(|c| (c.mistakes, c.feature));
        let Some(cut) = best else {
            // Identical centres on every feature (never from K-Means on
            // distinct rows): the first one stands for the rest.
            return Node::Leaf {
                segment: centres[0],
            };
        };
        let j = cut.feature;
        let left_of = |v: f64| v <= cut.at;
        let (lc, rc): (Vec<u32>, Vec<u32>) = centres
            .iter()
            .partition(|&&c| left_of(self.centres[c as usize * self.d + j]));
        let (mut lp, mut rp) = (Vec::new(), Vec::new());
        for p in points {
            let x = self.x[p as usize * self.d + j];
            let c = self.centres[self.labels[p as usize] as usize * self.d + j];
            match (left_of(x), left_of(c)) {
                (true, true) => lp.push(p),
                (false, false) => rp.push(p),
                _ => {} // a mistake: separated from its centre
            }
        }
        Node::Split {
            feature: j,
            threshold: self.original_threshold(j, cut.at),
            left: Box::new(self.grow(lp, lc)),
            right: Box::new(self.grow(rp, rc)),
        }
    }

    /// The cut on feature `j` with the fewest mistakes, among thresholds
    /// that leave centres on both sides.
    fn best_cut(&self, points: &[u32], centres: &[u32], j: usize) -> Option<Cut> {
        let d = self.d;
        let centre_of = |c: u32| self.centres[c as usize * d + j];
        let lo = centres
            .iter()
            .map(|&c| centre_of(c))
            .fold(f64::INFINITY, f64::min);
        let hi = centres
            .iter()
            .map(|&c| centre_of(c))
            .fold(f64::NEG_INFINITY, f64::max);
        if lo >= hi {
            return None;
        }
        let mut xs = Vec::with_capacity(points.len());
        let mut cs = Vec::with_capacity(points.len());
        let mut ms = Vec::with_capacity(points.len());
        for &p in points {
            let x = self.x[p as usize * d + j];
            let c = centre_of(self.labels[p as usize]);
            xs.push(x);
            cs.push(c);
            ms.push(x.max(c));
        }
        let mut candidates: Vec<f64> = xs
            .iter()
            .copied()
            .chain(centres.iter().map(|&c| centre_of(c)))
            .filter(|&v| v >= lo && v < hi)
            .collect();
        for v in [&mut xs, &mut cs, &mut ms, &mut candidates] {
            v.sort_unstable_by(f64::total_cmp);
        }
        candidates.dedup();
        // mistakes(θ) = #(x ≤ θ) + #(c ≤ θ) − 2·#(max(x, c) ≤ θ)
        let (mut ix, mut ic, mut im) = (0, 0, 0);
        let counts: Vec<usize> = candidates
            .iter()
            .map(|&t| {
                while ix < xs.len() && xs[ix] <= t {
                    ix += 1;
                }
                while ic < cs.len() && cs[ic] <= t {
                    ic += 1;
                }
                while im < ms.len() && ms[im] <= t {
                    im += 1;
                }
                ix + ic - 2 * im
            })
            .collect();
        let fewest = *counts.iter().min()?;
        let first = counts.iter().position(|&c| c == fewest)?;
        let run = counts[first..].iter().take_while(|&&c| c == fewest).count();
        Some(Cut {
            mistakes: fewest,
            feature: j,
            at: candidates[first + (run - 1) / 2],
        })
    }

    /// The cut "scaled ≤ at" in original units: the roundest number above
    /// every original value of the sample on the left and at most every
    /// one on the right.
    fn original_threshold(&self, j: usize, at: f64) -> f64 {
        let d = self.d;
        let (mut left_max, mut right_min) = (f64::NEG_INFINITY, f64::INFINITY);
        for (x, o) in self
            .x
            .iter()
            .skip(j)
            .step_by(d)
            .zip(self.o.iter().skip(j).step_by(d))
        {
            if *x <= at {
                left_max = left_max.max(*o);
            } else {
                right_min = right_min.min(*o);
            }
        }
        render::round_between(left_max, right_min)
    }
}

/// Agreement with `labels` and the SSE of the rules' partition (around each
/// leaf's mean, in scaled units), over every customer.
fn fidelity(tree: &Node, f: &Features, labels: &[u32], k: usize) -> (f64, f64) {
    let d = f.d;
    let leaf_of: Vec<u32> = (0..f.n)
        .into_par_iter()
        .with_min_len(1 << 12)
        .map(|i| tree.segment_of(|j| f.original[j][i]))
        .collect();
    let agree = leaf_of.iter().zip(labels).filter(|(a, b)| a == b).count();
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (row, &leaf) in f.scaled.chunks_exact(d).zip(&leaf_of) {
        counts[leaf as usize] += 1;
        for (s, x) in sums[leaf as usize * d..][..d].iter_mut().zip(row) {
            *s += x;
        }
    }
    for (c, n) in counts.iter().enumerate() {
        sums[c * d..(c + 1) * d]
            .iter_mut()
            .for_each(|s| *s /= (*n).max(1) as f64);
    }
    let cost = chunked_sse(&f.scaled, d, &leaf_of, &sums);
    (agree as f64 / f.n.max(1) as f64, cost)
}

/// The K-Means SSE of `labels` around `centres`, computed the same way.
fn kmeans_sse(f: &Features, labels: &[u32], centres: &[f64]) -> f64 {
    chunked_sse(&f.scaled, f.d, labels, centres)
}

/// Σ‖x − centre(label)‖², summed per fixed chunk and then in chunk order.
fn chunked_sse(data: &[f64], d: usize, labels: &[u32], centres: &[f64]) -> f64 {
    data.par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(rows, labs)| {
            rows.chunks_exact(d)
                .zip(labs)
                .map(|(row, &l)| {
                    let c = &centres[l as usize * d..(l as usize + 1) * d];
                    row.iter().zip(c).map(|(x, m)| (x - m).powi(2)).sum::<f64>()
                })
                .sum::<f64>()
        })
        .collect::<Vec<f64>>()
        .iter()
        .sum()
}
