//! Silhouette, Calinski–Harabasz and Davies–Bouldin against hand-computed
//! values and scikit-learn's.

use crate::cluster_util;

use cluster_util::*;
use custseg::pipeline::cluster::{
    calinski_harabasz, davies_bouldin, silhouette, silhouette_sampled,
};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Six points in two clusters, on a line (second coordinate constant):
/// A = {0, 1, 2}, B = {10, 11, 12}.
fn six_points() -> (Vec<f64>, Vec<u32>) {
    let xs = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0];
    let data = xs.iter().flat_map(|&x| [x, 3.0]).collect();
    (data, vec![0, 0, 0, 1, 1, 1])
}

#[test]
fn silhouette_by_hand() {
    // point 0: a = (1 + 2) / 2 = 1.5, b = (10 + 11 + 12) / 3 = 11 -> 9.5 / 11 = 19/22
    // point 1: a = (1 + 1) / 2 = 1,   b = (9 + 10 + 11) / 3 = 10  -> 9 / 10
    // point 2: a = (2 + 1) / 2 = 1.5, b = (8 + 9 + 10) / 3 = 9    -> 7.5 / 9 = 5/6
    // B mirrors A. Mean = (19/22 + 9/10 + 5/6) / 3 = (857/330) / 3 = 857/990.
    let (data, labels) = six_points();
    let s = silhouette(mat(&data, 6, 2), &labels, 2).unwrap().unwrap();
    assert!((s - 857.0 / 990.0).abs() < 1e-15, "{s}");
}

#[test]
fn calinski_harabasz_by_hand() {
    // overall mean 6; cluster means 1 and 11.
    // B = 3 (1 - 6)² + 3 (11 - 6)² = 150; W = (1 + 0 + 1) + (1 + 0 + 1) = 4.
    // CH = (B / (2 - 1)) / (W / (6 - 2)) = 150 / 1 = 150.
    let (data, labels) = six_points();
    let ch = calinski_harabasz(mat(&data, 6, 2), &labels, 2)
        .unwrap()
        .unwrap();
    assert!((ch - 150.0).abs() < 1e-12, "{ch}");
}

#[test]
fn davies_bouldin_by_hand() {
    // s_A = mean |x - 1| = (1 + 0 + 1) / 3 = 2/3, s_B = 2/3, ‖μ_A − μ_B‖ = 10.
    // R = (2/3 + 2/3) / 10 = 2/15 for both clusters; DB = 2/15.
    let (data, labels) = six_points();
    let db = davies_bouldin(mat(&data, 6, 2), &labels, 2)
        .unwrap()
        .unwrap();
    assert!((db - 2.0 / 15.0).abs() < 1e-15, "{db}");
}

#[test]
fn metrics_match_scikit_learn() {
    let fx = sklearn_fixture();
    for case in fx["metrics"].as_array().unwrap() {
        let name = case["data"].as_str().unwrap();
        let (data, n, d) = fixture_data(&fx, name);
        let k = case["k"].as_u64().unwrap() as usize;
        let labels = u32s(&case["labels"]);
        let within = |got: f64, key: &str, tol: f64| {
            let want = case[key].as_f64().unwrap();
            assert!(
                (got - want).abs() <= tol * want.abs().max(1.0),
                "{name} K={k} {key}: {got} vs {want}"
            );
        };
        let close = |got: f64, key: &str| within(got, key, 1e-9);
        // The silhouette's distances are f32 (see silhouette_precision.rs).
        within(
            silhouette(mat(&data, n, d), &labels, k).unwrap().unwrap(),
            "silhouette",
            1e-6,
        );
        close(
            calinski_harabasz(mat(&data, n, d), &labels, k)
                .unwrap()
                .unwrap(),
            "calinski_harabasz",
        );
        close(
            davies_bouldin(mat(&data, n, d), &labels, k)
                .unwrap()
                .unwrap(),
            "davies_bouldin",
        );
    }
}

#[test]
fn undefined_metrics_are_none() {
    let (data, _) = six_points();
    let one = vec![0u32; 6];
    assert_eq!(silhouette(mat(&data, 6, 2), &one, 1).unwrap(), None);
    assert_eq!(calinski_harabasz(mat(&data, 6, 2), &one, 1).unwrap(), None);
    assert_eq!(davies_bouldin(mat(&data, 6, 2), &one, 1).unwrap(), None);
    // K = 3 with one empty cluster behaves as K = 2.
    let (_, two) = six_points();
    let s3 = silhouette(mat(&data, 6, 2), &two, 3).unwrap();
    assert_eq!(s3, silhouette(mat(&data, 6, 2), &two, 2).unwrap());
    // Every row its own cluster: silhouette and CH undefined.
    let own: Vec<u32> = (0..6).collect();
    assert_eq!(silhouette(mat(&data, 6, 2), &own, 6).unwrap(), None);
    assert_eq!(calinski_harabasz(mat(&data, 6, 2), &own, 6).unwrap(), None);
}

