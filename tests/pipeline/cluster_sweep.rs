//! The K sweep and the choice of K.

use crate::cluster_util;

use cluster_util::*;
use custseg::Error;
use custseg::pipeline::cluster::{Choice, KMeansConfig, Storage, SweepConfig, kmeans, sweep};
use custseg::pipeline::progress::NoProgress;

fn quick() -> SweepConfig {
    SweepConfig {
        n_init: 3,
        ..SweepConfig::default()
    }
}

#[test]
fn planted_clusters_give_the_knee_at_the_true_k() {
    for (k_true, seed) in [(3, 1), (4, 2), (5, 3)] {
        let (n, d) = (3000, 5);
        let (data, truth) = planted_blobs(n, d, k_true, 1.0, seed);
        let r = sweep(mat(&data, n, d), &[], &quick(), &NoProgress).unwrap();
        assert_eq!(r.chosen_k, k_true, "reason: {}", r.reason);
        assert_eq!(r.choice, Choice::Knee);
        assert!(!r.at_edge);
        assert!(
            r.reason.starts_with(&format!(
                "the last step that separates the customers clearly is to K={k_true}; K={} and K={} add little",
                k_true + 1,
                k_true + 2
            )),
            "{}",
            r.reason
        );
        // The older rule's knee is still reported, and agrees here.
        assert_eq!(r.knee, Some(k_true));
        assert_eq!(adjusted_rand_index(&r.chosen().fit.labels, &truth), 1.0);
        // K = 1 first, then 2..=10; SSE never goes up on planted data.
        let ks: Vec<usize> = r.results.iter().map(|x| x.k).collect();
        assert_eq!(ks, (1..=10).collect::<Vec<_>>());
        let sse: Vec<f64> = r.results.iter().map(|x| x.fit.inertia).collect();
        assert!(sse.windows(2).all(|w| w[1] <= w[0]), "SSE goes up: {sse:?}");
        // Metrics: none for K = 1, defined for the others; the true K has the best silhouette.
        assert_eq!(r.results[0].metrics.silhouette, None);
        assert_eq!(r.results[0].metrics.calinski_harabasz, None);
        let best_sil = r.results[1..]
            .iter()
            .max_by(|a, b| {
                a.metrics
                    .silhouette
                    .partial_cmp(&b.metrics.silhouette)
                    .unwrap()
            })
            .unwrap();
        assert_eq!(best_sil.k, k_true);
        assert!(
            r.results[1..]
                .iter()
                .all(|x| x.metrics.davies_bouldin.is_some() && !x.metrics.silhouette_sampled)
        );
    }
}

/// With f32 storage the sweep finds the same segments and K; the metrics,
/// computed on the f64 data from the same labels, are then identical; and
/// the result says which storage ran.
#[test]
fn f32_storage_gives_the_same_sweep_on_planted_data() {
    let (n, d) = (4000, 5);
    let (data, truth) = planted_blobs(n, d, 5, 1.0, 8);
    let exact = sweep(mat(&data, n, d), &[], &quick(), &NoProgress).unwrap();
    let cfg = SweepConfig {
        storage: Storage::F32,
        ..quick()
    };
    let single = sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap();
    assert_eq!(exact.storage, Storage::F64);
    assert_eq!(single.storage, Storage::F32);
    assert_eq!(single.chosen_k, 5, "{}", single.reason);
    assert_eq!(
        adjusted_rand_index(&single.chosen().fit.labels, &truth),
        1.0
    );
    for (a, b) in exact.results.iter().zip(&single.results) {
        let rel = (a.fit.inertia - b.fit.inertia).abs() / a.fit.inertia.max(1e-300);
        assert!(
            rel < 1e-5,
            "K={}: SSE {} vs {}",
            a.k,
            a.fit.inertia,
            b.fit.inertia
        );
        if a.fit.labels == b.fit.labels {
            assert_eq!(a.metrics, b.metrics, "K={}", a.k);
        }
    }
    assert_eq!(exact.chosen().metrics, single.chosen().metrics);
}

#[test]
fn sweep_results_equal_single_fits_with_the_same_seed() {
    let (n, d) = (2000, 3);
    let (data, _) = planted_blobs(n, d, 4, 3.0, 7);
    let cfg = SweepConfig {
        k_max: 5,
        ..quick()
    };
    let r = sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap();
    let mut single = kmeans(
        mat(&data, n, d),
        &KMeansConfig {
            n_init: 3,
            seed: cfg.seed,
            ..KMeansConfig::new(4)
        },
        &NoProgress,
    )
    .unwrap();
    // The sweep gives its fits the canonical numbering (issue 16).
    custseg::pipeline::cluster::canonical::renumber(&mut single);
    assert_eq!(r.get(4).unwrap().fit, single);
    assert_eq!(r.get(1).unwrap().fit.n_init, 1);
}

