//! The bounded assignment step (Hamerly's bounds, [`super::bounds`]) against
//! the plain one, every row against every centre: the same labels, centres,
//! inertia, iterations and flags, bit for bit, on generated data of many
//! shapes, both storages and one or two threads.

use std::sync::atomic::Ordering;

use ndarray::ArrayView2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bounds::{down32, up32};
use super::*;
use crate::pipeline::progress::NoProgress;

struct Gen(ChaCha8Rng);

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen(ChaCha8Rng::seed_from_u64(seed))
    }
    fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }
    fn int(&mut self, hi: u64) -> f64 {
        self.0.random_range(0..hi) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The generated data sets: name and row-major `n × d` values.
fn shapes(n: usize, d: usize, g: &mut Gen) -> Vec<(&'static str, Vec<f64>)> {
    let mut out = Vec::new();
    // Well separated blobs (8 centres 20 apart, unit noise).
    let centres: Vec<f64> = (0..8 * d).map(|_| 20.0 * g.uniform()).collect();
    let blobs: Vec<f64> = (0..n)
        .flat_map(|i| (0..d).map(move |j| (i % 8, j)))
        .map(|(c, j)| centres[c * d + j] + g.normal())
        .collect();
    out.push(("blobs", blobs.clone()));
    // One continuum: no structure, rows change cluster for many iterations.
    out.push(("continuum", (0..n * d).map(|_| g.uniform()).collect()));
    // Integer grid: duplicates, and many rows equidistant to two centres.
    let hi = if d == 1 { 40 } else { 5 };
    out.push(("grid", (0..n * d).map(|_| g.int(hi)).collect()));
    // Two mirrored blobs and rows within 1e-13 of the plane between them:
    // near-ties at every iteration.
    let bisector: Vec<f64> = (0..n * d)
        .map(|p| match ((p / d) % 3, p % d) {
            (0, 0) => -1.0 + 0.1 * g.normal(),
            (1, 0) => 1.0 + 0.1 * g.normal(),
            (_, 0) => 1e-13 * (g.uniform() - 0.5),
            _ => g.normal(),
        })
        .collect();
    out.push(("bisector", bisector));
    // A far outlier among the blobs.
    let mut outlier = blobs;
    outlier[..d].fill(1e6);
    out.push(("outlier", outlier));
    out
}

fn no_progress() -> Span<'static> {
    Span {
        progress: &NoProgress,
        base: 0.0,
        width: 1.0,
        prefix: String::new(),
    }
}

fn fit_in_pool<T: Element>(
    prep: &Prepared<'_, T>,
    cfg: &KMeansConfig,
    threads: usize,
    with_bounds: bool,
) -> KMeansResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| fit_prepared_with(prep, cfg, &no_progress(), with_bounds).unwrap())
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|a| a.to_bits()).collect()
}

/// The plain fit on one thread and the bounded fit on one and two threads
/// agree in every field, floats by their bits.
fn assert_same<T: Element>(prep: &Prepared<'_, T>, cfg: &KMeansConfig, what: &str) {
    let plain = fit_in_pool(prep, cfg, 1, false);
    for threads in [1, 2] {
        let b = fit_in_pool(prep, cfg, threads, true);
        let what = format!("{what}, {threads} thread(s)");
        assert_eq!(b.labels, plain.labels, "{what}: labels");
        assert_eq!(bits(&b.centres), bits(&plain.centres), "{what}: centres");
        assert_eq!(
            b.inertia.to_bits(),
            plain.inertia.to_bits(),
            "{what}: inertia"
        );
        assert_eq!(
            (b.n_iter, b.converged, b.best_restart),
            (plain.n_iter, plain.converged, plain.best_restart),
            "{what}: n_iter, converged, best restart"
        );
        assert_eq!(
            (&b.sizes, &b.warnings),
            (&plain.sizes, &plain.warnings),
            "{what}"
        );
    }
}

fn assert_same_both_storages(data: &[f64], n: usize, d: usize, cfg: &KMeansConfig, what: &str) {
    let x = ArrayView2::from_shape((n, d), data).unwrap();
    assert_same(&Prepared::<f64>::new(x), cfg, &format!("{what}, f64"));
    assert_same(&Prepared::<f32>::new(x), cfg, &format!("{what}, f32"));
}

