//! The report's trust sections: the structure verdict as the first
//! finding, the gap evidence of each K, and each segment's stability and
//! rule (see `pipeline::trust` and `pipeline::rules`).

use super::report::cell;
use crate::pipeline::cluster::{Choice, SweepResult};
use crate::pipeline::k_choice;
use crate::pipeline::rules::render::number;
use crate::pipeline::run::RunOutput;
use crate::pipeline::trust::{Trust, Verdict};
use std::fmt::Write;

/// "## Can these segments be trusted?": the verdict first, then its
/// evidence, the K's place in the range and the rules' fidelity.
pub fn findings_md(run: &RunOutput) -> String {
    let mut md = String::new();
    let Some(trust) = &run.profiles.trust else {
        return md;
    };
    let _ = writeln!(md, "## Can these segments be trusted?\n");
    let _ = writeln!(md, "{}\n", verdict_paragraph(trust));
    for r in &trust.structure.reasons {
        let _ = writeln!(md, "- {}", cell(r));
    }
    if trust.k_at_edge || (run.sweep.at_edge && run.pick.choice != Choice::Fixed) {
        let _ = writeln!(
            md,
            "- ⚠ K={} is the top of the swept K range ({}..{}) and segments still separated the \
             customers there: widen the range to see where they stop.",
            run.pick.k, run.sweep.k_min, run.sweep.k_max
        );
    }
    if let Some(r) = &trust.rules {
        let _ = writeln!(
            md,
            "- Each segment has a rule in the data's own units (below, and as SQL in `{}`): the \
             rules put {:.1}% of the customers in their segment, and the groups they make are \
             {:.2} times as spread out as the K-Means segments (1.00 = as tight).",
            crate::pipeline::rules::sql::RULES_SQL,
            r.agreement * 100.0,
            r.cost_ratio
        );
    }
    md.push('\n');
    md.push_str(&segment_table(run, trust));
    md
}

fn verdict_paragraph(trust: &Trust) -> String {
    match trust.structure.verdict {
        Verdict::Clear => format!(
            "**Structure: clear.** The {} segments are natural groups of customers: they are \
             separated, each comes back when the customers are resampled, and the data group \
             far more than structureless data would.",
            trust.k
        ),
        Verdict::Weak => format!(
            "**Structure: weak.** The {} segments are a convenient partition, not natural \
             groups: they overlap, so customers near a boundary could as well be in the next \
             segment. Use them to organise the customers, not as facts about them.",
            trust.k
        ),
        Verdict::None => format!(
            "**Structure: none.** The customers form no natural groups: the {} segments are a \
             convenient partition of one continuum, not natural groups. Treat them as bands to \
             work with, not as discovered customer types.",
            trust.k
        ),
    }
}

/// One row per segment: label, size, stability and its reading, rule.
fn segment_table(run: &RunOutput, trust: &Trust) -> String {
    let mut md = String::from(
        "| Segment | Label | Customers | Stability | Reading | Rule |\n|---:|---|---:|---:|---|---|\n",
    );
    for s in &run.profiles.segments {
        let id = s.id as usize;
        let (value, reading) = match trust.stability_of(id) {
            Some(st) => (
                crate::pipeline::trust::Band::shown(st.jaccard),
                st.band.words().to_string(),
            ),
            None => ("–".into(), "not measured".into()),
        };
        let _ = writeln!(
            md,
            "| {id} | {} | {} | {value} | {reading} | {} |",
            cell(&s.label),
            super::report::human(s.size as f64),
            trust.rule_of(id).map_or("–".into(), |r| cell(&r.text)),
        );
    }
    if let Some(st) = &trust.stability {
        let _ = writeln!(
            md,
            "\nStability is the mean Jaccard similarity of the segment to its best match when \
             K-Means is fitted again on {} bootstrap resamples of {} customers (Hennig's \
             clusterboot): below 0.6 do not trust, 0.6–0.75 a pattern whose membership is \
             doubtful, from 0.75 stable, from 0.85 highly stable.{}",
            st.resamples,
            number(st.rows as f64),
            if st.stopped_early {
                format!(
                    " The check stopped there, of at most {}, once the 95% interval of every \
                     segment's stability lay inside one of these bands.",
                    st.planned
                )
            } else {
                String::new()
            }
        );
    }
    md.push('\n');
    md
}

/// The gap columns of the K table: header cells, and the cells of `k`.
pub fn k_table_header() -> (&'static str, &'static str) {
    (" Gap | Gap step |", "---:|---:|")
}

/// The gap and gap step of `k` as table cells (a clear step in bold).
pub fn k_table_cells(sweep: &SweepResult, k: usize) -> String {
    let Some(gap) = &sweep.gap else {
        return " – | – |".into();
    };
    let strong = k_choice::strong_steps(gap, sweep.k_min, sweep.k_max)
        .into_iter()
        .any(|s| s.0 == k && s.1);
    let value = gap.get(k).map_or("–".into(), |p| format!("{:.3}", p.gap));
    let step = gap.gain(k).map_or("–".into(), |g| {
        if strong {
            format!("**{g:+.3}**")
        } else {
            format!("{g:+.3}")
        }
    });
    format!(" {value} | {step} |")
}

/// What the gap columns mean, under the K table.
pub fn k_table_note(sweep: &SweepResult) -> Option<String> {
    let gap = sweep.gap.as_ref()?;
    Some(format!(
        "Gap: how much tighter the segments are than those of structureless data of the same \
         shape (the gap statistic, {} reference sets of {} points in the data's principal-axes \
         box). Gap step: the gain of each K over K − 1; **bold** steps separate the customers \
         clearly (at least a third of the best step). K is the last clear step before two \
         weak ones, so a wider range gives the same K.",
        gap.references,
        number(gap.rows as f64)
    ))
}

/// A segment's rule and stability, closing its section of the report.
pub fn segment_md(run: &RunOutput, id: usize) -> String {
    let mut md = String::new();
    let Some(trust) = &run.profiles.trust else {
        return md;
    };
    if let Some(r) = trust.rule_of(id) {
        let _ = writeln!(md, "\n**Rule:** {}\n", cell(&r.text));
    }
    if let Some(st) = trust.stability_of(id) {
        let _ = writeln!(
            md,
            "**Stability:** {:.2} ± {:.2}, {} (dissolved in {} of {} resamples).\n",
            st.jaccard,
            st.margin,
            st.band.words(),
            st.dissolved,
            st.resamples
        );
    }
    md
}
