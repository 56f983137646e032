//! Inspect: per-segment statistics in original units, the distinguishing
//! features, categorical splits, and a label with a recommended action.
//!
//! Labels come from a documented scoring rule over the centroid z-scores of the
//! template features (see [`bank_scores`] and [`rfm_scores`]); the assignment of
//! labels to segments maximises the total score over all segments at once, so a
//! label goes to the segment it fits best, not the first one that fits.

use crate::pipeline::table::TextColumn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Template feature names the scoring rules look for.
pub mod names {
    pub const RECENCY: &str = "Recency";
    pub const FREQUENCY: &str = "Frequency";
    pub const MONETARY: &str = "Monetary";
    pub const TENURE: &str = "Tenure";
    pub const PRODUCT_DEPTH: &str = "Product_Depth";
    pub const AGE: &str = "Age";
    pub const BALANCE: &str = "Balance";
}

/// Which family of labels to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelScheme {
    /// Bank scheme when its features exist, RFM when only R/F/M do, else descriptive.
    #[default]
    Auto,
    Bank,
    Rfm,
    Descriptive,
}

impl std::str::FromStr for LabelScheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(LabelScheme::Auto),
            "bank" => Ok(LabelScheme::Bank),
            "rfm" => Ok(LabelScheme::Rfm),
            "descriptive" | "generic" => Ok(LabelScheme::Descriptive),
            _ => Err(format!(
                "unknown label scheme '{s}' (auto, bank, rfm, descriptive)"
            )),
        }
    }
}

/// A user's edit of one segment's label or action (TUI rename, RunConfig).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelOverride {
    pub label: Option<String>,
    pub action: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelOptions {
    pub scheme: LabelScheme,
    /// Segment number (0-based) -> label/action edits.
    pub overrides: BTreeMap<u32, LabelOverride>,
    /// Label -> action, replacing the built-in recommendation for that label.
    pub actions: BTreeMap<String, String>,
}

/// One feature's statistics within a segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureStat {
    pub feature: String,
    pub mean: f64,
    pub median: f64,
    /// Centroid position in standard deviations from the overall mean.
    pub z: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    pub value: String,
    pub count: usize,
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    pub id: u32,
    pub label: String,
    pub action: String,
    /// Why this label: the rule's score for it, in words.
    pub label_reason: String,
    pub size: usize,
    pub share: f64,
    pub features: Vec<FeatureStat>,
    /// Feature names, most distinctive first (largest |z|).
    pub distinguishing: Vec<String>,
    /// Named categorical splits: "gender", "branch", "age band".
    pub categories: BTreeMap<String, Vec<CategoryShare>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    pub scheme: LabelScheme,
    pub segments: Vec<SegmentProfile>,
}

/// What profiling needs: the features in both units and the segment of each row.
pub struct ProfileInput<'a> {
    pub feature_names: &'a [String],
    /// n × d, original units (after imputation, before transforms).
    pub original: &'a [f64],
    /// n × d, standardised.
    pub scaled: &'a [f64],
    pub n: usize,
    pub d: usize,
    pub labels: &'a [u32],
    pub k: usize,
    pub gender: Option<&'a TextColumn>,
    pub branch: Option<&'a TextColumn>,
    /// Ages in years (NaN when unknown), for age bands.
    pub age: Option<&'a [f64]>,
}

