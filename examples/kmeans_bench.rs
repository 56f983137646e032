//! custseg side of the k-means benchmark (see `bench/kmeans/run.sh`).
//!
//! `cargo run --release --example kmeans_bench -- --data FILE --rows N --cols D --init FILE [--seed S] [--modes fit,sweep,given]`
//!
//! Reads a raw little-endian f64 row-major matrix, runs the modes and prints
//! one JSON object per mode on stdout (same keys as `sklearn_bench.py`).

use std::time::Instant;

use custseg::pipeline::cluster::{Init, KMeansConfig, Storage, SweepConfig, kmeans, sweep};
use custseg::pipeline::progress::NoProgress;
use ndarray::ArrayView2;

/// The row-major `n × d` matrix in `data` as a view.
fn mat(data: &[f64], n: usize, d: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((n, d), data).expect("n × d values")
}

fn read_f64(path: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// The memory-bandwidth floor of one Lloyd iteration: the best of 5 parallel
/// passes that only read the matrix once (sum of all values), stored as `T`.
fn read_floor<T: Copy + Into<f64> + Send + Sync>(data: &[T]) -> f64 {
    use rayon::prelude::*;
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let s: f64 = data
                .par_chunks(1 << 16)
                .map(|c| {
                    // Eight independent sums, so the adds keep up with memory.
                    let mut acc = [0.0f64; 8];
                    for block in c.chunks(8) {
                        for (a, &v) in acc.iter_mut().zip(block) {
                            *a += v.into();
                        }
                    }
                    acc.iter().sum::<f64>()
                })
                .sum();
            std::hint::black_box(s);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let data_path = arg("--data").expect("--data FILE");
    let n: usize = arg("--rows").expect("--rows N").parse().unwrap();
    let d: usize = arg("--cols").expect("--cols D").parse().unwrap();
    let init_path = arg("--init").expect("--init FILE");
    let seed: u64 = arg("--seed").map_or(0, |s| s.parse().unwrap());
    let modes = arg("--modes").unwrap_or_else(|| "fit,sweep,given".into());
    // Every mode also accepts a "-f32" suffix: the same run with f32 storage.
    let data = read_f64(&data_path);
    assert_eq!(
        data.len(),
        n * d,
        "file size does not match --rows x --cols"
    );
    let given = read_f64(&init_path);

    // Warm-up (thread pool, page faults) on a small slice, not timed.
    let warm = KMeansConfig {
        n_init: 1,
        ..KMeansConfig::new(8)
    };
    let nw = n.min(10_000);
    kmeans(mat(&data[..nw * d], nw, d), &warm, &NoProgress).unwrap();

    for full_mode in modes.split(',') {
        let (mode, storage) = match full_mode.strip_suffix("-f32") {
            Some(m) => (m, Storage::F32),
            None => (full_mode, Storage::F64),
        };
        match mode {
            "fit" => {
                let cfg = KMeansConfig {
                    seed,
                    storage,
                    ..KMeansConfig::new(8)
                };
                let t = Instant::now();
                let r = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
                let dt = t.elapsed().as_secs_f64();
                println!(
                    "{{\"mode\": \"{full_mode}\", \"seconds\": {dt}, \"inertia\": {:?}, \"n_iter\": {}}}",
                    r.inertia, r.n_iter
                );
            }
            "sweep" => {
                let t = Instant::now();
                let mut sse = Vec::new();
                for k in 1..=10 {
                    let cfg = KMeansConfig {
                        seed,
                        ..KMeansConfig::new(k)
                    };
                    sse.push(kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap().inertia);
                }
                let dt = t.elapsed().as_secs_f64();
                println!("{{\"mode\": \"sweep\", \"seconds\": {dt}, \"sse\": {sse:?}}}");
            }
            "given" => {
                let k = given.len() / d;
                let cfg = KMeansConfig {
                    n_init: 1,
                    init: Init::Given(given.clone()),
                    ..KMeansConfig::new(k)
                };
                let t = Instant::now();
                let r = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
                let dt = t.elapsed().as_secs_f64();
                println!(
                    "{{\"mode\": \"given\", \"seconds\": {dt}, \"inertia\": {:?}, \"n_iter\": {}}}",
                    r.inertia, r.n_iter
                );
            }
            // Time per Lloyd iteration: runs from the given centres capped at
            // 1 and at 1 + STEPS iterations; the difference has no data
            // preparation, seeding or final assignment in it. Best of 3.
            "per-iter" => {
                const STEPS: usize = 5;
                let k = given.len() / d;
                let timed = |max_iter: usize| {
                    let cfg = KMeansConfig {
                        n_init: 1,
                        max_iter,
                        tol: 0.0,
                        init: Init::Given(given.clone()),
                        storage,
                        ..KMeansConfig::new(k)
                    };
                    (0..3)
                        .map(|_| {
                            let t = Instant::now();
                            let r = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
                            (t.elapsed().as_secs_f64(), r.n_iter)
                        })
                        .fold((f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a })
                };
                let (one, n1) = timed(1);
                let (many, nm) = timed(1 + STEPS);
                assert_eq!(
                    nm - n1,
                    STEPS,
                    "the run stopped early; use data that needs more iterations"
                );
                let per_iter = (many - one) / STEPS as f64;
                println!(
                    "{{\"mode\": \"{full_mode}\", \"seconds\": {per_iter}, \"floor_seconds\": {}}}",
                    match storage {
                        Storage::F64 => read_floor(&data),
                        Storage::F32 =>
                            read_floor(&data.iter().map(|&v| v as f32).collect::<Vec<_>>()),
                    }
                );
            }
            // custseg only: the product's sweep (K=1..10 with metrics and the choice of K).
            "product-sweep" => {
                let cfg = SweepConfig {
                    seed,
                    ..SweepConfig::default()
                };
                let t = Instant::now();
                let r = sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap();
                let dt = t.elapsed().as_secs_f64();
                let sil: Vec<Option<f64>> =
                    r.results.iter().map(|x| x.metrics.silhouette).collect();
                println!(
                    "{{\"mode\": \"product-sweep\", \"seconds\": {dt}, \"chosen_k\": {}, \"reason\": {:?}, \"silhouette\": {sil:?}, \"sampled\": {}, \"restarts_sample\": {:?}}}",
                    r.chosen_k,
                    r.reason,
                    r.results[1].metrics.silhouette_sampled,
                    r.restarts_sample
                );
            }
            other => panic!("unknown mode {other}"),
        }
    }
}
