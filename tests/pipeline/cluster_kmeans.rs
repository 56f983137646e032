//! The k-means kernel: recovery of planted clusters, parity with
//! scikit-learn, determinism, progress and cancellation.

use crate::cluster_util;

use cluster_util::*;
use custseg::Error;
use custseg::pipeline::cluster::{Init, KMeansConfig, Storage, assign_nearest, kmeans};
use custseg::pipeline::progress::NoProgress;

#[test]
fn planted_blobs_are_recovered_exactly() {
    for (k, d, seed) in [(3, 2, 1), (5, 4, 2), (8, 8, 3)] {
        let n = 3000;
        let (data, truth) = planted_blobs(n, d, k, 1.0, seed);
        let r = kmeans(
            mat(&data, n, d),
            &KMeansConfig {
                seed,
                ..KMeansConfig::new(k)
            },
            &NoProgress,
        )
        .unwrap();
        let ari = adjusted_rand_index(&r.labels, &truth);
        assert_eq!(ari, 1.0, "K={k} d={d}: ARI {ari}");
        assert!(r.converged);
        assert_eq!(r.sizes.iter().sum::<usize>(), n);
        assert_eq!(r.n_init, 10);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }
}

#[test]
fn adjusted_rand_index_helper_is_right() {
    // Identical up to relabelling -> 1; a known hand-computed case.
    assert_eq!(adjusted_rand_index(&[0u32, 0, 1, 1], &[1u32, 1, 0, 0]), 1.0);
    // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: n_ij = {2,1,1,2} -> Σ C = 2;
    // rows C(3,2)*2 = 6; cols C(2,2)*3 = 3; expected = 6*3/15 = 1.2;
    // max = 4.5; ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3.
    let ari = adjusted_rand_index(&[0u32, 0, 0, 1, 1, 1], &[0u32, 0, 1, 1, 2, 2]);
    assert!((ari - 0.8 / 3.3).abs() < 1e-12, "{ari}");
}

/// One run from a fixture case's initial centres, with its K, max_iter and tol.
fn fixture_config(case: &serde_json::Value, storage: Storage) -> KMeansConfig {
    KMeansConfig {
        n_init: 1,
        max_iter: case["max_iter"].as_u64().unwrap() as usize,
        tol: case["tol"].as_f64().unwrap(),
        init: Init::Given(f64s(&case["init"])),
        storage,
        ..KMeansConfig::new(case["k"].as_u64().unwrap() as usize)
    }
}

