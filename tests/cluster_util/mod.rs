//! Helpers shared by the `cluster_*` integration tests: planted blobs, the
//! adjusted Rand index, the scikit-learn fixture, progress recorders.
#![allow(dead_code)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use custseg::pipeline::cluster::SegmentIndex;
use custseg::pipeline::progress::Progress;
use ndarray::ArrayView2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The row-major `n × d` matrix in `data` as a view.
pub fn mat(data: &[f64], n: usize, d: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((n, d), data).expect("n × d values")
}

/// Standard normal by Box–Muller.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// `n` rows in `k` well-separated Gaussian blobs in `d` dimensions, rows in
/// random order. Returns (row-major data, true labels).
pub fn planted_blobs(n: usize, d: usize, k: usize, spread: f64, seed: u64) -> (Vec<f64>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Centres on the axes, 20 apart: far more than the spread.
    let centres: Vec<Vec<f64>> = (0..k)
        .map(|c| {
            (0..d)
                .map(|j| {
                    if j == c % d {
                        20.0 * (1 + c / d) as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let mut data = Vec::with_capacity(n * d);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let c = rng.random_range(0..k as u64) as usize;
        labels.push(c as u32);
        for &m in &centres[c] {
            data.push(m + spread * normal(&mut rng));
        }
    }
    (data, labels)
}

/// Adjusted Rand index of two labelings (Hubert & Arabie).
pub fn adjusted_rand_index<A: SegmentIndex, B: SegmentIndex>(a: &[A], b: &[B]) -> f64 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    let ka = a.iter().map(|x| x.index()).max().unwrap() + 1;
    let kb = b.iter().map(|x| x.index()).max().unwrap() + 1;
    let mut table = vec![vec![0u64; kb]; ka];
    for (&x, &y) in a.iter().zip(b) {
        table[x.index()][y.index()] += 1;
    }
    let c2 = |v: u64| (v * v.saturating_sub(1)) as f64 / 2.0;
    let sum_ij: f64 = table.iter().flatten().map(|&v| c2(v)).sum();
    let sum_a: f64 = table.iter().map(|r| c2(r.iter().sum())).sum();
    let sum_b: f64 = (0..kb).map(|j| c2(table.iter().map(|r| r[j]).sum())).sum();
    let expected = sum_a * sum_b / c2(n as u64);
    let max = 0.5 * (sum_a + sum_b);
    if max == expected {
        return 1.0;
    }
    (sum_ij - expected) / (max - expected)
}

/// The scikit-learn fixture (see tests/fixtures/cluster/make_fixtures.py).
pub fn sklearn_fixture() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cluster/sklearn_lloyd.json"
    );
    let text = std::fs::read_to_string(path).expect("reading the scikit-learn fixture");
    serde_json::from_str(&text).expect("parsing the scikit-learn fixture")
}

pub fn f64s(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn u32s(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

/// Fixture data set `name`: (data, n, d).
pub fn fixture_data(fx: &serde_json::Value, name: &str) -> (Vec<f64>, usize, usize) {
    let ds = &fx["datasets"][name];
    (
        f64s(&ds["data"]),
        ds["n"].as_u64().unwrap() as usize,
        ds["d"].as_u64().unwrap() as usize,
    )
}

/// Records every report; cancels after `cancel_after` reports (if set).
pub struct Recorder {
    pub reports: Mutex<Vec<(f64, String)>>,
    pub cancel_after: Option<usize>,
    count: AtomicUsize,
}

impl Recorder {
    pub fn new(cancel_after: Option<usize>) -> Self {
        Recorder {
            reports: Mutex::new(Vec::new()),
            cancel_after,
            count: AtomicUsize::new(0),
        }
    }
}

impl Progress for Recorder {
    fn report(&self, fraction: f64, message: &str) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.reports
            .lock()
            .unwrap()
            .push((fraction, message.to_string()));
    }
    fn is_cancelled(&self) -> bool {
        self.cancel_after
            .is_some_and(|n| self.count.load(Ordering::SeqCst) >= n)
    }
}
