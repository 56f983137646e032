//! The silhouette measures distances in `f32` (for speed); on generated data
//! of hostile shapes it must still agree with a plain `f64` computation to
//! 1e-5, and give the same bits on 1 and 2 threads.

use crate::cluster_util;

use cluster_util::*;
use custseg::pipeline::cluster::silhouette;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Rows (row-major, `d` features), their clusters and K.
struct Shape {
    name: &'static str,
    data: Vec<f64>,
    d: usize,
    labels: Vec<u32>,
    k: usize,
}

impl Shape {
    fn n(&self) -> usize {
        self.labels.len()
    }
}

/// Clusters of the given sizes around random centres (`sep` × a standard
/// normal per coordinate) with normal noise of `spread`, rows shuffled.
fn blobs(rng: &mut ChaCha8Rng, sizes: &[usize], d: usize, sep: f64, spread: f64) -> Shape {
    let centres: Vec<Vec<f64>> = sizes
        .iter()
        .map(|_| (0..d).map(|_| sep * normal(rng)).collect())
        .collect();
    let mut labels: Vec<u32> = sizes
        .iter()
        .enumerate()
        .flat_map(|(c, &s)| std::iter::repeat_n(c as u32, s))
        .collect();
    labels.shuffle(rng);
    let data = labels
        .iter()
        .flat_map(|&c| centres[c as usize].clone())
        .map(|v| v + spread * normal(rng))
        .collect();
    Shape {
        name: "",
        data,
        d,
        labels,
        k: sizes.len(),
    }
}

/// Each column to mean 0 and standard deviation 1, as the features step does.
fn standardise(mut s: Shape) -> Shape {
    let (n, d) = (s.n(), s.d);
    for j in 0..d {
        let mean = (0..n).map(|i| s.data[i * d + j]).sum::<f64>() / n as f64;
        let var = (0..n)
            .map(|i| (s.data[i * d + j] - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        for i in 0..n {
            s.data[i * d + j] = (s.data[i * d + j] - mean) / var.sqrt();
        }
    }
    s
}

fn named(name: &'static str, s: Shape) -> Shape {
    Shape { name, ..s }
}

fn shapes() -> Vec<Shape> {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let rng = &mut rng;
    let mut out = vec![
        named(
            "well separated",
            standardise(blobs(rng, &[700, 500, 300, 260], 7, 10.0, 1.0)),
        ),
        named(
            "overlapping",
            standardise(blobs(rng, &[400, 400, 400, 400], 5, 0.4, 1.0)),
        ),
        named(
            "one tiny cluster and a single row",
            standardise(blobs(rng, &[900, 600, 2, 1], 4, 3.0, 1.0)),
        ),
        named(
            "d = 1",
            standardise(blobs(rng, &[300, 500, 200], 1, 2.0, 1.0)),
        ),
        named(
            "d = 30",
            standardise(blobs(rng, &[400, 300, 300], 30, 0.5, 1.0)),
        ),
    ];
    out.push(duplicates(rng));
    out.push(far_outliers(rng));
    out.push(large_offset(rng));
    out
}

/// Every row a copy of one of 3 points of its cluster; one cluster is a
/// single point repeated (its rows' own distances are all 0).
fn duplicates(rng: &mut ChaCha8Rng) -> Shape {
    let base = blobs(rng, &[3, 3, 1, 3], 6, 2.0, 1.0);
    let labels: Vec<u32> = (0..1200).map(|i| [0, 1, 2, 3][i % 4]).collect();
    let points: Vec<Vec<usize>> = (0..4)
        .map(|c| (0..base.n()).filter(|&p| base.labels[p] == c).collect())
        .collect();
    let data = labels
        .iter()
        .flat_map(|&c| {
            let p = points[c as usize][rng.random_range(0..points[c as usize].len())];
            base.data[p * 6..(p + 1) * 6].to_vec()
        })
        .collect();
    named(
        "duplicates",
        standardise(Shape {
            name: "",
            data,
            d: 6,
            labels,
            k: 4,
        }),
    )
}

/// Two ordinary clusters and one of 3 rows about 40 standard deviations out
/// (after standardising), very close to each other: their distances are tiny
/// next to their coordinates.
fn far_outliers(rng: &mut ChaCha8Rng) -> Shape {
    let mut s = blobs(rng, &[2600, 2400], 6, 1.0, 1.0);
    for _ in 0..3 {
        s.data
            .extend((0..6).map(|j| 80.0 + j as f64 + 1e-3 * normal(rng)));
        s.labels.push(2);
    }
    s.k = 3;
    let s = standardise(s);
    let top = s.data.iter().fold(0.0f64, |a, &v| a.max(v));
    assert!(top > 35.0, "the outliers are {top} standard deviations out");
    named("40-sigma outliers", s)
}

/// Not standardised: every value near 1e6 (as raw amounts), spread 1 (the public function
/// takes any matrix).
fn large_offset(rng: &mut ChaCha8Rng) -> Shape {
    let mut s = blobs(rng, &[500, 400, 300], 5, 1.0, 1.0);
    for v in &mut s.data {
        *v += 1.0e6;
    }
    named("offset 1e6", s)
}

/// The silhouette from its definition in `f64`, one pair at a time.
fn reference(s: &Shape) -> f64 {
    let (n, d) = (s.n(), s.d);
    let dist = |a: usize, b: usize| {
        (0..d)
            .map(|j| (s.data[a * d + j] - s.data[b * d + j]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let mut size = vec![0usize; s.k];
    for &l in &s.labels {
        size[l as usize] += 1;
    }
    let mut total = 0.0;
    for i in 0..n {
        let own = s.labels[i] as usize;
        if size[own] == 1 {
            continue;
        }
        let mut sums = vec![0.0; s.k];
        for j in 0..n {
            sums[s.labels[j] as usize] += dist(i, j);
        }
        let a = sums[own] / (size[own] - 1) as f64;
        let b = (0..s.k)
            .filter(|&c| c != own && size[c] > 0)
            .map(|c| sums[c] / size[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / n as f64
}

fn on_threads(t: usize, s: &Shape) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(t)
        .build()
        .unwrap();
    pool.install(|| silhouette(mat(&s.data, s.n(), s.d), &s.labels, s.k))
        .unwrap()
        .unwrap()
}

#[test]
fn f32_silhouette_agrees_with_f64_on_hostile_shapes_and_any_thread_count() {
    for s in shapes() {
        let one = on_threads(1, &s);
        let two = on_threads(2, &s);
        assert_eq!(one.to_bits(), two.to_bits(), "{}: {one} vs {two}", s.name);
        let want = reference(&s);
        eprintln!(
            "{}: {one} vs {want} (f64): {:e}",
            s.name,
            (one - want).abs()
        );
        assert!(
            (one - want).abs() <= 1e-5,
            "{}: {one} vs {want} (f64)",
            s.name
        );
    }
}
