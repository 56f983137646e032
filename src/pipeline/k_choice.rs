//! The one rule that chooses K from a sweep, used by the sweep itself and
//! by [`crate::pipeline::analysis::Analysis`] when K is moved or set back
//! to automatic after the sweep (the TUI's Cluster screen).
//!
//! A fixed K wins. Otherwise, with the gap statistic (the default, see
//! [`crate::pipeline::trust::gap`]), K is where extra segments stop paying:
//!
//! 1. the *gain* of K is `Gap(K) − Gap(K − 1)`: how much more the K-th
//!    segment shrinks the spread within segments than an extra cut of
//!    structureless data of the same shape would;
//! 2. a step is *strong* when its gain is at least [`STRONG_SHARE`] of the
//!    largest gain in the range and above the noise of the references
//!    ([`NOISE_SE`] standard errors);
//! 3. K is the first strong step's K, moved on to each later strong step
//!    until [`WEAK_RUN`] weak steps come in a row: the last K before the
//!    curve goes flat.
//!
//! Each decision reads only the steps up to two past the K it settles on,
//! so every range that holds those gives the same K: 2..8 and 2..15 agree,
//! and so does 2..6 unless the flat part starts beyond 6. When the last K
//! of the range is still a strong step, that K is chosen and marked
//! [`KPick::at_edge`]: the faces suggest a wider range. When no step is
//! strong, nothing in the data separates customers better than structure-
//! less data would, and the smallest K of the range is taken (the verdict
//! then says there are no natural segments).
//!
//! Without the gap statistic (`gap_references = 0`) the older rule runs:
//! the knee of the SSE curve inside the range, else the best silhouette
//! inside the range, else the smallest K; it can move with the range.

use crate::error::{Error, Result};
use crate::pipeline::cluster::{Choice, KResult, SweepResult};
use crate::pipeline::trust::gap::GapCurve;

/// A step counts as strong from this share of the largest gain on.
pub const STRONG_SHARE: f64 = 1.0 / 3.0;
/// A strong step's gain is also above this many of its standard errors.
pub const NOISE_SE: f64 = 3.0;
/// Weak steps in a row that end the search.
pub const WEAK_RUN: usize = 2;

/// A chosen K, how it was chosen, and the reason in words.
#[derive(Clone, Debug, PartialEq)]
pub struct KPick {
    pub k: usize,
    pub choice: Choice,
    pub reason: String,
    /// K is the last of the swept range and segments still paid there: a
    /// wider range may find a larger K.
    pub at_edge: bool,
}

impl KPick {
    /// K fixed by the user.
    pub fn fixed(k: usize) -> KPick {
        KPick {
            k,
            choice: Choice::Fixed,
            reason: "fixed by the user".to_string(),
            at_edge: false,
        }
    }

    /// The choice the sweep made itself.
    pub fn of_sweep(sweep: &SweepResult) -> KPick {
        KPick {
            k: sweep.chosen_k,
            choice: sweep.choice,
            reason: sweep.reason.clone(),
            at_edge: sweep.at_edge,
        }
    }
}

/// The automatic choice over `results` for the range `k_min..=k_max`:
/// by the gap curve when there is one, else by the knee of the SSE curve
/// (if clear) and the silhouette.
pub fn auto(
    results: &[KResult],
    knee: Option<usize>,
    gap: Option<&GapCurve>,
    k_min: usize,
    k_max: usize,
) -> KPick {
    match gap {
        Some(g) => by_gap(g, results, k_min, k_max),
        None => by_knee(results, knee, k_min, k_max),
    }
}

/// Whether the step to `k` is strong (see the module documentation).
fn strong(gap: &GapCurve, k: usize, largest: f64) -> bool {
    match (gap.gain(k), gap.gain_se(k)) {
        (Some(g), Some(se)) => g >= STRONG_SHARE * largest && g > NOISE_SE * se && g > 0.0,
        _ => false,
    }
}

/// The largest gain of the steps to a K of the range.
pub fn largest_gain(gap: &GapCurve, k_min: usize, k_max: usize) -> Option<f64> {
    (k_min..=k_max)
        .filter_map(|k| gap.gain(k))
        .fold(None, |m: Option<f64>, g| Some(m.map_or(g, |m| m.max(g))))
}