/// Same initial centres as scikit-learn -> same iterations, labels, centres
/// and inertia (fixture made once with scikit-learn, see make_fixtures.py).
#[test]
fn matches_scikit_learn_for_the_same_initial_centres() {
    let fx = sklearn_fixture();
    let cases = fx["lloyd"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for case in cases {
        let name = case["data"].as_str().unwrap();
        let (data, n, d) = fixture_data(&fx, name);
        let cfg = fixture_config(case, Storage::F64);
        let k = cfg.k;
        let what = format!(
            "data {name}, K={k}, tol {}, max_iter {}",
            cfg.tol, cfg.max_iter
        );
        let r = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
        let want_inertia = case["inertia"].as_f64().unwrap();
        assert_eq!(
            r.n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "{what}: n_iter"
        );
        let rel = (r.inertia - want_inertia).abs() / want_inertia;
        assert!(
            rel <= 1e-9,
            "{what}: inertia {} vs {want_inertia} (rel {rel:e})",
            r.inertia
        );
        let labels: Vec<u32> = r.labels.iter().map(|&l| u32::from(l)).collect();
        assert_eq!(labels, u32s(&case["labels"]), "{what}: labels");
        for (a, b) in r.centres.iter().zip(f64s(&case["centres"])) {
            assert!(
                (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                "{what}: centre {a} vs {b}"
            );
        }
        assert_eq!(r.converged, r.n_iter < cfg.max_iter, "{what}");
    }
}

/// f32 storage halves the working copy; arithmetic stays in f64. It must
/// find the same clusters with an inertia within f32 rounding of the f64
/// fit, the inertia must be the SSE of its own labels and centres, and it
/// must stay independent of the thread count.
#[test]
fn f32_storage_finds_the_same_clusters_within_rounding() {
    let (n, d, k) = (20_011, 6, 5);
    let (data, truth) = planted_blobs(n, d, k, 1.0, 21);
    let exact = KMeansConfig {
        seed: 5,
        ..KMeansConfig::new(k)
    };
    let single = KMeansConfig {
        storage: Storage::F32,
        ..exact.clone()
    };
    let a = kmeans(mat(&data, n, d), &exact, &NoProgress).unwrap();
    let b = kmeans(mat(&data, n, d), &single, &NoProgress).unwrap();
    assert_eq!(adjusted_rand_index(&b.labels, &truth), 1.0);
    assert_eq!(adjusted_rand_index(&b.labels, &a.labels), 1.0);
    let rel = (b.inertia - a.inertia).abs() / a.inertia;
    assert!(
        rel < 1e-6,
        "inertia {} vs {} (rel {rel:e})",
        b.inertia,
        a.inertia
    );
    // The f32 path really ran: rounding moves the inertia a little.
    assert_ne!(a.inertia.to_bits(), b.inertia.to_bits());
    let sse: f64 = data
        .chunks_exact(d)
        .zip(&b.labels)
        .map(|(row, &l)| {
            let c = &b.centres[l as usize * d..][..d];
            row.iter()
                .zip(c)
                .map(|(x, m)| (x - m) * (x - m))
                .sum::<f64>()
        })
        .sum();
    assert!(
        (sse - b.inertia).abs() / sse < 1e-6,
        "SSE {sse} vs {}",
        b.inertia
    );
    let one = fit_in_pool(1, &data, n, d, &single);
    let two = fit_in_pool(2, &data, n, d, &single);
    assert_eq!(one.labels, two.labels);
    assert_eq!(one.inertia.to_bits(), two.inertia.to_bits());
}

/// From scikit-learn's initial centres, f32 storage takes the same number
/// of iterations to an inertia within f32 rounding.
#[test]
fn f32_storage_follows_scikit_learn_within_rounding() {
    let fx = sklearn_fixture();
    for case in fx["lloyd"].as_array().unwrap() {
        let name = case["data"].as_str().unwrap();
        let (data, n, d) = fixture_data(&fx, name);
        let cfg = fixture_config(case, Storage::F32);
        let k = cfg.k;
        let r = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
        let want = case["inertia"].as_f64().unwrap();
        let rel = (r.inertia - want).abs() / want;
        assert!(
            rel <= 1e-5,
            "data {name}, K={k}: inertia {} vs {want}",
            r.inertia
        );
        assert_eq!(
            r.n_iter as u64,
            case["n_iter"].as_u64().unwrap(),
            "data {name}, K={k}"
        );
    }
}

fn fit_in_pool(
    threads: usize,
    data: &[f64],
    n: usize,
    d: usize,
    cfg: &KMeansConfig,
) -> custseg::pipeline::cluster::KMeansResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| kmeans(mat(data, n, d), cfg, &NoProgress).unwrap())
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Overlapping blobs (many iterations, many chunks, a partial last chunk).
    let (n, d, k) = (40_003, 5, 7);
    let (data, _) = planted_blobs(n, d, 4, 12.0, 11);
    let cfg = KMeansConfig {
        n_init: 3,
        seed: 99,
        ..KMeansConfig::new(k)
    };
    let one = fit_in_pool(1, &data, n, d, &cfg);
    assert!(
        one.n_iter > 3,
        "the test needs several iterations, got {}",
        one.n_iter
    );
    for threads in [2, 4] {
        let many = fit_in_pool(threads, &data, n, d, &cfg);
        assert_eq!(one.labels, many.labels, "{threads} threads: labels");
        assert_eq!(
            one.inertia.to_bits(),
            many.inertia.to_bits(),
            "{threads} threads: inertia"
        );
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&one.centres),
            bits(&many.centres),
            "{threads} threads: centres"
        );
        assert_eq!(one.n_iter, many.n_iter);
        assert_eq!(one.best_restart, many.best_restart);
    }
}

#[test]
fn same_seed_same_result_and_the_seed_matters() {
    let (n, d) = (5000, 3);
    let (data, _) = planted_blobs(n, d, 3, 15.0, 5);
    let cfg = KMeansConfig {
        n_init: 1,
        seed: 1,
        ..KMeansConfig::new(6)
    };
    let a = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
    let b = kmeans(mat(&data, n, d), &cfg, &NoProgress).unwrap();
    assert_eq!(a, b);
    // With heavily overlapping data and one restart, some other seed must
    // give a different local optimum.
    let differs = (2..12).any(|seed| {
        let c = kmeans(
            mat(&data, n, d),
            &KMeansConfig {
                seed,
                ..cfg.clone()
            },
            &NoProgress,
        )
        .unwrap();
        c.inertia != a.inertia
    });
    assert!(differs, "the seed has no effect");
}

