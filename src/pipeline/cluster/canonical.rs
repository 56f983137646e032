//! Canonical segment numbers: K-Means numbers its clusters in the order
//! its seeding happened to find them, so the same data fitted with another
//! seed or restart gave the same segments other numbers. Every fit is
//! renumbered here, once, right after it is made (before the metrics,
//! profiles, labels and outputs): segments in decreasing order of their
//! centre on the first feature, then the second, and so on (coordinates
//! rounded to 1e-9 so float noise between equal fits cannot reorder them).

use super::KMeansResult;

/// The canonical order of the fit's clusters: `order[new] = old`.
pub fn canonical_order(fit: &KMeansResult) -> Vec<usize> {
    let d = fit.d;
    let key = |c: usize| -> Vec<f64> {
        fit.centres[c * d..(c + 1) * d]
            .iter()
            .map(|x| (x * 1e9).round() / 1e9)
            .collect()
    };
    let keys: Vec<Vec<f64>> = (0..fit.k).map(key).collect();
    let mut order: Vec<usize> = (0..fit.k).collect();
    order.sort_by(|&a, &b| {
        keys[b]
            .iter()
            .zip(&keys[a])
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    order
}

/// Renumbers the fit's clusters in place into the canonical order.
pub fn renumber(fit: &mut KMeansResult) {
    let order = canonical_order(fit);
    if order.iter().enumerate().all(|(i, &o)| i == o) {
        return;
    }
    let d = fit.d;
    let mut new_of_old = vec![0u8; fit.k];
    for (new, &old) in order.iter().enumerate() {
        new_of_old[old] = new as u8;
    }
    fit.centres = order
        .iter()
        .flat_map(|&o| fit.centres[o * d..(o + 1) * d].to_vec())
        .collect();
    fit.sizes = order.iter().map(|&o| fit.sizes[o]).collect();
    for l in &mut fit.labels {
        *l = new_of_old[*l as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(centres: Vec<f64>, labels: Vec<u8>) -> KMeansResult {
        let k = centres.len() / 2;
        let mut sizes = vec![0; k];
        for &l in &labels {
            sizes[l as usize] += 1;
        }
        KMeansResult {
            k,
            d: 2,
            centres,
            labels,
            sizes,
            inertia: 0.0,
            n_iter: 1,
            converged: true,
            n_init: 1,
            best_restart: 0,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn any_numbering_of_the_same_clusters_becomes_the_same() {
        let a = fit(vec![0.0, 1.0, 2.0, 0.0, 2.0, 5.0], vec![0, 1, 2, 2, 1]);
        // The same clusters numbered 2, 0, 1.
        let b = fit(vec![2.0, 5.0, 0.0, 1.0, 2.0, 0.0], vec![1, 2, 0, 0, 2]);
        let (mut a, mut b) = (a, b);
        renumber(&mut a);
        renumber(&mut b);
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.centres, b.centres);
        assert_eq!(a.sizes, b.sizes);
        // Highest first coordinate first, the second breaking the tie.
        assert_eq!(a.centres, vec![2.0, 5.0, 2.0, 0.0, 0.0, 1.0]);
        assert_eq!(a.labels, vec![2, 1, 0, 0, 1]);
    }
}