#[test]
fn inconsistent_labels_are_usage_errors() {
    let (data, labels) = six_points();
    assert!(silhouette(mat(&data, 6, 2), &labels[..5], 2).is_err());
    assert!(calinski_harabasz(mat(&data, 6, 2), &[0u32, 0, 0, 1, 1, 7], 2).is_err());
    assert!(davies_bouldin(mat(&data[..10], 5, 2), &labels, 2).is_err());
}

#[test]
fn silhouette_is_exact_up_to_the_sample_size_and_sampled_above() {
    let (n, d) = (3000, 3);
    let (data, truth) = planted_blobs(n, d, 3, 4.0, 9);
    let exact = silhouette(mat(&data, n, d), &truth, 3).unwrap().unwrap();
    let all = silhouette_sampled(mat(&data, n, d), &truth, 3, n, 1).unwrap();
    assert!(!all.sampled);
    assert_eq!(all.sample_size, n);
    assert_eq!(all.value, Some(exact));

    let s = silhouette_sampled(mat(&data, n, d), &truth, 3, 1000, 1).unwrap();
    assert!(s.sampled);
    assert_eq!(s.sample_size, 1000);
    let v = s.value.unwrap();
    assert!((v - exact).abs() < 0.02, "sampled {v} vs exact {exact}");
    // Seeded: same seed, same value; another seed, another sample.
    assert_eq!(
        silhouette_sampled(mat(&data, n, d), &truth, 3, 1000, 1)
            .unwrap()
            .value,
        Some(v)
    );
    assert_ne!(
        silhouette_sampled(mat(&data, n, d), &truth, 3, 1000, 2)
            .unwrap()
            .value,
        Some(v)
    );
}

#[test]
fn silhouette_does_not_depend_on_the_thread_count() {
    let (n, d) = (2500, 4);
    let (data, truth) = planted_blobs(n, d, 4, 6.0, 3);
    let run = |t: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap();
        pool.install(|| {
            (
                silhouette(mat(&data, n, d), &truth, 4)
                    .unwrap()
                    .unwrap()
                    .to_bits(),
                calinski_harabasz(mat(&data, n, d), &truth, 4)
                    .unwrap()
                    .unwrap()
                    .to_bits(),
                davies_bouldin(mat(&data, n, d), &truth, 4)
                    .unwrap()
                    .unwrap()
                    .to_bits(),
            )
        })
    };
    assert_eq!(run(1), run(3));
}

/// The silhouette straight from its definition, O(n²), one pair at a time.
fn naive_silhouette(data: &[f64], n: usize, d: usize, labels: &[u32], k: usize) -> f64 {
    let dist = |a: usize, b: usize| {
        (0..d)
            .map(|j| (data[a * d + j] - data[b * d + j]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let size = |c: u32| labels.iter().filter(|&&l| l == c).count();
    let mut total = 0.0;
    for i in 0..n {
        let own = labels[i];
        if size(own) == 1 {
            continue;
        }
        let mut sums = vec![0.0; k];
        for j in 0..n {
            sums[labels[j] as usize] += dist(i, j);
        }
        let a = sums[own as usize] / (size(own) - 1) as f64;
        let b = (0..k as u32)
            .filter(|&c| c != own && size(c) > 0)
            .map(|c| sums[c as usize] / size(c) as f64)
            .fold(f64::INFINITY, f64::min);
        total += (b - a) / a.max(b);
    }
    total / n as f64
}

/// Clusters of many blocks, partial blocks and a single row; more features
/// than lanes: the tiled computation equals the definition.
#[test]
fn silhouette_equals_its_definition_across_tiles() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // (features, cluster sizes, distance between cluster centres): the far
    // apart clusters let most cluster pairs be skipped as "cannot be nearest".
    for (d, sizes, sep) in [
        (3, vec![1usize, 129, 300, 7], 0.7),
        (70, vec![260, 5, 131], 0.7),
        (2, vec![150, 90, 200, 1, 140, 160, 130, 170], 6.0),
    ] {
        let n: usize = sizes.iter().sum();
        let mut labels: Vec<u32> = sizes
            .iter()
            .enumerate()
            .flat_map(|(c, &s)| std::iter::repeat_n(c as u32, s))
            .collect();
        labels.shuffle(&mut rng);
        let data: Vec<f64> = labels
            .iter()
            .flat_map(|&l| (0..d).map(move |j| (l as f64) * sep + (j % 5) as f64 * 0.1))
            .zip(std::iter::repeat_with(|| rng.random::<f64>()))
            .map(|(base, noise)| base + noise)
            .collect();
        let k = sizes.len();
        let got = silhouette(mat(&data, n, d), &labels, k).unwrap().unwrap();
        let want = naive_silhouette(&data, n, d, &labels, k);
        // f32 distances: about 1e-9 off here (1e-5 is the promise).
        assert!((got - want).abs() <= 1e-6, "d={d}: {got} vs {want}");
    }
}