#[test]
fn more_restarts_never_give_a_worse_inertia() {
    let (n, d) = (4000, 4);
    let (data, _) = planted_blobs(n, d, 5, 14.0, 8);
    let one = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            n_init: 1,
            seed: 3,
            ..KMeansConfig::new(7)
        },
        &NoProgress,
    )
    .unwrap();
    let ten = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            n_init: 10,
            seed: 3,
            ..KMeansConfig::new(7)
        },
        &NoProgress,
    )
    .unwrap();
    // Restart 0 is the same in both (same stream), so the best of ten is at least as good.
    assert!(
        ten.inertia <= one.inertia,
        "{} > {}",
        ten.inertia,
        one.inertia
    );
}

#[test]
fn labels_are_nearest_centres_and_inertia_is_the_sse() {
    let (n, d) = (3001, 3);
    let (data, _) = planted_blobs(n, d, 4, 9.0, 21);
    let r = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            seed: 4,
            ..KMeansConfig::new(5)
        },
        &NoProgress,
    )
    .unwrap();
    let again = assign_nearest(mat(&data, n, d), mat(&r.centres, r.k, d)).unwrap();
    let mismatches = again
        .iter()
        .zip(&r.labels)
        .filter(|(a, b)| **a != u32::from(**b))
        .count();
    assert!(
        mismatches <= 1,
        "{mismatches} rows not on their nearest centre"
    );
    let mut sse = 0.0;
    for (row, &l) in data.chunks_exact(d).zip(&r.labels) {
        let c = &r.centres[l as usize * d..(l as usize + 1) * d];
        sse += row
            .iter()
            .zip(c)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>();
    }
    assert!(
        (sse - r.inertia).abs() <= 1e-9 * sse,
        "{sse} vs {}",
        r.inertia
    );
    let mut sizes = vec![0; r.k];
    for &l in &r.labels {
        sizes[l as usize] += 1;
    }
    assert_eq!(sizes, r.sizes);
}

#[test]
fn given_centres_make_one_run_and_say_so() {
    let (n, d) = (600, 2);
    let (data, _) = planted_blobs(n, d, 3, 1.0, 4);
    let init = data[..3 * d].to_vec();
    let r = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            init: Init::Given(init),
            ..KMeansConfig::new(3)
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.n_init, 1);
    assert!(
        r.warnings.iter().any(|w| w.contains("n_init=10")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn max_iter_stops_early_and_reports_not_converged() {
    let (n, d) = (5000, 3);
    let (data, _) = planted_blobs(n, d, 3, 15.0, 6);
    let r = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            max_iter: 1,
            n_init: 1,
            ..KMeansConfig::new(8)
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.n_iter, 1);
    assert!(!r.converged);
}

#[test]
fn k_equal_to_the_number_of_distinct_rows_gives_zero_inertia() {
    let data = vec![0.0, 0.0, 5.0, 5.0, 0.0, 0.0, 9.0, 1.0, 5.0, 5.0];
    let r = kmeans(mat(&data, 5, 2), &KMeansConfig::new(3), &NoProgress).unwrap();
    assert_eq!(r.inertia, 0.0);
    assert_eq!(r.labels[0], r.labels[2]);
    assert_eq!(r.labels[1], r.labels[4]);
    let mut sizes = r.sizes.clone();
    sizes.sort();
    assert_eq!(sizes, vec![1, 2, 2]);
}

#[test]
fn progress_is_reported_and_cancellation_stops_the_fit() {
    let (n, d) = (20_000, 4);
    let (data, _) = planted_blobs(n, d, 6, 10.0, 12);
    let rec = Recorder::new(None);
    kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            n_init: 3,
            ..KMeansConfig::new(6)
        },
        &rec,
    )
    .unwrap();
    let reports = rec.reports.lock().unwrap().clone();
    assert!(!reports.is_empty());
    assert!(
        reports.windows(2).all(|w| w[0].0 <= w[1].0),
        "fractions go back"
    );
    assert_eq!(reports.last().unwrap().0, 1.0);
    assert!(
        reports.iter().any(|(_, m)| m.contains("restart 2/3")),
        "{reports:?}"
    );

    let cancel = Recorder::new(Some(2));
    let err = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            n_init: 3,
            ..KMeansConfig::new(6)
        },
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
}

#[test]
fn results_serialize_round_trip() {
    let (n, d) = (300, 2);
    let (data, _) = planted_blobs(n, d, 3, 1.0, 4);
    let r = kmeans(mat(&data, n, d), &KMeansConfig::new(3), &NoProgress).unwrap();
    let json = serde_json::to_string(&r).unwrap();
    let back: custseg::pipeline::cluster::KMeansResult = serde_json::from_str(&json).unwrap();
    assert_eq!(r, back);
}