/// Whether each K of the range is a strong step (for the evidence shown).
pub fn strong_steps(gap: &GapCurve, k_min: usize, k_max: usize) -> Vec<(usize, bool)> {
    let largest = largest_gain(gap, k_min, k_max).unwrap_or(0.0);
    (k_min..=k_max)
        .filter(|&k| gap.get(k).is_some())
        .map(|k| (k, strong(gap, k, largest)))
        .collect()
}

/// The gap rule (see the module documentation).
fn by_gap(gap: &GapCurve, results: &[KResult], k_min: usize, k_max: usize) -> KPick {
    let steps = strong_steps(gap, k_min, k_max);
    let Some(first) = steps.iter().find(|s| s.1).map(|s| s.0) else {
        return KPick {
            k: k_min,
            choice: Choice::Smallest,
            reason: format!(
                "no number of segments separates the customers better than structureless data \
                 of the same shape would (gap statistic); smallest K of the range (K={k_min})"
            ),
            at_edge: false,
        };
    };
    let mut k = first;
    for &(kk, is_strong) in steps.iter().filter(|s| s.0 > first) {
        if is_strong {
            k = kk;
        } else if kk - k >= WEAK_RUN {
            break;
        }
    }
    // At the top of the range with every segment made of identical
    // customers, the data hold no more (the range was capped there).
    let total = results.first().map_or(0.0, |r| r.fit.inertia);
    let exhausted = results
        .iter()
        .any(|r| r.k == k && r.fit.inertia <= 1e-12 * total);
    let at_edge = k == k_max && !exhausted;
    let after: Vec<String> = steps
        .iter()
        .filter(|s| s.0 > k)
        .take(WEAK_RUN)
        .map(|s| format!("K={}", s.0))
        .collect();
    let reason = if exhausted {
        format!(
            "the last step that separates the customers clearly is to K={k}, where each \
             segment holds identical customers: the data hold no more (gap statistic)"
        )
    } else if at_edge {
        format!(
            "segments still separate the customers clearly at K={k}, the top of the range \
             (gap statistic); a wider range may find more"
        )
    } else {
        format!(
            "the last step that separates the customers clearly is to K={k}; {} add{} little \
             (gap statistic: under a third of the best step)",
            after.join(" and "),
            if after.len() == 1 { "s" } else { "" }
        )
    };
    KPick {
        k,
        choice: Choice::Knee,
        reason,
        at_edge,
    }
}

/// The older rule: the knee of the SSE curve, else the best silhouette,
/// else the smallest K, all within the range.
fn by_knee(results: &[KResult], knee: Option<usize>, k_min: usize, k_max: usize) -> KPick {
    let in_range = |k: usize| (k_min..=k_max).contains(&k);
    if let Some(kk) = knee.filter(|&kk| in_range(kk)) {
        return KPick {
            k: kk,
            choice: Choice::Knee,
            reason: format!("knee of the SSE curve (Kneedle) at K={kk}"),
            at_edge: false,
        };
    }
    let best = results
        .iter()
        .filter(|r| in_range(r.k))
        .filter_map(|r| r.metrics.silhouette.map(|s| (r.k, s)))
        .fold(None, |b: Option<(usize, f64)>, (k, s)| match b {
            Some((_, bs)) if bs >= s => b,
            _ => Some((k, s)),
        });
    match best {
        Some((k, s)) => KPick {
            k,
            choice: Choice::BestSilhouette,
            reason: format!(
                "no clear knee in the SSE curve; K={k} has the best silhouette ({s:.2})"
            ),
            at_edge: false,
        },
        None => KPick {
            k: k_min,
            choice: Choice::Smallest,
            reason: format!(
                "no clear knee in the SSE curve and no silhouette defined; smallest K of the range (K={k_min})"
            ),
            at_edge: false,
        },
    }
}

/// The top of the wider range to suggest when K sits at the top `k_max`
/// of the range: twice as far, at least four more, within the limit.
pub fn wider_top(k_max: usize) -> usize {
    (k_max * 2).max(k_max + 4).min(crate::config::limits::MAX_K)
}

/// The automatic choice over a finished sweep (whatever K it was run with).
pub fn auto_of(sweep: &SweepResult) -> KPick {
    auto(
        &sweep.results,
        sweep.knee,
        sweep.gap.as_ref(),
        sweep.k_min,
        sweep.k_max,
    )
}