/// Uniform noise on a line has no groups: the gap statistic finds no K that
/// beats structureless data, and the smallest K of the range is taken and
/// said. (Before issue 15 the knee rule picked a K for any curve.)
#[test]
fn uniform_noise_gets_the_smallest_k_and_says_there_is_no_structure() {
    let n = 2000;
    let data: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    for (k_min, k_max) in [(2, 10), (6, 8)] {
        let cfg = SweepConfig {
            k_min,
            k_max,
            ..quick()
        };
        let r = sweep(mat(&data, n, 1), &[], &cfg, &NoProgress).unwrap();
        assert_eq!(
            (r.chosen_k, r.choice),
            (k_min, Choice::Smallest),
            "{}",
            r.reason
        );
        assert!(
            r.reason.starts_with("no number of segments separates"),
            "{}",
            r.reason
        );
    }
}

#[test]
fn without_the_gap_statistic_no_knee_falls_back_to_the_best_silhouette() {
    // Uniform noise on a line: SSE(K) is (close to) proportional to 1/K², a
    // convex curve, so force "no knee" with a range that starts past it:
    // the knee is at K=2 or 3 and the range is 6..=8.
    let n = 2000;
    let data: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let cfg = SweepConfig {
        k_min: 6,
        k_max: 8,
        gap_references: 0,
        ..quick()
    };
    let r = sweep(mat(&data, n, 1), &[], &cfg, &NoProgress).unwrap();
    assert_ne!(r.choice, Choice::Knee);
    assert_eq!(r.choice, Choice::BestSilhouette, "{}", r.reason);
    let best = r
        .results
        .iter()
        .filter(|x| x.k >= 6)
        .max_by(|a, b| {
            a.metrics
                .silhouette
                .partial_cmp(&b.metrics.silhouette)
                .unwrap()
        })
        .unwrap();
    assert_eq!(r.chosen_k, best.k);
    assert!(
        r.reason.starts_with("no clear knee in the SSE curve; K="),
        "{}",
        r.reason
    );
    assert!(
        r.reason
            .contains(&format!("K={} has the best silhouette", best.k)),
        "{}",
        r.reason
    );
}

#[test]
fn fixed_k_is_used_and_said() {
    let (n, d) = (1500, 3);
    let (data, _) = planted_blobs(n, d, 3, 1.0, 5);
    let r = sweep(
        mat(&data, n, d),
        &[],
        &SweepConfig {
            fixed_k: Some(6),
            k_max: 4,
            ..quick()
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.chosen_k, 6);
    assert_eq!(r.choice, Choice::Fixed);
    assert_eq!(r.reason, "fixed by the user");
    assert_eq!(r.chosen().k, 6);
    assert_eq!(r.knee, Some(3), "the knee is still reported");
    let ks: Vec<usize> = r.results.iter().map(|x| x.k).collect();
    assert_eq!(ks, vec![1, 2, 3, 4, 6]);
}

#[test]
fn silhouette_is_sampled_above_the_sample_size() {
    let (n, d) = (3000, 2);
    let (data, _) = planted_blobs(n, d, 3, 1.0, 6);
    let r = sweep(
        mat(&data, n, d),
        &[],
        &SweepConfig {
            k_max: 4,
            silhouette_sample: 500,
            ..quick()
        },
        &NoProgress,
    )
    .unwrap();
    for x in &r.results[1..] {
        assert!(x.metrics.silhouette_sampled);
        assert_eq!(x.metrics.silhouette_sample_size, 500);
        assert!(x.metrics.silhouette.is_some());
    }
}

#[test]
fn k_range_is_capped_at_the_number_of_distinct_rows() {
    // 4 distinct rows repeated.
    let base = [0.0, 0.0, 10.0, 0.0, 0.0, 10.0, 10.0, 10.0];
    let data: Vec<f64> = base.iter().cycle().take(8 * 25).copied().collect();
    let r = sweep(mat(&data, 100, 2), &[], &quick(), &NoProgress).unwrap();
    assert_eq!(r.k_max, 4);
    assert_eq!(r.results.last().unwrap().k, 4);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("only 4 distinct rows") && w.contains("2..=4")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.get(4).unwrap().fit.inertia, 0.0);
}

#[test]
fn sweep_progress_covers_all_ks_and_cancels() {
    let (n, d) = (3000, 3);
    let (data, _) = planted_blobs(n, d, 3, 2.0, 8);
    let rec = Recorder::new(None);
    sweep(
        mat(&data, n, d),
        &[],
        &SweepConfig {
            k_max: 5,
            ..quick()
        },
        &rec,
    )
    .unwrap();
    let reports = rec.reports.lock().unwrap().clone();
    assert!(
        reports.windows(2).all(|w| w[0].0 <= w[1].0 + 1e-12),
        "fractions go back"
    );
    assert_eq!(reports.last().unwrap().0, 1.0);
    for k in 1..=5 {
        assert!(
            reports
                .iter()
                .any(|(_, m)| m.starts_with(&format!("K={k}:"))),
            "no report for K={k}"
        );
    }
    assert!(reports.iter().any(|(_, m)| m.contains("quality metrics")));

    let cancel = Recorder::new(Some(5));
    let err = sweep(mat(&data, n, d), &[], &quick(), &cancel).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
}

