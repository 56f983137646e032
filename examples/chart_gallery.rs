//! Writes every chart for a realistic synthetic segmentation, to look at.
//!
//! ```text
//! cargo run --release --example chart_gallery -- OUT_DIR [ROWS] [K] [FEATURES]
//! ```
//! Defaults: 50,000 rows, 5 segments (Chinese and English labels), 7 features
//! (some with Chinese names). Larger K (up to 15) and more features (up to 30)
//! add generic segments and features, to check crowded layouts.

use ndarray::ArrayView2;
use std::path::PathBuf;
use std::time::Instant;

use custseg::pipeline::export::charts::{ChartInput, SegmentInfo, SweepPoint, write_charts};

/// Small deterministic generator (splitmix64 + Box–Muller), so the example
/// needs nothing beyond the crate.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unif(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unif(), self.unif());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

struct Profile {
    label: &'static str,
    share: f64,
    /// log-mean balance, txn/month, recency days, tenure years, products, age, log-mean loan
    mu: [f64; 7],
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().map(String::as_str).unwrap_or("chart_gallery"));
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let k: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let d: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(7);

    let base = [
        Profile {
            label: "High-Value Customers (VIP)",
            share: 0.06,
            mu: [13.2, 38.0, 6.0, 11.0, 5.2, 52.0, 12.0],
        },
        Profile {
            label: "高价值客户",
            share: 0.18,
            mu: [11.6, 22.0, 12.0, 8.0, 3.8, 46.0, 10.5],
        },
        Profile {
            label: "Young Digital Actives / 年轻活跃客户",
            share: 0.27,
            mu: [8.6, 31.0, 4.0, 2.5, 2.4, 27.0, 8.0],
        },
        Profile {
            label: "沉睡客户 (Dormant)",
            share: 0.29,
            mu: [6.4, 1.5, 210.0, 6.0, 1.3, 44.0, 2.0],
        },
        Profile {
            label: "New Customers",
            share: 0.20,
            mu: [8.0, 9.0, 25.0, 0.4, 1.6, 33.0, 4.0],
        },
    ];
    let base_names = [
        "资产余额",
        "Txn frequency / 月交易次数",
        "Recency (days)",
        "Tenure (years)",
        "Products held",
        "年龄 Age",
        "贷款余额 Loan balance",
    ];

    let mut rng = Rng(20_240_601);
    // Segment profiles: the five above, then generic ones.
    let mut profiles: Vec<(String, f64, Vec<f64>)> = Vec::new();
    for s in 0..k {
        if let Some(p) = base.get(s) {
            profiles.push((p.label.to_string(), p.share, p.mu.to_vec()));
        } else {
            let mu = vec![
                7.0 + 5.0 * rng.unif(),
                1.0 + 35.0 * rng.unif(),
                3.0 + 150.0 * rng.unif(),
                0.5 + 12.0 * rng.unif(),
                1.0 + 4.0 * rng.unif(),
                22.0 + 45.0 * rng.unif(),
                2.0 + 10.0 * rng.unif(),
            ];
            let label = match s % 3 {
                0 => format!("Segment {s}: mass-market salary account holders with cards"),
                1 => format!("第{s}类 · 中等资产稳定客户"),
                _ => format!("Mixed-use customers {s}"),
            };
            profiles.push((label, 0.05 + 0.1 * rng.unif(), mu));
        }
    }
    let total_share: f64 = profiles.iter().map(|p| p.1).sum();
    let mut feature_names: Vec<String> = base_names.iter().take(d).map(|s| s.to_string()).collect();
    for j in feature_names.len()..d {
        feature_names.push(if j % 2 == 0 {
            format!("Feature {j} (derived ratio)")
        } else {
            format!("指标{j} 月均值")
        });
    }

    // Raw columns, row by row.
    let mut labels = Vec::with_capacity(n);
    let mut raw = vec![0.0; n * d];
    let cum: Vec<f64> = profiles
        .iter()
        .scan(0.0, |acc, p| {
            *acc += p.1 / total_share;
            Some(*acc)
        })
        .collect();
    for i in 0..n {
        let u = rng.unif();
        let s = cum.iter().position(|&c| u <= c).unwrap_or(k - 1);
        labels.push(s as u32);
        let mu = &profiles[s].2;
        let row = &mut raw[i * d..(i + 1) * d];
        for (j, x) in row.iter_mut().enumerate() {
            let m = mu[j % 7];
            *x = match j % 7 {
                0 => (m + 1.1 * rng.normal()).exp(), // balance
                1 => (m * (0.35 * rng.normal()).exp()).round().max(0.0), // txn / month
                2 => (m * (0.6 * rng.normal()).exp()).min(730.0), // recency
                3 => (m * (0.5 * rng.normal()).exp()).min(40.0), // tenure
                4 => (m + 0.9 * rng.normal()).round().clamp(1.0, 9.0), // products
                5 => (m + 8.0 * rng.normal()).clamp(18.0, 90.0), // age
                _ => {
                    if rng.unif() < 0.35 {
                        0.0
                    } else {
                        (m + rng.normal()).exp()
                    }
                } // loan
            } + if j >= 7 { rng.normal() } else { 0.0 };
        }
    }

    // Standardise (log1p for the money columns), then centroid z-scores.
    let mut scaled = raw.clone();
    for j in 0..d {
        let col = |i: usize| {
            let x = raw[i * d + j];
            if j % 7 == 0 || j % 7 == 6 {
                x.max(0.0).ln_1p()
            } else {
                x
            }
        };
        let mean = (0..n).map(col).sum::<f64>() / n as f64;
        let sd = ((0..n).map(|i| (col(i) - mean).powi(2)).sum::<f64>() / n as f64)
            .sqrt()
            .max(1e-12);
        for i in 0..n {
            scaled[i * d + j] = (col(i) - mean) / sd;
        }
    }
    let mut centroid_z = vec![vec![0.0; d]; k];
    let mut sizes = vec![0usize; k];
    for i in 0..n {
        let s = labels[i] as usize;
        sizes[s] += 1;
        for j in 0..d {
            centroid_z[s][j] += scaled[i * d + j];
        }
    }
    for s in 0..k {
        for z in &mut centroid_z[s] {
            *z /= sizes[s].max(1) as f64;
        }
    }

    // A plausible sweep: steep drop to K = k, then a flat tail.
    let sweep: Vec<SweepPoint> = (2..=10.max(k + 3))
        .map(|kk| {
            let kk_f = kk as f64;
            let sse =
                n as f64 * d as f64 * (0.25 + 0.75 * (-(kk_f - 1.0) / (k as f64 * 0.45)).exp());
            let sil = 0.52 - 0.03 * (kk_f - k as f64).abs() - if kk < k { 0.04 } else { 0.0 };
            SweepPoint {
                k: kk,
                sse,
                silhouette: Some(sil),
            }
        })
        .collect();

    let segments = profiles
        .iter()
        .enumerate()
        .map(|(s, p)| SegmentInfo {
            id: s as u32,
            label: p.0.clone(),
            size: sizes[s],
        })
        .collect();
    let column = |j: usize| (0..n).map(|i| raw[i * d + j]).collect::<Vec<f64>>();
    let (first, second) = (column(0), column(1.min(d - 1)));
    let input = ChartInput {
        title_suffix: "customers_2024Q2.csv".into(),
        feature_names: feature_names.clone(),
        segments,
        sweep,
        chosen_k: k,
        centroid_z,
        scaled: ArrayView2::from_shape((n, d), &scaled).expect("n × d values"),
        labels: &labels,
        money_feature: Some((feature_names[0].clone(), &first)),
        scatter: (d >= 2).then(|| {
            (
                (feature_names[0].clone(), first.as_slice()),
                (feature_names[1].clone(), second.as_slice()),
            )
        }),
        // The gallery's data are drawn, not clustered: no stability to show.
        stability: Vec::new(),
    };

    let t = Instant::now();
    match write_charts(&out, &input) {
        Ok(files) => {
            eprintln!(
                "write_charts: {} rows, K = {k}, d = {d}: {:.2?}",
                n,
                t.elapsed()
            );
            for f in files {
                println!("{}", f.display());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