#[test]
fn bounded_lloyd_equals_plain_lloyd_bit_for_bit() {
    let mut g = Gen::new(17);
    let n = 1500;
    for d in [1, 2, 7, 30] {
        for (shape, data) in shapes(n, d, &mut g) {
            for k in [2, 3, 4, 5, 8, 9, 12, 13, 16, 20] {
                let cfg = KMeansConfig {
                    n_init: 2,
                    seed: k as u64,
                    // Every other case runs until no label changes.
                    tol: if k % 2 == 0 { 0.0 } else { 1e-4 },
                    ..KMeansConfig::new(k)
                };
                assert_same_both_storages(&data, n, d, &cfg, &format!("{shape} d={d} K={k}"));
            }
        }
    }
}

#[test]
fn bounded_lloyd_equals_plain_for_every_k_up_to_20() {
    let mut g = Gen::new(5);
    let (n, d) = (700, 7);
    let (_, data) = shapes(n, d, &mut g).swap_remove(0);
    for k in 2..=20 {
        let cfg = KMeansConfig {
            n_init: 1,
            seed: 3,
            ..KMeansConfig::new(k)
        };
        assert_same_both_storages(&data, n, d, &cfg, &format!("blobs d={d} K={k}"));
    }
}

/// Bad given centres: duplicates and centres far from every row leave
/// clusters empty, which relocates rows (and resets the bounds).
#[test]
fn bounded_lloyd_equals_plain_with_empty_clusters() {
    let mut g = Gen::new(8);
    let n = 1000;
    for d in [1, 2, 7, 30] {
        for (shape, data) in shapes(n, d, &mut g) {
            let k = 6;
            let mut given = Vec::new();
            for c in 0..k {
                let row: Vec<f64> = match c {
                    // Three copies of the first row: two of them end empty.
                    0..=2 => data[..d].to_vec(),
                    // Far away from everything.
                    3 | 4 => vec![1e7 + c as f64; d],
                    _ => data[7 * d..8 * d].to_vec(),
                };
                given.extend(row);
            }
            let cfg = KMeansConfig {
                init: Init::Given(given),
                n_init: 1,
                ..KMeansConfig::new(k)
            };
            let what = format!("{shape} d={d}, bad given centres");
            assert_same_both_storages(&data, n, d, &cfg, &what);
        }
    }
}

/// Data so large or so small that `f32` bounds would overflow or underflow
/// take the plain step, and still give the same answer.
#[test]
fn extreme_scales_fall_back_to_the_plain_step() {
    let mut g = Gen::new(2);
    let (n, d) = (600, 3);
    let (_, blobs) = shapes(n, d, &mut g).swap_remove(0);
    for scale in [1e35, 1e-35] {
        let data: Vec<f64> = blobs.iter().map(|v| v * scale).collect();
        let x = ArrayView2::from_shape((n, d), data.as_slice()).unwrap();
        let prep = Prepared::<f64>::new(x);
        let usable =
            bounds::Geometry::new(5, d).start(bounds::max_norm(&prep.x, d), &prep.x[..5 * d]);
        assert!(!usable, "scale {scale:e}");
        let cfg = KMeansConfig {
            n_init: 2,
            ..KMeansConfig::new(5)
        };
        assert_same_both_storages(&data, n, d, &cfg, &format!("blobs x {scale:e}"));
    }
}

/// The bounds do their job: on separated blobs most rows are settled
/// without computing their distances once the first iteration is done.
#[test]
fn bounds_settle_most_rows_of_separated_blobs() {
    let mut g = Gen::new(4);
    let (n, d, k) = (4000, 7, 8);
    let (_, data) = shapes(n, d, &mut g).swap_remove(0);
    let x = ArrayView2::from_shape((n, d), data.as_slice()).unwrap();
    let prep = Prepared::<f64>::new(x);
    let mut ws = Workspace::new(n, d, k);
    // Start from perturbed rows of each blob (rows i and i + 8 are in the
    // same blob), so that Lloyd needs a few iterations.
    for c in 0..k {
        for j in 0..d {
            ws.centres[c * d + j] = prep.x[(c + 8) * d + j] + 0.5;
        }
    }
    let x_norm = bounds::max_norm(&prep.x, d);
    let (n_iter, converged, _) =
        lloyd(&prep, &mut ws, (300, 0.0, Some(x_norm)), &|_| Ok(())).unwrap();
    assert!(converged && n_iter >= 2, "{n_iter} iterations");
    // Passes after the first: n_iter - 1 iterations and the final one.
    let settled = ws.geo.settled.load(Ordering::Relaxed);
    let after_first = n * n_iter;
    assert!(
        settled * 10 >= after_first * 9,
        "{settled} of {after_first} row-passes settled"
    );
}

