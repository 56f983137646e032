//! Microbenchmark of the sampled silhouette, the sweep's share of it:
//! `silhouette_sampled` for K = 2..=10 on the K-Means labels of generated,
//! standardised data (skewed blobs of several widths, like customer features).
//!
//! `cargo run --release --example silhouette_bench -- [--rows N] [--cols D] [--sample M] [--reps R]`
//!
//! Prints, per K, the silhouette; then the best of `R` repetitions of the
//! whole K = 2..=10 series as wall and CPU seconds (the machine is shared:
//! CPU seconds are the steadier figure).

use std::time::Instant;

use custseg::pipeline::cluster::{KMeansConfig, kmeans, silhouette_sampled};
use custseg::pipeline::progress::NoProgress;
use ndarray::ArrayView2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// `n × d` standardised rows from six blobs of different widths and sizes,
/// the last two features skewed (squared), as amounts are.
fn generate(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = move || {
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let blobs: Vec<(Vec<f64>, f64)> = (0..6)
        .map(|b| {
            (
                (0..d).map(|_| 3.0 * normal()).collect(),
                0.5 + b as f64 * 0.3,
            )
        })
        .collect();
    let mut x = Vec::with_capacity(n * d);
    for i in 0..n {
        let (centre, width) = &blobs[(i * 7 + i / 3) % 6];
        for (j, &c) in centre.iter().enumerate() {
            let v = c + width * normal();
            x.push(if j + 2 >= d { v * v.abs() } else { v });
        }
    }
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        let var = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
        for i in 0..n {
            x[i * d + j] = (x[i * d + j] - mean) / var.sqrt();
        }
    }
    x
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: not a number")))
            .unwrap_or(default)
    };
    let (n, d) = (arg("--rows", 200_000), arg("--cols", 7));
    let (sample, reps) = (arg("--sample", 20_000), arg("--reps", 3));
    let data = generate(n, d, 11);
    let x = ArrayView2::from_shape((n, d), &data[..]).expect("n × d values");
    let labels: Vec<(usize, Vec<u8>)> = (2..=10)
        .map(|k| {
            let cfg = KMeansConfig {
                n_init: 1,
                ..KMeansConfig::new(k)
            };
            (k, kmeans(x, &cfg, &NoProgress).expect("kmeans").labels)
        })
        .collect();
    let (mut best_wall, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
    for rep in 0..reps {
        let (t, c) = (Instant::now(), cpu_seconds());
        for (k, lab) in &labels {
            let s = silhouette_sampled(x, lab, *k, sample, 0).expect("silhouette");
            if rep == 0 {
                println!("K={k:<2} silhouette {:.10}", s.value.unwrap_or(f64::NAN));
            }
        }
        best_wall = best_wall.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - c);
    }
    println!(
        "rows {n}, cols {d}, sample {sample}, threads {}: best of {reps}: {best_wall:.3} s wall, {best_cpu:.3} s CPU",
        rayon::current_num_threads()
    );
}
