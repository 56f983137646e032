//! The trust checks (structure verdict, K evidence, stability, rules) in
//! the headless face's words: the summary's sentences and `--json`'s
//! evidence per K. The pipeline computes them (`pipeline::trust`,
//! `pipeline::rules`, `pipeline::k_choice`); this words them, naming flags.

use crate::pipeline::cluster::{Choice, SweepResult};
use crate::pipeline::k_choice;
use crate::pipeline::run::RunOutput;
use crate::pipeline::trust::{Trust, Verdict};
use serde_json::json;
use std::fmt::Write as _;

/// Adds the gap evidence of `k` to its `--json` sweep entry.
pub fn add_evidence(point: &mut serde_json::Value, sweep: &SweepResult, k: usize) {
    let Some(gap) = &sweep.gap else { return };
    let Some(p) = gap.get(k) else { return };
    let strong = k_choice::strong_steps(gap, sweep.k_min, sweep.k_max)
        .into_iter()
        .find(|s| s.0 == k)
        .map(|s| s.1);
    point["gap"] = json!(p.gap);
    point["gap_se"] = json!(p.se);
    point["gap_gain"] = json!(gap.gain(k));
    point["separates_clearly"] = json!(strong);
}

/// The verdict as the summary's plain sentence, with what it means for
/// the user and what to do.
pub fn verdict_sentence(trust: &Trust) -> String {
    match trust.structure.verdict {
        Verdict::Clear => format!(
            "Structure: clear. The {} segments are natural groups: separated, stable when the \
             customers are resampled, and more than structureless data would give.",
            trust.k
        ),
        Verdict::Weak => format!(
            "Structure: weak. The {} segments are a convenient partition, not natural groups: \
             customers near a boundary could as well be in the next segment, so use them as a \
             way to organise the customers, not as facts about them.",
            trust.k
        ),
        Verdict::None => format!(
            "Structure: none. The customers form no natural groups; the {} segments are a \
             convenient partition of one continuum, not natural groups. Treat them as bands to \
             work with (or fix the number with --k), not as discovered customer types.",
            trust.k
        ),
    }
}

/// The structure section of the summary: the verdict, its reasons and the
/// rules' fidelity.
pub fn summary_section(run: &RunOutput) -> String {
    let mut s = String::new();
    let Some(trust) = &run.profiles.trust else {
        return s;
    };
    let _ = writeln!(s, "\n{}", verdict_sentence(trust));
    for r in &trust.structure.reasons {
        let _ = writeln!(s, "  - {r}");
    }
    if let Some(st) = &trust.stability {
        let early = if st.stopped_early {
            format!(
                ", stopped early of at most {} as every segment's band was settled \
                 (--stability-every-resample runs them all)",
                st.planned
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  (stability: mean Jaccard over {} bootstrap resamples of {} customers{early}; \
             --stability-resamples N changes the most, 0 turns it off)",
            st.resamples, st.rows
        );
    }
    if let Some(r) = &trust.rules {
        let _ = writeln!(
            s,
            "  Rules: each segment's rule below puts {:.1}% of the customers in their segment \
             (rules' SSE {:.2}x K-Means'); segment_rules.sql has them as SQL.",
            r.agreement * 100.0,
            r.cost_ratio
        );
    }
    s
}

/// What to do about the K when it sits at the edge of the range, in flags.
pub fn edge_hint(run: &RunOutput) -> Option<String> {
    if !(run.sweep.at_edge && run.pick.choice != Choice::Fixed) {
        return None;
    }
    let (lo, hi) = (run.sweep.k_min, run.sweep.k_max);
    Some(format!(
        "K={hi} is the top of the swept range {lo}..{hi} and segments still separated the \
         customers there: widen it (e.g. --k-range {lo}..{}) to see where they stop",
        k_choice::wider_top(hi)
    ))
}

/// A segment's stability and rule for its summary lines.
pub fn segment_lines(trust: &Trust, id: usize) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(st) = trust.stability_of(id) {
        lines.push(format!(
            "stability {} ±{:.2} ({}{})",
            crate::pipeline::trust::Band::shown(st.jaccard),
            st.margin,
            st.band.words(),
            if st.dissolved > 0 {
                format!(
                    "; dissolved in {} of {} resamples",
                    st.dissolved, st.resamples
                )
            } else {
                String::new()
            }
        ));
    }
    if let Some(r) = trust.rule_of(id) {
        lines.push(format!("rule: {}", r.text));
    }
    lines
}

/// Adds the trust checks to the `--json` summary: `structure`,
/// `k_at_edge`, `stability` (and why not: `stability_not_measured`), `rules`, and each segment's `stability`,
/// `stability_band`, `rule` and `rule_conditions`.
pub fn add_to_json(summary: &mut serde_json::Value, run: &RunOutput) {
    summary["k_at_edge"] = json!(run.sweep.at_edge && run.pick.choice != Choice::Fixed);
    let Some(trust) = &run.profiles.trust else {
        return;
    };
    summary["structure"] = json!(trust.structure);
    summary["stability"] = json!(trust.stability.as_ref().map(|s| json!({
        "resamples": s.resamples,
        "planned": s.planned,
        "stopped_early": s.stopped_early,
        "customers": s.rows,
    })));
    summary["stability_not_measured"] = json!(trust.stability_not_measured);
    summary["rules"] = json!(trust.rules.as_ref().map(|r| json!({
        "method": "IMM threshold tree",
        "agreement": r.agreement,
        "cost_ratio": r.cost_ratio,
        "sample": r.sample,
    })));
    let Some(segments) = summary["segments"].as_array_mut() else {
        return;
    };
    for seg in segments {
        let Some(id) = seg["id"].as_u64().map(|i| i as usize) else {
            continue;
        };
        let st = trust.stability_of(id);
        let rule = trust.rule_of(id);
        seg["stability"] = json!(st.map(|x| x.jaccard));
        seg["stability_band"] = json!(st.map(|x| x.band));
        seg["stability_margin"] = json!(st.map(|x| x.margin));
        seg["rule"] = json!(rule.map(|r| &r.text));
        seg["rule_conditions"] = json!(rule.map(|r| &r.conditions));
    }
}

/// The gap and gap-step cells of K's row in the summary's K table.
pub fn gap_cells(sweep: &SweepResult, k: usize) -> String {
    let Some(gap) = &sweep.gap else {
        return format!("{:>7} {:>9}", "-", "-");
    };
    let strong = k_choice::strong_steps(gap, sweep.k_min, sweep.k_max)
        .into_iter()
        .any(|s| s.0 == k && s.1);
    let value = gap
        .get(k)
        .map_or("-".to_string(), |p| format!("{:.3}", p.gap));
    let step = gap.gain(k).map_or("-".to_string(), |g| {
        format!("{g:+.3}{}", if strong { "*" } else { " " })
    });
    format!("{value:>7} {step:>9}")
}

/// A warning when the segments are not natural groups, naming what to do.
pub fn structure_warning(run: &RunOutput) -> Option<String> {
    let trust = run.profiles.trust.as_ref()?;
    let what = match trust.structure.verdict {
        Verdict::Clear => return None,
        Verdict::Weak => "weak",
        Verdict::None => "none",
    };
    Some(format!(
        "structure {what}: the {} segments are a convenient partition, not natural groups \
         (see Structure below; --k N fixes the number of segments if a partition is what you need)",
        trust.k
    ))
}