#[test]
fn directed_f32_rounding_brackets_the_value() {
    let mut g = Gen::new(9);
    for _ in 0..100_000 {
        let v = g.uniform() * 10f64.powi(g.int(60) as i32 - 30);
        let (u, l) = (up32(v), down32(v));
        assert!(u as f64 >= v && l as f64 <= v, "{v}: {l} {u}");
        assert!((u as f64 - l as f64) <= 4e-7 * v, "{v}: {l} {u}");
        // The result of one f64 operation is bracketed too: v + t exactly
        // is v + t rounded, give or take half an f64 step.
        let t = g.uniform() * v;
        let (s, e) = (v + t, (v + t) * f64::EPSILON);
        assert!(
            up32(s) as f64 >= s + e && down32(s) as f64 <= s - e,
            "{v} + {t}"
        );
    }
    // Exact f32 values move by one step; the edges are safe.
    assert_eq!(up32(1.0), 1.0f32.next_up());
    assert_eq!(down32(1.0), 1.0f32.next_down());
    assert_eq!(up32(f64::NAN), f32::INFINITY);
    assert_eq!(up32(1e300), f32::INFINITY);
    assert_eq!(up32(-2.0), 2.0f32.next_up());
    assert_eq!(down32(1e300), f32::MAX);
    assert_eq!(down32(f64::NAN), 0.0);
    assert_eq!(down32(-1.0), 0.0);
    assert_eq!(down32(0.0), 0.0);
    assert_eq!(down32(1e-50), 0.0);
    assert!(up32(0.0) > 0.0 && up32(1e-50) > 0.0);
}

/// The skip test's margin is what makes a skip exact. Far from the origin
/// the kernel's `‖c‖² − 2 x·c` loses about `ε ‖x‖²` to cancellation, more
/// than the true gap of rows near the plane between two centres, so the
/// kernel sometimes picks the farther centre. Rows on dyadic coordinates
/// have exact squared distances (in `i128`); given the largest valid gap of
/// each row, every row the test settles is one the kernel gives to that
/// centre, while the same test without its margin would settle rows the
/// kernel gives to the other centre.
#[test]
fn the_skip_margin_covers_the_kernel_rounding() {
    let mut g = Gen::new(21);
    let unit = (1u64 << 30) as f64; // coordinates are integers / 2^30
    let n = 4000;
    for d in [1, 2, 7, 30] {
        // Two centres one apart along axis 0, 1e5 from the origin.
        let ca: Vec<i64> = (0..d)
            .map(|j| (1e5 * unit) as i64 + if j == 0 { 0 } else { g.int(1 << 30) as i64 })
            .collect();
        let mut cb = ca.clone();
        cb[0] += unit as i64;
        // Rows within 1e-9..1e-4 of the plane half way, either side.
        let rows: Vec<i64> = (0..n * d)
            .map(|p| {
                if p % d == 0 {
                    let off = 10f64.powf(-4.0 - 5.0 * g.uniform()) * (g.uniform() - 0.5).signum();
                    ca[0] + (unit * (0.5 + off)).round() as i64
                } else {
                    ca[p % d] + ((g.uniform() - 0.5) * unit) as i64
                }
            })
            .collect();
        let wide = |v: &[i64]| v.iter().map(|&a| a as f64 / unit).collect::<Vec<f64>>();
        let x = wide(&rows);
        let mut ws = Workspace::new(n, d, 2);
        ws.centres = [wide(&ca), wide(&cb)].concat();
        ws.load_centres();
        let mut geo = bounds::Geometry::new(2, d);
        assert!(geo.start(bounds::max_norm(&x, d), &ws.centres));
        let min_gap = geo.min_gap();
        // The kernel's labels (the plain step's).
        let mut labels = vec![u32::MAX; n];
        let step = ws.step();
        for (c, lab) in labels.chunks_mut(CHUNK_ROWS).enumerate() {
            let x = &x[c * CHUNK_ROWS * d..][..lab.len() * d];
            let idx: Vec<u16> = (0..lab.len() as u16).collect();
            let mut found = super::chunks::Found::new();
            super::chunks::exact_rows(x, d, &step.exact, &idx, lab, &mut found);
        }
        let (mut hazards, mut unsafe_without_margin) = (0, 0);
        for (row, &label) in rows.chunks_exact(d).zip(&labels) {
            let sq = |c: &[i64]| -> i128 {
                row.iter()
                    .zip(c)
                    .map(|(&a, &b)| (a - b) as i128 * (a - b) as i128)
                    .sum()
            };
            let (da, db) = (sq(&ca), sq(&cb));
            if da == db {
                continue;
            }
            // The truly nearest centre and the largest gap that holds.
            let (t, dt, dother) = if da < db { (0, da, db) } else { (1, db, da) };
            let to_dist = |v: i128| (v as f64 / (unit * unit)).sqrt();
            let (upper, lower) = (to_dist(dt), to_dist(dother));
            let gap = down32(lower - upper - f64::EPSILON * (lower + upper));
            let kernel_agrees = label == t;
            if gap > min_gap {
                assert!(kernel_agrees, "d={d}: a settled row went elsewhere");
            }
            if !kernel_agrees {
                hazards += 1;
                unsafe_without_margin += (gap > 0.0) as usize;
            }
        }
        assert!(
            hazards > 0,
            "d={d}: no row where the kernel's rounding decides"
        );
        assert!(
            unsafe_without_margin > 0,
            "d={d}: the margin was not needed"
        );
    }
}