/// Profiles and labels every segment.
pub fn profile(input: &ProfileInput, opts: &LabelOptions) -> Profiles {
    let (n, d, k) = (input.n, input.d, input.k);
    let mut sizes = vec![0usize; k];
    let mut sums = vec![0.0f64; k * d];
    let mut zsums = vec![0.0f64; k * d];
    for i in 0..n {
        let c = input.labels[i] as usize;
        sizes[c] += 1;
        for j in 0..d {
            sums[c * d + j] += input.original[i * d + j];
            zsums[c * d + j] += input.scaled[i * d + j];
        }
    }
    let medians = segment_medians(input, &sizes);
    let centroid_z: Vec<Vec<f64>> = (0..k)
        .map(|c| {
            (0..d)
                .map(|j| zsums[c * d + j] / sizes[c].max(1) as f64)
                .collect()
        })
        .collect();

    let scheme = resolve_scheme(opts.scheme, input.feature_names);
    let labelled = assign_labels(scheme, input.feature_names, &centroid_z);

    let segments = (0..k)
        .map(|c| {
            let features: Vec<FeatureStat> = (0..d)
                .map(|j| FeatureStat {
                    feature: input.feature_names[j].clone(),
                    mean: sums[c * d + j] / sizes[c].max(1) as f64,
                    median: medians[c * d + j],
                    z: centroid_z[c][j],
                })
                .collect();
            let mut order: Vec<usize> = (0..d).collect();
            order.sort_by(|&a, &b| {
                centroid_z[c][b]
                    .abs()
                    .total_cmp(&centroid_z[c][a].abs())
                    .then(a.cmp(&b))
            });
            let distinguishing = order
                .iter()
                .map(|&j| input.feature_names[j].clone())
                .collect();
            let (mut label, reason) = labelled[c].clone();
            let mut action = opts
                .actions
                .get(&label)
                .cloned()
                .unwrap_or_else(|| default_action(&label, &centroid_z[c], input.feature_names));
            if let Some(o) = opts.overrides.get(&(c as u32)) {
                if let Some(l) = &o.label {
                    label = l.clone();
                    if let Some(a) = opts.actions.get(l) {
                        action = a.clone();
                    }
                }
                if let Some(a) = &o.action {
                    action = a.clone();
                }
            }
            SegmentProfile {
                id: c as u32,
                label,
                action,
                label_reason: reason,
                size: sizes[c],
                share: sizes[c] as f64 / n.max(1) as f64,
                features,
                distinguishing,
                categories: category_splits(input, c as u32),
            }
        })
        .collect();
    Profiles { scheme, segments }
}

/// Medians per segment and feature, one segment at a time to bound memory.
fn segment_medians(input: &ProfileInput, sizes: &[usize]) -> Vec<f64> {
    let (n, d, k) = (input.n, input.d, input.k);
    let mut out = vec![f64::NAN; k * d];
    let mut buf: Vec<f64> = Vec::with_capacity(sizes.iter().copied().max().unwrap_or(0));
    for c in 0..k {
        for j in 0..d {
            buf.clear();
            buf.extend(
                (0..n)
                    .filter(|&i| input.labels[i] as usize == c)
                    .map(|i| input.original[i * d + j]),
            );
            out[c * d + j] = median_in_place(&mut buf);
        }
    }
    out
}

/// Median (mean of the two middle values for even counts); NaN when empty.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    crate::pipeline::clean::median_in_place(v).unwrap_or(f64::NAN)
}

fn category_splits(input: &ProfileInput, c: u32) -> BTreeMap<String, Vec<CategoryShare>> {
    let mut out = BTreeMap::new();
    let rows = || (0..input.n).filter(move |&i| input.labels[i] == c);
    for (name, column, top) in [
        ("gender", input.gender, 5usize),
        ("branch", input.branch, 3),
    ] {
        if let Some(col) = column {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for i in rows() {
                *counts.entry(col.get(i).unwrap_or("(missing)")).or_default() += 1;
            }
            out.insert(name.to_string(), top_shares(counts, top));
        }
    }
    if let Some(age) = input.age {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for i in rows() {
            *counts.entry(age_band(age[i])).or_default() += 1;
        }
        let mut shares = top_shares(counts, usize::MAX);
        shares.sort_by_key(|s| {
            AGE_BANDS
                .iter()
                .position(|b| *b == s.value)
                .unwrap_or(usize::MAX)
        });
        out.insert("age band".to_string(), shares);
    }
    out
}

const AGE_BANDS: [&str; 7] = [
    "<25",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65+",
    "(missing)",
];

fn age_band(age: f64) -> &'static str {
    match age {
        a if a.is_nan() => AGE_BANDS[6],
        a if a < 25.0 => AGE_BANDS[0],
        a if a < 35.0 => AGE_BANDS[1],
        a if a < 45.0 => AGE_BANDS[2],
        a if a < 55.0 => AGE_BANDS[3],
        a if a < 65.0 => AGE_BANDS[4],
        _ => AGE_BANDS[5],
    }
}

