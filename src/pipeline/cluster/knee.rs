//! Knee of a decreasing convex curve (the SSE / elbow curve) by the Kneedle
//! method (Satopää, Albrecht, Irwin, Raghavan, 2011), offline, as the `kneed`
//! package does it for `curve="convex", direction="decreasing"`:
//!
//! 1. normalise x and y to [0, 1];
//! 2. flip y (`y' = 1 − y`) so the elbow becomes a knee of a rising curve;
//! 3. difference curve `D = y' − x`;
//! 4. local maxima of `D` (`D[i] >= both neighbours`, the ends compared with
//!    themselves) get the threshold `T = D[max] − S × mean(Δx)`; a local minimum
//!    resets the threshold to 0;
//! 5. walking right from the first local maximum, the first time `D[i + 1]`
//!    drops below the current threshold, the last local maximum is the knee.
//!
//! [`find_knee`] adds what the product needs on top: the knee must be a
//! *clear* one — `D` at the knee at least [`MIN_KNEE_DIFFERENCE`] (a curve
//! that is within 1 % of a straight line has no knee) — and must not be the
//! first point.

/// Smallest value of the normalised difference curve at an accepted knee.
pub const MIN_KNEE_DIFFERENCE: f64 = 0.01;

/// Kneedle on a decreasing convex curve with sensitivity `s` (1.0 is the
/// usual choice). `x` must be strictly increasing and as long as `y`.
/// Returns the index of the knee, or `None` when Kneedle finds none.
pub fn kneedle(x: &[f64], y: &[f64], s: f64) -> Option<usize> {
    kneedle_with_difference(x, y, s).map(|(i, _)| i)
}

fn kneedle_with_difference(x: &[f64], y: &[f64], s: f64) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 3 || y.len() != n || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    if x.windows(2).any(|w| w[1] <= w[0]) {
        return None;
    }
    let norm = |v: &[f64]| -> Option<Vec<f64>> {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (hi > lo).then(|| v.iter().map(|&a| (a - lo) / (hi - lo)).collect())
    };
    let xn = norm(x)?;
    let yn = norm(y)?;
    let diff: Vec<f64> = yn
        .iter()
        .zip(&xn)
        .map(|(&yv, &xv)| (1.0 - yv) - xv)
        .collect();
    let at = |i: isize| diff[i.clamp(0, n as isize - 1) as usize];
    let is_max =
        |i: usize| at(i as isize) >= at(i as isize - 1) && at(i as isize) >= at(i as isize + 1);
    let is_min =
        |i: usize| at(i as isize) <= at(i as isize - 1) && at(i as isize) <= at(i as isize + 1);
    let first_max = (0..n).find(|&i| is_max(i))?;
    let step = (xn[n - 1] - xn[0]) / (n - 1) as f64; // mean of diff(x_normalised)
    let mut threshold = f64::NEG_INFINITY;
    let mut threshold_index = first_max;
    for i in first_max..n - 1 {
        if xn[i] == 1.0 {
            break;
        }
        if is_max(i) {
            threshold = diff[i] - s * step.abs();
            threshold_index = i;
        }
        if is_min(i) {
            threshold = 0.0;
        }
        if diff[i + 1] < threshold {
            return Some((threshold_index, diff[threshold_index]));
        }
    }
    None
}

/// The K at the knee of the SSE curve (`ks` ascending, `sse` the inertia for
/// each), by Kneedle with S = 1, or `None` when there is no clear knee (see
/// the module documentation).
pub fn find_knee(ks: &[usize], sse: &[f64]) -> Option<usize> {
    let x: Vec<f64> = ks.iter().map(|&k| k as f64).collect();
    let (i, d) = kneedle_with_difference(&x, sse, 1.0)?;
    (i > 0 && d >= MIN_KNEE_DIFFERENCE).then(|| ks[i])
}