/// The AVX2 build of the gap test gives the same gaps and the same rows as
/// the portable one (ties with the limit, zero shrinks, a partial chunk).
#[test]
fn unsettled_rows_agree_between_builds() {
    if !crate::pipeline::simd::has_avx2() {
        return;
    }
    let mut g = Gen::new(31);
    for (k, len) in [(2, 256), (7, 256), (16, 251), (9, 5), (40, 256)] {
        let mut shrink = vec![0.0f32; k.max(16)];
        for s in shrink.iter_mut().take(k).skip(1) {
            *s = (g.uniform() * 0.5) as f32;
        }
        let labels: Vec<u32> = (0..len).map(|_| g.int(k as u64) as u32).collect();
        let gaps: Vec<f32> = (0..len)
            .map(|i| if i % 5 == 0 { 0.25 } else { g.uniform() as f32 })
            .collect();
        let (mut g1, mut g2) = (gaps.clone(), gaps);
        let (mut t1, mut t2) = ([0u16; CHUNK_ROWS], [0u16; CHUNK_ROWS]);
        let m1 = bounds::unsettled_any(&labels, &mut g1, &shrink, 0.25, &mut t1);
        // SAFETY: AVX2 was checked above.
        let m2 = unsafe { super::avx2::unsettled(&labels, &mut g2, &shrink, 0.25, &mut t2) };
        assert_eq!(&t1[..m1], &t2[..m2], "k={k}");
        assert_eq!(bits32(&g1), bits32(&g2), "k={k}");
        // Each row is unsettled exactly when its shrunk gap is at most 0.25.
        let expect: Vec<u16> = (0..len as u16)
            .filter(|&i| g1[i as usize] <= 0.25)
            .collect();
        assert_eq!(&t1[..m1], &expect[..]);
        assert!(m1 > 0 && m1 < len, "k={k}: {m1} of {len}");
    }
}

fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|a| a.to_bits()).collect()
}

/// The sums by cluster (rows listed by cluster, summed in registers) have
/// the bits of the plain accumulation, for K up to 16 (the ordered path)
/// and above (the plain one), any width, partial chunks, f64 and f32.
#[test]
fn sums_by_cluster_equal_the_plain_accumulation() {
    let mut g = Gen::new(12);
    for (k, d, len) in [
        (1, 1, 256),
        (2, 7, 256),
        (5, 3, 100),
        (16, 30, 256),
        (9, 12, 77),
        (20, 7, 256),
    ] {
        let x: Vec<f64> = (0..len * d).map(|_| g.normal() * 1e3).collect();
        // Runs of equal labels, as in real chunks, and every cluster used.
        let labels: Vec<u32> = (0..len)
            .map(|i| {
                if g.uniform() < 0.3 {
                    (i % k) as u32
                } else {
                    g.int(k as u64) as u32
                }
            })
            .collect();
        check_sums(&x, d, k, &labels);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        check_sums(&x32, d, k, &labels);
    }
}

fn check_sums<T: Element>(x: &[T], d: usize, k: usize, labels: &[u32]) {
    let (mut s1, mut c1) = (vec![0.0; k * d], vec![0u32; k]);
    super::chunks::accumulate(x, d, labels, &mut s1, &mut c1);
    let (mut s2, mut c2) = (vec![f64::NAN; k * d], vec![7u32; k]);
    let mut order = [0u16; CHUNK_ROWS];
    super::sums::accumulate_by_cluster(x, d, labels, &mut s2, &mut c2, &mut order);
    assert_eq!(c1, c2, "k={k} d={d}");
    assert_eq!(bits(&s1), bits(&s2), "k={k} d={d}");
    assert_eq!(c1.iter().sum::<u32>() as usize, labels.len());
}