#[test]
fn sweep_is_thread_count_independent() {
    let (n, d) = (6000, 3);
    let (data, _) = planted_blobs(n, d, 4, 6.0, 10);
    let cfg = SweepConfig {
        k_max: 6,
        silhouette_sample: 1000,
        ..quick()
    };
    let run = |t: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap();
        pool.install(|| sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap())
    };
    let (a, b) = (run(1), run(2));
    // PartialEq on f64 fields: bitwise equal values compare equal.
    assert_eq!(a, b);
}

#[test]
fn config_serde_defaults_and_round_trip() {
    let cfg: SweepConfig = serde_json::from_str(r#"{"k_max": 8}"#).unwrap();
    assert_eq!(
        cfg,
        SweepConfig {
            k_max: 8,
            ..SweepConfig::default()
        }
    );
    let d = SweepConfig::default();
    assert_eq!(
        (
            d.k_min,
            d.k_max,
            d.n_init,
            d.max_iter,
            d.tol,
            d.silhouette_sample,
            d.fit_sample
        ),
        (2, 10, 10, 300, 1e-4, 20_000, 100_000)
    );
    let (n, dd) = (300, 2);
    let (data, _) = planted_blobs(n, dd, 3, 1.0, 4);
    let r = sweep(
        mat(&data, n, dd),
        &[],
        &SweepConfig {
            k_max: 4,
            ..quick()
        },
        &NoProgress,
    )
    .unwrap();
    let back: custseg::pipeline::cluster::SweepResult =
        serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

/// Above `fit_sample` rows the restarts run on a sample and the best is
/// refined on all rows: the same segments, labels for every row, the SSE of
/// all rows and within a hair of every restart on all rows; and said.
#[test]
fn restarts_on_a_sample_find_the_same_segments_for_all_rows() {
    let (n, d) = (6000, 4);
    let (data, truth) = planted_blobs(n, d, 5, 1.5, 21);
    let full = sweep(mat(&data, n, d), &[], &quick(), &NoProgress).unwrap();
    let cfg = SweepConfig {
        fit_sample: 600,
        ..quick()
    };
    let sampled = sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap();
    assert_eq!(full.restarts_sample, None);
    assert_eq!(sampled.restarts_sample, Some(600));
    assert_eq!(sampled.chosen_k, full.chosen_k, "{}", sampled.reason);
    let fit = &sampled.get(5).unwrap().fit;
    assert_eq!(fit.labels.len(), n);
    assert_eq!(fit.sizes.iter().sum::<usize>(), n);
    assert_eq!(adjusted_rand_index(&fit.labels, &truth), 1.0);
    assert_eq!(fit.n_init, 3, "the restarts that ran (on the sample)");
    for (a, b) in full.results.iter().zip(&sampled.results) {
        assert_eq!(a.k, b.k);
        // The inertia is over all rows: recompute it from the labels.
        let sse: f64 = (0..n)
            .map(|i| {
                let c = b.fit.labels[i] as usize;
                (0..d)
                    .map(|j| (data[i * d + j] - b.fit.centres[c * d + j]).powi(2))
                    .sum::<f64>()
            })
            .sum();
        assert!((sse - b.fit.inertia).abs() <= 1e-9 * sse, "K={}", b.k);
        assert!(
            b.fit.inertia <= a.fit.inertia * 1.02,
            "K={}: sampled restarts {} vs all rows {}",
            a.k,
            b.fit.inertia,
            a.fit.inertia
        );
    }
    // At or below the threshold nothing changes.
    let at = SweepConfig {
        fit_sample: n,
        ..quick()
    };
    assert_eq!(
        sweep(mat(&data, n, d), &[], &at, &NoProgress).unwrap(),
        full
    );
}

#[test]
fn sampled_restarts_are_seeded_and_thread_count_independent() {
    let (n, d) = (5000, 3);
    let (data, _) = planted_blobs(n, d, 4, 3.0, 22);
    let cfg = SweepConfig {
        k_max: 6,
        fit_sample: 700,
        silhouette_sample: 800,
        ..quick()
    };
    let run = |t: usize, seed: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap();
        let cfg = SweepConfig {
            seed,
            ..cfg.clone()
        };
        pool.install(|| sweep(mat(&data, n, d), &[], &cfg, &NoProgress).unwrap())
    };
    let a = run(1, 42);
    assert_eq!(a, run(2, 42));
    assert_eq!(a.restarts_sample, Some(700));
    // Another seed draws another sample (and other restarts).
    let other = run(2, 43);
    assert!(
        a.results
            .iter()
            .zip(&other.results)
            .any(|(x, y)| x.fit.centres != y.fit.centres),
        "a different seed changed nothing"
    );
}