fn top_shares(counts: BTreeMap<&str, usize>, top: usize) -> Vec<CategoryShare> {
    let total: usize = counts.values().sum();
    let mut v: Vec<CategoryShare> = counts
        .into_iter()
        .map(|(value, count)| CategoryShare {
            value: value.to_string(),
            count,
            share: count as f64 / total.max(1) as f64,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    v.truncate(top);
    v
}

fn has(names: &[String], wanted: &str) -> bool {
    names.iter().any(|n| n == wanted)
}

/// Auto: bank labels when value and activity can both be judged, RFM when
/// only recency/frequency/monetary exist, otherwise descriptive names.
pub fn resolve_scheme(scheme: LabelScheme, features: &[String]) -> LabelScheme {
    if scheme != LabelScheme::Auto {
        return scheme;
    }
    let value = has(features, names::BALANCE) || has(features, names::MONETARY);
    let activity = has(features, names::FREQUENCY) || has(features, names::RECENCY);
    let rfm_only = features
        .iter()
        .all(|f| [names::RECENCY, names::FREQUENCY, names::MONETARY].contains(&f.as_str()));
    if rfm_only && features.len() >= 2 {
        LabelScheme::Rfm
    } else if value && activity {
        LabelScheme::Bank
    } else {
        LabelScheme::Descriptive
    }
}

/// The bank scheme's labels with their scoring rules, over centroid z-scores
/// (missing features count as 0 = average):
/// - VIP: value (mean z of Balance and Monetary) + ½ Product_Depth
/// - Potential: youth (−Age) + newness (−Tenure), ½ each, + ⅓ activity − ⅓ value
/// - Stable: Tenure + ½ Product_Depth − ½ |activity|
/// - Active: Frequency + ½ Monetary − ½ Recency
/// - Dormant: Recency − Frequency − ½ value
pub const BANK_LABELS: [&str; 5] = [
    "High-Value Customers (VIP)",
    "Potential Customers",
    "Stable Customers",
    "Active Transaction Customers",
    "Dormant / Churn-Warning Customers",
];

pub const RFM_LABELS: [&str; 5] = [
    "Champions",
    "Loyal",
    "Potential Loyalists",
    "At Risk",
    "Lost",
];

/// Fit of one centroid to each bank label, in [`BANK_LABELS`] order.
pub fn bank_scores(z: &dyn Fn(&str) -> f64) -> [f64; 5] {
    let value = mean_present(&[z(names::BALANCE), z(names::MONETARY)]);
    let activity = (z(names::FREQUENCY) - z(names::RECENCY)) / 2.0;
    [
        value + 0.5 * z(names::PRODUCT_DEPTH),
        0.5 * (-z(names::AGE)) + 0.5 * (-z(names::TENURE)) + activity / 3.0 - value / 3.0,
        z(names::TENURE) + 0.5 * z(names::PRODUCT_DEPTH) - 0.5 * activity.abs(),
        z(names::FREQUENCY) + 0.5 * z(names::MONETARY) - 0.5 * z(names::RECENCY),
        z(names::RECENCY) - z(names::FREQUENCY) - 0.5 * value,
    ]
}

/// Fit of one centroid to each RFM label, in [`RFM_LABELS`] order
/// (R is recency in days, so a low R is good).
/// - Champions: −R + F + M;  Loyal: F + ½ M;  Potential Loyalists: −R − ½ F;
/// - At Risk: R + ½ F + ½ M;  Lost: R − F − M
pub fn rfm_scores(z: &dyn Fn(&str) -> f64) -> [f64; 5] {
    let (r, f, m) = (z(names::RECENCY), z(names::FREQUENCY), z(names::MONETARY));
    [
        -r + f + m,
        f + 0.5 * m,
        -r - 0.5 * f,
        r + 0.5 * f + 0.5 * m,
        r - f - m,
    ]
}

fn mean_present(v: &[f64]) -> f64 {
    // Absent features were passed as exact zeros; average over the rest.
    let present: Vec<f64> = v.iter().copied().filter(|x| *x != 0.0).collect();
    if present.is_empty() {
        0.0
    } else {
        present.iter().sum::<f64>() / present.len() as f64
    }
}

/// (label, reason) per segment.
fn assign_labels(
    scheme: LabelScheme,
    features: &[String],
    centroid_z: &[Vec<f64>],
) -> Vec<(String, String)> {
    let lookup = |c: usize| {
        move |name: &str| {
            features
                .iter()
                .position(|f| f == name)
                .map_or(0.0, |j| centroid_z[c][j])
        }
    };
    let (labels, scores): (&[&str; 5], Vec<[f64; 5]>) = match scheme {
        LabelScheme::Bank | LabelScheme::Auto => (
            &BANK_LABELS,
            (0..centroid_z.len())
                .map(|c| bank_scores(&lookup(c)))
                .collect(),
        ),
        LabelScheme::Rfm => (
            &RFM_LABELS,
            (0..centroid_z.len())
                .map(|c| rfm_scores(&lookup(c)))
                .collect(),
        ),
        LabelScheme::Descriptive => {
            return centroid_z
                .iter()
                .map(|z| {
                    (
                        descriptive_name(features, z),
                        "named after its most distinctive features".into(),
                    )
                })
                .collect();
        }
    };
    let assignment = optimal_assignment(&scores);
    let mut reuse_count: BTreeMap<usize, usize> = BTreeMap::new();
    assignment
        .iter()
        .enumerate()
        .map(|(c, &(label, unique))| {
            let base = labels[label];
            let name = if unique {
                base.to_string()
            } else {
                let n = reuse_count.entry(label).or_insert(1);
                *n += 1;
                format!("{base} {}", roman(*n))
            };
            let reason = format!(
                "scores {}; best overall fit{}",
                labels
                    .iter()
                    .zip(scores[c])
                    .map(|(l, s)| format!("{}={s:+.2}", short_label(l)))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unique {
                    ""
                } else {
                    " (label shared: more segments than labels)"
                }
            );
            (name, reason)
        })
        .collect()
}

fn short_label(label: &str) -> &str {
    label.split([' ', '/']).next().unwrap_or(label)
}

fn roman(n: usize) -> String {
    const R: [&str; 15] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV",
    ];
    R.get(n - 1)
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// Labels for segments: each of the 5 labels at most once, chosen to maximise
/// the total score (exhaustive: at most C(k,5)·5! candidates, tiny for k ≤ 15).
/// With more segments than labels, the rest take their best label again.
/// Returns (label index, is the unique holder) per segment.
pub fn optimal_assignment(scores: &[[f64; 5]]) -> Vec<(usize, bool)> {
    let k = scores.len();
    let mut search = AssignmentSearch {
        scores,
        slots: k.min(5),
        current: vec![None; k],
        used: [false; 5],
        best_total: f64::NEG_INFINITY,
        best: vec![None; k],
    };
    search.run(0, 0, 0.0);
    search
        .best
        .iter()
        .enumerate()
        .map(|(c, b)| match b {
            Some(l) => (*l, true),
            None => {
                let l = (0..5)
                    .max_by(|&a, &b| scores[c][a].total_cmp(&scores[c][b]).then(b.cmp(&a)))
                    .unwrap_or(0);
                (l, false)
            }
        })
        .collect()
}

/// Exhaustive search state: which segments hold which unique label.
struct AssignmentSearch<'a> {
    scores: &'a [[f64; 5]],
    slots: usize,
    current: Vec<Option<usize>>,
    used: [bool; 5],
    best_total: f64,
    best: Vec<Option<usize>>,
}

impl AssignmentSearch<'_> {
    fn run(&mut self, seg: usize, assigned: usize, total: f64) {
        if assigned == self.slots {
            // Strictly better only: ties keep the earlier (lexicographically first) assignment.
            if total > self.best_total + 1e-12 {
                self.best_total = total;
                self.best.clone_from(&self.current);
            }
            return;
        }
        if self.scores.len() - seg < self.slots - assigned {
            return;
        }
        for l in 0..5 {
            if !self.used[l] {
                self.used[l] = true;
                self.current[seg] = Some(l);
                self.run(seg + 1, assigned + 1, total + self.scores[seg][l]);
                self.current[seg] = None;
                self.used[l] = false;
            }
        }
        // This segment takes no unique label.
        self.run(seg + 1, assigned, total);
    }
}

