//! The one rule that chooses K from a sweep, used by the sweep itself and
//! by [`crate::pipeline::analysis::Analysis`] when K is moved or set back
//! to automatic after the sweep (the TUI's Cluster screen): a fixed K wins;
//! else the knee of the SSE curve inside the range; else the best
//! silhouette inside the range; else the smallest K of the range.

use crate::error::{Error, Result};
use crate::pipeline::cluster::{Choice, KResult, SweepResult};

/// A chosen K, how it was chosen, and the reason in words.
#[derive(Clone, Debug, PartialEq)]
pub struct KPick {
    pub k: usize,
    pub choice: Choice,
    pub reason: String,
}

impl KPick {
    /// K fixed by the user.
    pub fn fixed(k: usize) -> KPick {
        KPick {
            k,
            choice: Choice::Fixed,
            reason: "fixed by the user".to_string(),
        }
    }

    /// The choice the sweep made itself.
    pub fn of_sweep(sweep: &SweepResult) -> KPick {
        KPick {
            k: sweep.chosen_k,
            choice: sweep.choice,
            reason: sweep.reason.clone(),
        }
    }
}

/// The automatic choice over `results` for the range `k_min..=k_max`,
/// given the knee of the SSE curve (if clear).
pub fn auto(results: &[KResult], knee: Option<usize>, k_min: usize, k_max: usize) -> KPick {
    let in_range = |k: usize| (k_min..=k_max).contains(&k);
    if let Some(kk) = knee.filter(|&kk| in_range(kk)) {
        return KPick {
            k: kk,
            choice: Choice::Knee,
            reason: format!("knee of the SSE curve (Kneedle) at K={kk}"),
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
        },
        None => KPick {
            k: k_min,
            choice: Choice::Smallest,
            reason: format!(
                "no clear knee in the SSE curve and no silhouette defined; smallest K of the range (K={k_min})"
            ),
        },
    }
}

/// The automatic choice over a finished sweep (whatever K it was run with).
pub fn auto_of(sweep: &SweepResult) -> KPick {
    auto(&sweep.results, sweep.knee, sweep.k_min, sweep.k_max)
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
