//! Which stage a config change affects first: every option belongs to the
//! stage that reads it, and a change there makes that stage and every
//! later one stale (earlier outputs are kept).

use super::Step;
use crate::config::{ClusterOptions, RunConfig, limits};
use crate::pipeline::cluster::{SweepConfig, SweepResult};

/// The first stage whose output `new` would change, or `None` when the
/// two configs give the same results.
pub fn first_affected(old: &RunConfig, new: &RunConfig) -> Option<Step> {
    if old.input != new.input || old.input_sha256 != new.input_sha256 || old.load != new.load {
        Some(Step::Load)
    } else if old.mapping != new.mapping {
        Some(Step::Map)
    } else if old.aggregate != new.aggregate || old.clean.as_of != new.clean.as_of {
        // The aggregation measures recency and tenure from the as-of date.
        Some(Step::Prepare)
    } else if old.clean != new.clean {
        Some(Step::Clean)
    } else if old.features != new.features {
        Some(Step::Features)
    } else if old.seed != new.seed || sweep_options(&old.cluster) != sweep_options(&new.cluster) {
        Some(Step::Cluster)
    } else if old.cluster.k != new.cluster.k
        || old.cluster.stability_resamples != new.cluster.stability_resamples
        || old.cluster.stability_stop_when_settled != new.cluster.stability_stop_when_settled
        || old.labels != new.labels
    {
        // Another K of the same sweep, other labels or another stability
        // check: profile (and assess) again.
        Some(Step::Profile)
    } else {
        None
    }
}

/// The options of the sweep itself: a fixed K only picks among its fits
/// (when the sweep computed that K; [`super::Analysis::set_config`]
/// checks), and the stability check runs on the chosen K's segments.
fn sweep_options(c: &ClusterOptions) -> ClusterOptions {
    ClusterOptions {
        k: None,
        stability_resamples: 0,
        stability_stop_when_settled: true,
        ..c.clone()
    }
}

/// Whether `sweep`, made with the options `used`, still serves the options
/// `now` (both as `run::sweep_config` gives them): the same range,
/// restarts, seed and the rest, and the K asked for among its fits. A K
/// computed only because it was fixed outside the range is on the SSE
/// curve, so going back to the automatic K needs a sweep without it.
pub fn sweep_serves(used: &SweepConfig, sweep: &SweepResult, now: &SweepConfig) -> bool {
    let bare = |c: &SweepConfig| SweepConfig {
        fixed_k: None,
        ..c.clone()
    };
    if bare(used) != bare(now) {
        return false;
    }
    match (now.fixed_k, used.fixed_k) {
        (Some(k), _) => k >= limits::MIN_K && sweep.get(k).is_some(),
        (None, Some(k)) => (used.k_min..=used.k_max).contains(&k),
        (None, None) => true,
    }
}

/// Copies into `config` the options that `step` reads (the partition of
/// [`first_affected`]) from `edited`, leaving the others: the config of an
/// output made by that step alone from `edited` (the TUI's worker runs one
/// step per job while later options are still being edited).
pub fn take_options(step: Step, config: &mut RunConfig, edited: &RunConfig) {
    let c = config;
    match step {
        Step::Load => {
            c.input.clone_from(&edited.input);
            c.input_sha256.clone_from(&edited.input_sha256);
            c.load.clone_from(&edited.load);
        }
        Step::Map => c.mapping.clone_from(&edited.mapping),
        Step::Prepare => {
            c.aggregate.clone_from(&edited.aggregate);
            c.clean.as_of = edited.clean.as_of;
        }
        Step::Clean => {
            let as_of = c.clean.as_of;
            c.clean.clone_from(&edited.clean);
            c.clean.as_of = as_of;
        }
        Step::Features => c.features.clone_from(&edited.features),
        Step::Cluster => {
            let (k, resamples) = (c.cluster.k, c.cluster.stability_resamples);
            let stop = c.cluster.stability_stop_when_settled;
            c.seed = edited.seed;
            c.cluster.clone_from(&edited.cluster);
            c.cluster.k = k;
            c.cluster.stability_resamples = resamples;
            c.cluster.stability_stop_when_settled = stop;
        }
        Step::Profile => {
            c.cluster.k = edited.cluster.k;
            c.cluster.stability_resamples = edited.cluster.stability_resamples;
            c.cluster.stability_stop_when_settled = edited.cluster.stability_stop_when_settled;
            c.labels.clone_from(&edited.labels);
        }
    }
}
