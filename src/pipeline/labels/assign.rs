//! Which segment gets which label: the top segment first, then an optimal
//! one-to-one assignment by fit, numerals for repeats.

use super::*;

/// One segment's automatic label, before the user's edits.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub name: String,
    pub action: String,
    pub reason: String,
}

/// Labels every segment (`stats[c]` are segment c's feature statistics,
/// `columns[c]` its profile-only columns, which may be empty).
pub fn assign(
    scheme: LabelScheme,
    stats: &[Vec<FeatureStat>],
    columns: &[Vec<ColumnStat>],
    sizes: &[usize],
) -> Vec<Labelled> {
    let set = label_set(scheme);
    let k = stats.len();
    let signals: Vec<Signals> = stats
        .iter()
        .enumerate()
        .map(|(c, s)| Signals {
            stats: s,
            columns: columns.get(c).map_or(&[], Vec::as_slice),
        })
        .collect();
    // score, or None when the gate fails or the fit is below FIT_MIN.
    let fit: Vec<Vec<Option<f64>>> = signals
        .iter()
        .map(|s| {
            set.iter()
                .map(|l| {
                    let v = (l.score)(s);
                    ((l.gate)(s) && v >= FIT_MIN && v.is_finite()).then_some(v)
                })
                .collect()
        })
        .collect();
    let mut chosen: Vec<Option<usize>> = vec![None; k];
    let top = top_segment(scheme, stats, sizes);
    if let Some(c) = top
        && fit[c].first().copied().flatten().is_some()
    {
        chosen[c] = Some(0);
    }
    let rows: Vec<usize> = (0..k).filter(|&c| chosen[c].is_none()).collect();
    let cols: Vec<usize> = (0..set.len())
        .filter(|l| !chosen.contains(&Some(*l)))
        .collect();
    for (r, col) in hungarian_labels(&rows, &cols, &fit).into_iter().enumerate() {
        chosen[rows[r]] = col;
    }
    let mut reuse: BTreeMap<usize, usize> = BTreeMap::new();
    (0..k)
        .map(|c| {
            let scores = scores_text(set, &signals[c]);
            match chosen[c] {
                Some(l) => Labelled {
                    name: set[l].name.to_string(),
                    action: set[l].action.to_string(),
                    reason: if top == Some(c) && l == 0 {
                        format!(
                            "highest median value of all segments, and it fits the top label; fit {scores}"
                        )
                    } else {
                        format!("best overall fit (optimal assignment); fit {scores}")
                    },
                },
                None => second_holder(set, &fit[c], &mut reuse, &stats[c], &scores),
            }
        })
        .collect()
}

/// A segment without a label of its own: its best fitting label again
/// with a numeral, else a descriptive name.
pub(super) fn second_holder(
    set: &[LabelDef],
    fit: &[Option<f64>],
    reuse: &mut BTreeMap<usize, usize>,
    stats: &[FeatureStat],
    scores: &str,
) -> Labelled {
    let best = (0..fit.len())
        .filter_map(|l| fit[l].map(|v| (l, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    match best {
        Some((l, _)) => {
            let n = reuse.entry(l).or_insert(1);
            *n += 1;
            Labelled {
                name: format!("{} {}", set[l].name, roman(*n)),
                action: set[l].action.to_string(),
                reason: format!(
                    "fits '{}', which a segment that fits it better holds; fit {scores}",
                    set[l].name
                ),
            }
        }
        None => Labelled {
            name: descriptive_name(stats),
            action: descriptive_action(stats),
            reason: if set.is_empty() {
                "named after its most distinctive traits".to_string()
            } else {
                format!(
                    "no label fits (each needs a fit of at least {FIT_MIN} and its conditions); fit {scores}; named after its traits"
                )
            },
        },
    }
}

/// "VIP=+1.85, Potential=-0.40 (no), ..." for the reason.
pub(super) fn scores_text(set: &[LabelDef], s: &Signals) -> String {
    if set.is_empty() {
        return String::new();
    }
    set.iter()
        .map(|l| {
            let v = (l.score)(s);
            format!(
                "{}={v:+.2}{}",
                short_label(l.name),
                if (l.gate)(s) { "" } else { " (ruled out)" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The segment with the highest median Balance (else Monetary), for the
/// top label of the bank and RFM sets.
pub(super) fn top_segment(
    scheme: LabelScheme,
    stats: &[Vec<FeatureStat>],
    sizes: &[usize],
) -> Option<usize> {
    if !matches!(scheme, LabelScheme::Bank | LabelScheme::Rfm) {
        return None;
    }
    let value_of = |c: usize, name: &str| {
        stats[c]
            .iter()
            .find(|f| f.feature == name)
            .map(|f| f.median)
    };
    let name = [names::BALANCE, names::MONETARY].into_iter().find(|n| {
        stats
            .first()
            .is_some_and(|s| s.iter().any(|f| f.feature == *n))
    })?;
    (0..stats.len())
        .filter(|&c| sizes[c] > 0)
        .filter_map(|c| value_of(c, name).filter(|v| v.is_finite()).map(|v| (c, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(c, _)| c)
}

/// Optimal one-to-one assignment of `rows` (segments) to `cols` (labels)
/// or to no label, maximising the summed fit; `fit[row][label]` is None
/// where the label is not allowed. Returns the label of each row.
pub(super) fn hungarian_labels(
    rows: &[usize],
    cols: &[usize],
    fit: &[Vec<Option<f64>>],
) -> Vec<Option<usize>> {
    let (n, m) = (rows.len(), cols.len() + rows.len());
    if n == 0 {
        return Vec::new();
    }
    // Columns: the labels, then one "no label" slot per row (cost 0).
    // A label that is not allowed costs more than any assignment can save.
    let forbidden = 1e9;
    let cost = |r: usize, c: usize| -> f64 {
        if c < cols.len() {
            fit[rows[r]][cols[c]].map_or(forbidden, |v| -v)
        } else {
            0.0
        }
    };
    hungarian(n, m, cost)
        .into_iter()
        .zip(rows)
        .map(|(c, &r)| cols.get(c).copied().filter(|&l| fit[r][l].is_some()))
        .collect()
}

/// Minimum-cost assignment of n rows to distinct columns among m >= n
/// (Hungarian algorithm with potentials, O(n²m)). Returns each row's column.
pub fn hungarian(n: usize, m: usize, cost: impl Fn(usize, usize) -> f64) -> Vec<usize> {
    assert!(n <= m, "hungarian: more rows than columns");
    let inf = f64::INFINITY;
    // 1-based as in the classic formulation; p[j] = row matched to column j.
    let (mut u, mut v) = (vec![0.0; n + 1], vec![0.0; m + 1]);
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0usize;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![0usize; n];
    for j in 1..=m {
        if p[j] > 0 {
            out[p[j] - 1] = j - 1;
        }
    }
    out
}

/// "VIP" for "High-Value Customers (VIP)", "Stable" for "Stable
/// Customers", "At Risk" (not "At") for "At Risk".
pub(super) fn short_label(label: &str) -> &str {
    if let Some(inner) = label.split_once('(').and_then(|(_, r)| r.split_once(')')) {
        return inner.0;
    }
    let first = label.split([' ', '/']).next().unwrap_or(label);
    if first.len() > 3 {
        return first;
    }
    // A short first word needs the second one.
    match label.match_indices([' ', '/']).nth(1) {
        Some((end, _)) => &label[..end],
        None => label,
    }
}

pub(super) fn roman(n: usize) -> String {
    const R: [&str; 15] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV",
    ];
    R.get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |s| s.to_string())
}