/// "High cash advance · Low full-payment ratio" from the two largest |z|.
pub fn descriptive_name(features: &[String], z: &[f64]) -> String {
    let mut order: Vec<usize> = (0..z.len()).collect();
    order.sort_by(|&a, &b| z[b].abs().total_cmp(&z[a].abs()).then(a.cmp(&b)));
    let parts: Vec<String> = order
        .iter()
        .take(2)
        .filter(|&&j| z[j].abs() >= 0.5)
        .map(|&j| {
            format!(
                "{} {}",
                if z[j] > 0.0 { "High" } else { "Low" },
                humanise(&features[j])
            )
        })
        .collect();
    if parts.is_empty() {
        "Average profile".to_string()
    } else {
        parts.join(" · ")
    }
}

/// "CASH_ADVANCE" -> "cash advance", "PRCFULLPAYMENT" stays readable lower-case.
/// At most 48 characters: a label goes into every scored row and must fit
/// the saved model's bound on labels (`model_check::MAX_LABEL_CHARS`).
fn humanise(name: &str) -> String {
    let name: String = match name.char_indices().nth(48) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    };
    let spaced: String = name.replace(['_', '-'], " ");
    if spaced.chars().any(|c| c.is_lowercase()) || !spaced.is_ascii() {
        spaced
    } else {
        spaced.to_lowercase()
    }
}

