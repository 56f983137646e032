//! Bad input never panics: options are `Error::Usage` (exit 2), data
//! problems `Error::Data` (exit 1), with messages that say what is wrong.

use custseg::Error;
use custseg::pipeline::cluster::{Init, KMeansConfig, SweepConfig, assign_nearest, kmeans, sweep};
use custseg::pipeline::progress::NoProgress;
use ndarray::ArrayView2;

/// The row-major `n × d` matrix in `data` as a view.
fn mat(data: &[f64], n: usize, d: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((n, d), data).expect("n × d values")
}

fn data_err(e: Error) -> String {
    match e {
        Error::Data(m) | Error::DataWithRemedy { message: m, .. } => m,
        other => panic!("expected a data error, got {other:?}"),
    }
}

fn usage_err(e: Error) -> String {
    match e {
        Error::Usage(m) => m,
        other => panic!("expected Error::Usage, got {other:?}"),
    }
}

fn grid(n: usize) -> Vec<f64> {
    (0..n)
        .flat_map(|i| [i as f64, (i * i % 7) as f64])
        .collect()
}

#[test]
fn k_zero_is_a_usage_error() {
    let data = grid(10);
    let m = usage_err(kmeans(mat(&data, 10, 2), &KMeansConfig::new(0), &NoProgress).unwrap_err());
    assert!(m.contains("K = 0"), "{m}");
    let m = usage_err(
        sweep(
            mat(&data, 10, 2),
            &[],
            &SweepConfig {
                fixed_k: Some(0),
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("K = 0"), "{m}");
}

/// A segment number is one byte: K = 255 fits, 256 is refused before any
/// work, never wrapped into segment 0.
#[test]
fn k_above_255_is_a_usage_error() {
    let data = grid(300);
    let m =
        usage_err(kmeans(mat(&data, 300, 2), &KMeansConfig::new(256), &NoProgress).unwrap_err());
    assert!(m.contains("at most 255") && m.contains("K = 256"), "{m}");
    let cfg = KMeansConfig {
        n_init: 1,
        max_iter: 2,
        ..KMeansConfig::new(255)
    };
    let fit = kmeans(mat(&data, 300, 2), &cfg, &NoProgress).unwrap();
    assert_eq!(fit.labels.iter().map(|&l| usize::from(l)).max(), Some(254));
}

#[test]
fn empty_or_bad_k_range_is_a_usage_error() {
    let data = grid(50);
    let m = usage_err(
        sweep(
            mat(&data, 50, 2),
            &[],
            &SweepConfig {
                k_min: 6,
                k_max: 4,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("empty K range 6..=4"), "{m}");
    let m = usage_err(
        sweep(
            mat(&data, 50, 2),
            &[],
            &SweepConfig {
                k_min: 1,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("start at 2"), "{m}");
}

#[test]
fn other_bad_options_are_usage_errors() {
    let data = grid(20);
    for cfg in [
        KMeansConfig {
            n_init: 0,
            ..KMeansConfig::new(2)
        },
        KMeansConfig {
            max_iter: 0,
            ..KMeansConfig::new(2)
        },
        KMeansConfig {
            tol: -1.0,
            ..KMeansConfig::new(2)
        },
        KMeansConfig {
            tol: f64::NAN,
            ..KMeansConfig::new(2)
        },
        KMeansConfig {
            init: Init::Given(vec![0.0; 5]),
            ..KMeansConfig::new(2)
        },
        KMeansConfig {
            init: Init::Given(vec![0.0, 1.0, f64::NAN, 2.0]),
            ..KMeansConfig::new(2)
        },
    ] {
        usage_err(kmeans(mat(&data, 20, 2), &cfg, &NoProgress).unwrap_err());
    }
    // data.len() != n * d: the matrix view cannot be made, so no kernel
    // ever sees a matrix whose shape disagrees with its values.
    assert!(ArrayView2::from_shape((21, 2), &data).is_err());
    usage_err(
        sweep(
            mat(&data, 20, 2),
            &[],
            &SweepConfig {
                silhouette_sample: 1,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    // Centres with another number of columns than the data; no centres.
    usage_err(assign_nearest(mat(&data, 20, 2), mat(&[0.0; 3], 1, 3)).unwrap_err());
    usage_err(assign_nearest(mat(&data, 20, 2), mat(&[], 0, 2)).unwrap_err());
}

#[test]
fn no_rows_or_no_columns_are_data_errors() {
    let m = data_err(kmeans(mat(&[], 0, 3), &KMeansConfig::new(2), &NoProgress).unwrap_err());
    assert!(m.contains("no rows"), "{m}");
    let m = data_err(kmeans(mat(&[], 5, 0), &KMeansConfig::new(2), &NoProgress).unwrap_err());
    assert!(m.contains("no features"), "{m}");
    data_err(sweep(mat(&[], 0, 3), &[], &SweepConfig::default(), &NoProgress).unwrap_err());
    data_err(sweep(mat(&[], 5, 0), &[], &SweepConfig::default(), &NoProgress).unwrap_err());
}

#[test]
fn nan_and_infinity_name_the_row_and_the_feature() {
    let mut data = grid(600);
    data[2 * 517 + 1] = f64::NAN;
    data[2 * 590] = f64::INFINITY;
    let names = vec!["recency".to_string(), "monetary".to_string()];
    let m = data_err(
        sweep(
            mat(&data, 600, 2),
            &names,
            &SweepConfig::default(),
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(
        m.contains("NaN")
            && m.contains("'monetary'")
            && m.contains("column 1")
            && m.contains("row 517"),
        "{m}"
    );
    let m = data_err(kmeans(mat(&data, 600, 2), &KMeansConfig::new(3), &NoProgress).unwrap_err());
    assert!(m.contains("column 1") && m.contains("row 517"), "{m}");
    data[2 * 517 + 1] = 1.0;
    let m = data_err(kmeans(mat(&data, 600, 2), &KMeansConfig::new(3), &NoProgress).unwrap_err());
    assert!(
        m.contains("infinite") && m.contains("column 0") && m.contains("row 590"),
        "{m}"
    );
    data_err(assign_nearest(mat(&data, 600, 2), mat(&[0.0; 4], 2, 2)).unwrap_err());
}

#[test]
fn fewer_rows_than_k_is_a_data_error() {
    let data = grid(3);
    let m = data_err(kmeans(mat(&data, 3, 2), &KMeansConfig::new(5), &NoProgress).unwrap_err());
    assert!(m.contains("only 3 row"), "{m}");
    let m = data_err(
        sweep(
            mat(&data, 3, 2),
            &[],
            &SweepConfig {
                fixed_k: Some(5),
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("only 3 row"), "{m}");
    // A sweep caps its range instead.
    let r = sweep(mat(&data, 3, 2), &[], &SweepConfig::default(), &NoProgress).unwrap();
    assert_eq!(r.k_max, 3);
    assert!(
        r.warnings.iter().any(|w| w.contains("only 3 rows")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn all_rows_identical_is_a_data_error() {
    let data = vec![1.5; 2 * 100];
    let m = data_err(kmeans(mat(&data, 100, 2), &KMeansConfig::new(2), &NoProgress).unwrap_err());
    assert!(m.contains("identical"), "{m}");
    let m = data_err(
        sweep(
            mat(&data, 100, 2),
            &[],
            &SweepConfig::default(),
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("identical"), "{m}");
    // K = 1 on identical rows is fine (one cluster, no error).
    let r = kmeans(mat(&data, 100, 2), &KMeansConfig::new(1), &NoProgress).unwrap();
    assert_eq!(r.inertia, 0.0);
}

#[test]
fn k_above_the_distinct_rows_is_a_data_error_for_a_fit() {
    // 100 rows, 3 distinct.
    let data: Vec<f64> = [0.0, 1.0, 2.0].iter().cycle().take(100).copied().collect();
    let m = data_err(kmeans(mat(&data, 100, 1), &KMeansConfig::new(4), &NoProgress).unwrap_err());
    assert!(m.contains("only 3 distinct row"), "{m}");
    let m = data_err(
        sweep(
            mat(&data, 100, 1),
            &[],
            &SweepConfig {
                fixed_k: Some(4),
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("only 3 distinct row"), "{m}");
    // -0.0 and 0.0 are the same value.
    let signed = [0.0, -0.0, 1.0, 1.0];
    data_err(kmeans(mat(&signed, 4, 1), &KMeansConfig::new(3), &NoProgress).unwrap_err());
    // A sweep whose whole range is above the distinct rows is an error too.
    let m = data_err(
        sweep(
            mat(&data, 100, 1),
            &[],
            &SweepConfig {
                k_min: 5,
                k_max: 8,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err(),
    );
    assert!(m.contains("distinct"), "{m}");
}