/// The K whose segments a run shows: `fixed` when the user set one (it
/// must be among the sweep's K), else the sweep's own choice, or the
/// automatic one when the sweep ran with a fixed K since unset.
pub fn pick(sweep: &SweepResult, fixed: Option<usize>) -> Result<KPick> {
    match fixed {
        Some(k) if sweep.get(k).is_some() => Ok(KPick::fixed(k)),
        Some(k) => Err(Error::usage(format!(
            "K={k} was not computed by the sweep (K range {}..{})",
            sweep.k_min, sweep.k_max
        ))),
        None => Ok(auto_pick(sweep)),
    }
}

/// The automatic K of a sweep: its own choice, or the rule applied again
/// when it ran with a fixed K.
pub fn auto_pick(sweep: &SweepResult) -> KPick {
    if sweep.choice == Choice::Fixed {
        auto_of(sweep)
    } else {
        KPick::of_sweep(sweep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::trust::gap::{GapPoint, ReferenceBox};

    /// A gap curve for K = 1.. with these gains (Gap(1) = 0.5) and a small
    /// reference error.
    fn curve(gains: &[f64]) -> GapCurve {
        let mut gap = 0.5;
        let mut points = vec![GapPoint {
            k: 1,
            log_w: 0.0,
            reference_log_w: 0.0,
            gap,
            se: 0.005,
        }];
        for (i, g) in gains.iter().enumerate() {
            gap += g;
            points.push(GapPoint {
                k: i + 2,
                log_w: 0.0,
                reference_log_w: 0.0,
                gap,
                se: 0.005,
            });
        }
        GapCurve {
            points,
            references: 10,
            rows: 1000,
            reference_box: ReferenceBox::PrincipalAxes,
        }
    }

    fn narrowed(g: &GapCurve, top: usize) -> GapCurve {
        let mut g = g.clone();
        g.points.retain(|p| p.k <= top);
        g
    }

    #[test]
    fn the_last_clear_step_before_two_weak_ones_whatever_the_range() {
        // Gains of K = 2..15 shaped like the bundled samples': a weak step
        // to 4 between clear ones, then flat.
        let g = curve(&[
            0.28, 0.32, 0.07, 0.17, 0.06, 0.03, 0.01, 0.0, 0.0, 0.01, 0.0, -0.01, 0.0, 0.0,
        ]);
        for top in 6..=15 {
            let pick = auto(&[], None, Some(&narrowed(&g, top)), 2, top);
            assert_eq!(
                (pick.k, pick.choice, pick.at_edge),
                (5, Choice::Knee, false),
                "2..{top}"
            );
        }
        // 2..5: K=5 is the top and still a clear step.
        let pick = auto(&[], None, Some(&narrowed(&g, 5)), 2, 5);
        assert_eq!((pick.k, pick.at_edge), (5, true), "{}", pick.reason);
        assert!(pick.reason.contains("the top of the range"));
    }

    #[test]
    fn no_clear_step_is_no_structure_and_the_smallest_k() {
        let g = curve(&[-0.05, -0.02, -0.01, 0.0, -0.01, -0.01, -0.02, -0.01, -0.01]);
        let pick = auto(&[], Some(4), Some(&g), 2, 10);
        assert_eq!(
            (pick.k, pick.choice),
            (2, Choice::Smallest),
            "{}",
            pick.reason
        );
        // Gains within the references' noise are no structure either.
        let g = curve(&[0.01, 0.012, 0.005, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(auto(&[], None, Some(&g), 2, 10).choice, Choice::Smallest);
    }

    #[test]
    fn a_single_weak_step_does_not_end_the_search() {
        // 2, 3 clear; 4 weak; 5 clear; 6, 7 weak -> 5. Two weak steps
        // between clear ones end it: 2 clear; 3, 4 weak; 5 clear -> 2.
        let g = curve(&[0.3, 0.3, 0.05, 0.2, 0.02, 0.01, 0.0, 0.0, 0.0]);
        assert_eq!(auto(&[], None, Some(&g), 2, 10).k, 5);
        let g = curve(&[0.3, 0.05, 0.05, 0.3, 0.02, 0.01, 0.0, 0.0, 0.0]);
        assert_eq!(auto(&[], None, Some(&g), 2, 10).k, 2);
    }
}