/// The built-in recommendation for a label.
pub fn default_action(label: &str, z: &[f64], features: &[String]) -> String {
    let base = BANK_LABELS
        .iter()
        .chain(RFM_LABELS.iter())
        .find(|l| label.starts_with(**l))
        .copied()
        .unwrap_or("");
    match base {
        "High-Value Customers (VIP)" => {
            "Assign a dedicated relationship manager; offer wealth-management, private-banking and premium card products."
        }
        "Potential Customers" => {
            "Cross-sell a credit card or personal loan and a regular savings plan; nurture with digital onboarding offers."
        }
        "Stable Customers" => "Reward loyalty: term deposits, loyalty points and bundled fee waivers to keep balances in.",
        "Active Transaction Customers" => {
            "Offer transaction-fee packages, mobile-banking and payment upsells; promote cards with cash-back on spend."
        }
        "Dormant / Churn-Warning Customers" => {
            "Run a win-back and retention campaign: reactivation offers, a service call, and fee reviews before they leave."
        }
        "Champions" => "Reward them: early access, premium tiers and referral programmes.",
        "Loyal" => "Upsell higher-value products; ask for reviews and referrals.",
        "Potential Loyalists" => "Offer membership or loyalty programmes and personalised recommendations.",
        "At Risk" => "Send personalised reactivation offers and reach out before they lapse.",
        "Lost" => "Low-cost win-back campaign; otherwise deprioritise.",
        _ => {
            let _ = (z, features);
            "Review this segment's distinguishing features and design a targeted offer."
        }
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median_in_place(&mut []).is_nan());
    }

    #[test]
    fn bank_labels_go_to_the_segments_they_describe() {
        let f = names(&[
            "Recency",
            "Frequency",
            "Monetary",
            "Tenure",
            "Product_Depth",
            "Age",
            "Balance",
        ]);
        // Centroids (z): VIP, young potential, stable, active, dormant — listed out of order.
        let dormant = vec![2.0, -1.2, -0.8, 0.0, -0.5, 0.2, -0.7];
        let vip = vec![-0.3, 0.3, 1.0, 0.8, 1.5, 0.9, 2.2];
        let active = vec![-0.9, 2.0, 1.2, 0.0, 0.2, -0.2, 0.1];
        let potential = vec![-0.2, 0.2, -0.5, -1.3, -0.8, -1.4, -0.6];
        let stable = vec![0.1, -0.3, -0.2, 1.2, 0.4, 0.6, 0.2];
        let z = vec![dormant, vip, active, potential, stable];
        let got: Vec<String> = assign_labels(LabelScheme::Bank, &f, &z)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(
            got,
            [
                "Dormant / Churn-Warning Customers",
                "High-Value Customers (VIP)",
                "Active Transaction Customers",
                "Potential Customers",
                "Stable Customers"
            ]
        );
    }

    #[test]
    fn assignment_is_optimal_not_greedy() {
        // Greedy (segment 0 takes its best label first) would give 0->A, 1->B = 10 + 1.
        // Optimal: 0->B, 1->A = 9 + 9.
        let scores = [[10.0, 9.0, -5.0, -5.0, -5.0], [9.0, 1.0, -5.0, -5.0, -5.0]];
        assert_eq!(optimal_assignment(&scores), [(1, true), (0, true)]);
    }

    #[test]
    fn more_segments_than_labels_reuse_with_a_qualifier() {
        let f = names(&["Recency", "Frequency", "Balance", "Tenure"]);
        let mut z = vec![
            vec![2.0, -1.0, -1.0, 0.0],
            vec![-1.0, 2.0, 0.0, 0.0],
            vec![0.0, 0.0, 2.0, 0.0],
            vec![0.0, 0.0, -0.5, -1.5],
            vec![0.0, 0.0, 0.0, 2.0],
        ];
        z.push(vec![1.9, -1.1, -1.0, 0.1]); // a second dormant-looking segment
        let got: Vec<String> = assign_labels(LabelScheme::Bank, &f, &z)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        let unique: std::collections::BTreeSet<&String> = got.iter().collect();
        assert_eq!(unique.len(), 6, "{got:?}");
        assert!(got.iter().any(|l| l.ends_with(" II")), "{got:?}");
        assert!(
            got.iter().filter(|l| l.starts_with("Dormant")).count() == 2,
            "{got:?}"
        );
    }

    #[test]
    fn rfm_scheme_when_only_rfm_features_exist() {
        let f = names(&["Recency", "Frequency", "Monetary"]);
        assert_eq!(resolve_scheme(LabelScheme::Auto, &f), LabelScheme::Rfm);
        let z = vec![
            vec![-1.0, 1.5, 1.5],   // champions
            vec![1.5, -1.0, -1.0],  // lost
            vec![1.0, 1.0, 1.0],    // at risk
            vec![0.0, 1.2, 0.2],    // loyal
            vec![-1.2, -0.6, -0.4], // potential loyalists
        ];
        let got: Vec<String> = assign_labels(LabelScheme::Rfm, &f, &z)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(
            got,
            [
                "Champions",
                "Lost",
                "At Risk",
                "Loyal",
                "Potential Loyalists"
            ]
        );
    }

    #[test]
    fn descriptive_names_for_other_tables() {
        let f = names(&["BALANCE", "CASH_ADVANCE", "PRC_FULL_PAYMENT"]);
        assert_eq!(
            resolve_scheme(LabelScheme::Auto, &names(&["CASH_ADVANCE", "PURCHASES"])),
            LabelScheme::Descriptive
        );
        assert_eq!(
            descriptive_name(&f, &[0.2, 1.8, -0.9]),
            "High cash advance · Low prc full payment"
        );
        assert_eq!(descriptive_name(&f, &[0.1, 0.2, -0.3]), "Average profile");
    }

    #[test]
    fn profile_reports_original_units_shares_and_overrides() {
        let f = names(&["Balance", "Frequency"]);
        let original = [100.0, 1.0, 300.0, 3.0, 1000.0, 20.0, 1200.0, 30.0];
        let scaled = [-1.0, -1.0, -0.8, -0.9, 0.9, 0.9, 1.0, 1.0];
        let labels = [0, 0, 1, 1];
        let gender = TextColumn::from_values([Some("M"), Some("F"), Some("F"), None]);
        let ages = [22.0, 30.0, 50.0, f64::NAN];
        let input = ProfileInput {
            feature_names: &f,
            original: &original,
            scaled: &scaled,
            n: 4,
            d: 2,
            labels: &labels,
            k: 2,
            gender: Some(&gender),
            branch: None,
            age: Some(&ages),
        };
        let mut opts = LabelOptions::default();
        opts.overrides.insert(
            1,
            LabelOverride {
                label: Some("Top tier".into()),
                action: None,
            },
        );
        let p = profile(&input, &opts);
        assert_eq!(p.scheme, LabelScheme::Bank);
        let s0 = &p.segments[0];
        assert_eq!((s0.size, s0.share), (2, 0.5));
        assert_eq!(s0.features[0].mean, 200.0);
        assert_eq!(s0.features[0].median, 200.0);
        assert!((s0.features[1].z - (-0.95)).abs() < 1e-12);
        assert_eq!(s0.categories["gender"].len(), 2);
        assert_eq!(s0.categories["age band"][0].value, "<25");
        assert_eq!(p.segments[1].label, "Top tier");
        assert_eq!(p.segments[1].categories["gender"][0].value, "(missing)");
    }
}
