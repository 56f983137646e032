//! `migration.md`: the comparison in a CRM team's words — who moved where
//! (biggest flows first, what each means and what to do), which segments
//! matched, how the sizes and the segments' features drifted.

use super::{Comparison, flows, psi_band};
use crate::escape;
use crate::pipeline::export::tables::rounded;
use std::fmt::Write as _;

/// Flows listed in the report (the CSV holds every customer).
const FLOWS_SHOWN: usize = 15;
/// Features listed per segment in the drift section.
const DRIFT_FEATURES: usize = 5;

pub fn migration_md(c: &Comparison) -> String {
    let mut s = String::new();
    let md = |t: &str| escape::markdown(t).into_owned();
    let _ = writeln!(
        s,
        "# Segments over time\n\nEarlier run: `{}` ({} customers). Later run: `{}` ({} customers). Customers matched by `{}`.\n",
        md(&c.old.shown),
        c.old.len(),
        md(&c.new.shown),
        c.new.len(),
        md(&c.old.id_column)
    );
    summary(&mut s, c);
    matching(&mut s, c);
    flow_table(&mut s, c);
    size_drift(&mut s, c);
    feature_drift(&mut s, c);
    s
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

fn summary(s: &mut String, c: &Comparison) {
    let both = c.moved + c.stayed;
    let _ = writeln!(
        s,
        "## Summary\n\n- In both runs: {both}; **moved to another segment: {} ({})**, stayed: {} ({}).\n- Left (in the earlier run only): {}. Entered (in the later run only): {}.",
        c.moved,
        pct(c.moved, both),
        c.stayed,
        pct(c.stayed, both),
        c.left_total(),
        c.entered_total()
    );
    match c.psi {
        Some(p) => {
            let _ = writeln!(s, "- Segment sizes: PSI {} — {}.", rounded(p), psi_band(p));
        }
        None => {
            let _ = writeln!(
                s,
                "- Segment sizes: PSI not defined (a run has no customers)."
            );
        }
    }
    if both == 0 {
        let _ = writeln!(
            s,
            "- **No customer is in both runs**: check that both files use the same customer ids."
        );
    }
    s.push('\n');
}

fn matching(s: &mut String, c: &Comparison) {
    s.push_str("## How the segments were matched\n\n");
    if c.same_model {
        s.push_str("Both runs were numbered by the same model: a segment keeps its number.\n\n");
    } else {
        let _ = writeln!(
            s,
            "The later run is a new model. Each of its segment centres was carried into the earlier model's scaled space ({} features in common) and paired with the earlier centres by an optimal assignment (Hungarian algorithm) of the distances; a pair further apart than half the way to the earlier segment's nearest neighbour is no match.\n",
            c.matched_on.len()
        );
    }
    s.push_str("| Segment | Earlier run | Later run | Match |\n|---|---|---|---|\n");
    for id in &c.identities {
        let side = |x: &Option<(u32, String)>| {
            x.as_ref().map_or("–".to_string(), |(n, l)| {
                format!("{n} {}", escape::markdown(l))
            })
        };
        let how = match (&id.old, &id.new, id.distance) {
            (Some(_), Some(_), Some(d)) if c.same_model || d == 0.0 => "same".to_string(),
            (Some(_), Some(_), Some(d)) => format!("matched (distance {})", rounded(d)),
            (Some(_), None, _) => "**vanished**".into(),
            (None, Some(_), _) => "**new**".into(),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {how} |",
            escape::markdown(&id.name()),
            side(&id.old),
            side(&id.new)
        );
    }
    s.push('\n');
}

fn flow_table(s: &mut String, c: &Comparison) {
    let all = flows(c);
    let _ = writeln!(
        s,
        "## Biggest movements\n\n{} movements between segments{}.\n",
        all.len(),
        if all.len() > FLOWS_SHOWN {
            format!(", the {FLOWS_SHOWN} biggest below (every customer is in migration.csv)")
        } else {
            String::new()
        }
    );
    if all.is_empty() {
        s.push_str("No customer changed segment.\n\n");
        return;
    }
    s.push_str("| From | To | Customers | Share of from | What it means | Suggested action |\n|---|---|---|---|---|---|\n");
    for f in all.iter().take(FLOWS_SHOWN) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1}% | {} | {} |",
            escape::markdown(&c.identities[f.from].name()),
            escape::markdown(&c.identities[f.to].name()),
            f.count,
            100.0 * f.share,
            f.kind.meaning(),
            f.kind.action()
        );
    }
    s.push('\n');
}

fn size_drift(s: &mut String, c: &Comparison) {
    let (no, nn) = (c.old.len(), c.new.len());
    s.push_str("## Segment sizes\n\nPSI (population stability index) of the segment shares: under 0.1 stable, 0.1 to 0.25 a moderate shift worth watching, 0.25 or more a major shift (re-check the segments and their actions).\n\n");
    s.push_str(
        "| Segment | Earlier | Later | Change | Left | Entered |\n|---|---|---|---|---|---|\n",
    );
    for (i, id) in c.identities.iter().enumerate() {
        let share = |a: usize, n: usize| if n == 0 { 0.0 } else { a as f64 / n as f64 };
        let change = 100.0 * (share(c.new_sizes[i], nn) - share(c.old_sizes[i], no));
        let _ = writeln!(
            s,
            "| {} | {} ({}) | {} ({}) | {:+.1} pts | {} | {} |",
            escape::markdown(&id.name()),
            c.old_sizes[i],
            pct(c.old_sizes[i], no),
            c.new_sizes[i],
            pct(c.new_sizes[i], nn),
            change,
            c.left[i],
            c.entered[i]
        );
    }
    s.push('\n');
}

fn feature_drift(s: &mut String, c: &Comparison) {
    s.push_str("## How each segment changed\n\n");
    if c.drift.is_empty() {
        s.push_str("Not measured: a run given as a scored file holds no feature values (compare two run folders to see it).\n");
        return;
    }
    let _ = writeln!(
        s,
        "Mean of each feature in original units, earlier vs later; the change is in standard deviations of the earlier run (the {DRIFT_FEATURES} biggest per segment).\n"
    );
    for d in &c.drift {
        let _ = writeln!(
            s,
            "### {}\n\n| Feature | Earlier mean | Later mean | Change (SD) |\n|---|---|---|---|",
            escape::markdown(&c.identities[d.identity].name())
        );
        for f in d.features.iter().take(DRIFT_FEATURES) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:+.2} |",
                escape::markdown(&f.feature),
                rounded(f.old_mean),
                rounded(f.new_mean),
                f.effect
            );
        }
        s.push('\n');
    }
}
