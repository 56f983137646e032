//! Kneedle on textbook curves (expected knees from the `kneed` package, see
//! make_fixtures.py) and curves without a knee.

use crate::cluster_util;

use cluster_util::*;
use custseg::pipeline::cluster::{find_knee, kneedle};

#[test]
fn knees_match_the_kneed_package() {
    let fx = sklearn_fixture();
    let curves = fx["kneedle"].as_array().unwrap();
    assert!(curves.len() >= 5);
    for c in curves {
        let x = f64s(&c["x"]);
        let y = f64s(&c["y"]);
        let want = c["knee"].as_u64().map(|v| v as usize);
        let got = kneedle(&x, &y, 1.0).map(|i| x[i] as usize);
        assert_eq!(got, want, "curve {}", c["name"]);
    }
}

#[test]
fn textbook_elbow_by_hand() {
    // y = 100, 60, 30, 10, 9, ..., 4 over K = 1..10. Normalised:
    // x' = (K-1)/9, y' = (y-4)/96; difference D = (1 - y') - x':
    //   K=2: 1 - 56/96 - 1/9 = 0.3056;  K=3: 1 - 26/96 - 2/9 = 0.5069
    //   K=4: 1 -  6/96 - 3/9 = 0.6042 (first local maximum)
    //   threshold = 0.6042 - S * mean(Δx') = 0.6042 - 1/9 = 0.4931
    //   K=5: 1 - 5/96 - 4/9 = 0.5035 >= 0.4931, go on;
    //   K=6: 1 - 4/96 - 5/9 = 0.4028 <  0.4931 -> knee at K=4.
    let ks: Vec<usize> = (1..=10).collect();
    let sse = [100.0, 60.0, 30.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0];
    assert_eq!(find_knee(&ks, &sse), Some(4));
}

#[test]
fn straight_line_has_no_knee() {
    let ks: Vec<usize> = (1..=10).collect();
    let sse: Vec<f64> = ks.iter().map(|&k| 1000.0 - 37.5 * k as f64).collect();
    assert_eq!(find_knee(&ks, &sse), None);
    // A nearly straight line (within 1 %) has no clear knee either.
    let bent: Vec<f64> = ks
        .iter()
        .map(|&k| 1000.0 - 37.5 * k as f64 + if k == 5 { -3.0 } else { 0.0 })
        .collect();
    assert_eq!(find_knee(&ks, &bent), None);
}

#[test]
fn degenerate_curves_have_no_knee() {
    assert_eq!(find_knee(&[1, 2], &[10.0, 5.0]), None);
    assert_eq!(find_knee(&[1, 2, 3, 4], &[5.0, 5.0, 5.0, 5.0]), None);
    assert_eq!(find_knee(&[1, 2, 3], &[5.0, f64::NAN, 1.0]), None);
    assert_eq!(kneedle(&[1.0, 1.0, 2.0], &[3.0, 2.0, 1.0], 1.0), None);
    // Concave decreasing (falls faster and faster): the only "knee" is K=1, not accepted.
    let ks: Vec<usize> = (1..=8).collect();
    let sse: Vec<f64> = ks.iter().map(|&k| 100.0 - (k * k) as f64).collect();
    assert_eq!(find_knee(&ks, &sse), None);
}

#[test]
fn uneven_k_spacing_is_handled() {
    // K = 1 then 4..=10 (k_min = 4): the elbow at 5 is still found.
    let ks = [1, 4, 5, 6, 7, 8, 9, 10];
    let sse = [1000.0, 400.0, 100.0, 95.0, 90.0, 86.0, 83.0, 80.0];
    assert_eq!(find_knee(&ks, &sse), Some(5));
}
