//! The report's analyst sections: which columns the hygiene rules kept out
//! of the clustering and why, what Features did to money columns
//! (sentinels, winsorising, signed logs, indicator weights), what drives
//! the segments, and each segment's profile compared with everyone in
//! original units.

use super::report::{cell, human};
use crate::pipeline::features::{FeatureReport, Transform, WinsorReason};
use crate::pipeline::mapping::ColumnUse;
use crate::pipeline::profile::{
    Direction, FeatureStat, Profiles, SegmentProfile, TINY_SEGMENT_SHARE, comparison,
};
use crate::remedy::Remedy;
use std::fmt::Write;

fn use_word(u: ColumnUse) -> &'static str {
    match u {
        ColumnUse::Feature => "feature",
        ColumnUse::Profile => "profile only",
        ColumnUse::Ignore => "ignored",
    }
}

/// The hygiene rules' decisions, with how to override each.
pub fn hygiene_md(report: &FeatureReport) -> String {
    let mut md = String::new();
    if report.ruled.is_empty() {
        return md;
    }
    let _ = writeln!(md, "\n### Columns kept out of the clustering\n");
    let _ = writeln!(
        md,
        "A column is clustered on only if it describes the customer's behaviour or state. \
         To cluster on one anyway: `{}` (generic mode, or added to the template \
         features), or `f` on the Map columns screen.\n",
        Remedy::Select { column: None }.flag()
    );
    let _ = writeln!(md, "| Column | Rule | Use | Why |\n|---|---|---|---|");
    for r in &report.ruled {
        let use_text = if r.applied {
            use_word(r.usage).to_string()
        } else {
            format!(
                "{} (your setting; the rule says {})",
                use_word(r.usage),
                use_word(r.rule.usage())
            )
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            cell(&r.column),
            r.rule.key(),
            use_text,
            cell(&r.rule.finding())
        );
    }
    md
}

/// Notes on sentinels, default winsorising, signed logs and indicators.
pub fn feature_notes_md(report: &FeatureReport) -> String {
    let mut md = String::new();
    for f in &report.features {
        if let Some(s) = f.sentinel {
            let _ = writeln!(
                md,
                "- **{}**: {} in {} rows ({:.1}%) stands for \"not applicable\"; read as missing and filled with the median of the other values (its share per segment is profiled as '{} = {}').",
                cell(&f.name),
                human(s.value),
                human(s.count as f64),
                s.share * 100.0,
                cell(&f.name),
                human(s.value)
            );
        }
        if f.clip_reason == Some(WinsorReason::SkewedMoney)
            && let Some([lo, hi]) = f.clip
        {
            let _ = writeln!(
                md,
                "- **{}**: a skewed money column, winsorised at its 1st and 99th percentiles ({}..{}; {} values moved) so a few outliers cannot form a segment of their own (`{}` disables).",
                cell(&f.name),
                human(lo),
                human(hi),
                human(f.clipped as f64),
                Remedy::Winsorize {
                    bounds: "off".into()
                }
                .flag()
            );
        }
        if f.transform == Transform::SignedLog1p {
            let _ = writeln!(
                md,
                "- **{}**: {} negative values (refunds, reversals) of {}: log-transformed with the signed log1p, sign(x) * ln(1 + |x|), which keeps them below zero.",
                cell(&f.name),
                human(f.negatives as f64),
                human(report.rows as f64)
            );
        }
    }
    let indicators = report
        .features
        .iter()
        .filter(|f| f.kind.is_indicator())
        .count();
    if indicators > 0 {
        let _ = writeln!(
            md,
            "- {indicators} 0/1 indicator features (one-hot levels, flags) are centred and scaled so that the indicators of one column together have a standard deviation of {} (a numeric feature has 1), so categories cannot split the customers on their own.",
            human(report.indicator_weight)
        );
    }
    md
}

/// "What drives the segments" and the tiny-segment warnings.
pub fn drivers_md(p: &Profiles) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Labels: {} ({}).\n",
        p.scheme.name(),
        cell(&p.scheme_reason)
    );
    if !p.drivers.is_empty() {
        let parts: Vec<String> = p
            .drivers
            .iter()
            .map(|d| {
                format!(
                    "{} features ({}) {:.0}%",
                    d.kind,
                    d.features,
                    d.share * 100.0
                )
            })
            .collect();
        let _ = writeln!(
            md,
            "What separates the segments (share of the between-segment variance of the scaled features): {}.\n",
            parts.join(", ")
        );
    }
    for s in p.tiny_segments() {
        let _ = writeln!(
            md,
            "- ⚠ Segment {} ({}) holds {} customers ({:.2}%), under {}% of all: a few outliers rather than a market segment; consider a smaller K or winsorising.",
            s.id,
            cell(&s.label),
            human(s.size as f64),
            s.share * 100.0,
            human(TINY_SEGMENT_SHARE * 100.0)
        );
    }
    md
}

fn z_header(s: &SegmentProfile) -> &'static str {
    if s.features.iter().any(|f| f.z_scale != Transform::None) {
        "z (log scale where logged)"
    } else {
        "z"
    }
}

fn vs_all(f: &FeatureStat) -> String {
    let word = match f.direction {
        Direction::High => "**high**",
        Direction::Low => "**low**",
        Direction::Typical => "typical",
    };
    format!("{word}: {}", comparison(f))
}

/// One segment: size, action, traits, the feature table against all
/// customers, profile-only columns and splits.
pub fn segment_md(s: &SegmentProfile) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "\n### Segment {}: {}\n", s.id, cell(&s.label));
    let _ = writeln!(
        md,
        "{} customers ({:.1}%).{}\n",
        human(s.size as f64),
        s.share * 100.0,
        if s.tiny {
            " ⚠ A tiny segment (under 0.5% of the customers)."
        } else {
            ""
        }
    );
    let _ = writeln!(md, "**Recommended action:** {}\n", cell(&s.action));
    let traits: Vec<String> = s
        .distinguishing
        .iter()
        .take(3)
        .filter_map(|n| s.feature(n))
        .map(|f| format!("{} {} ({})", f.feature, f.direction.word(), comparison(f)))
        .collect();
    let _ = writeln!(
        md,
        "**Stands out by:** {}\n",
        if traits.is_empty() {
            "nothing: close to the average customer on every feature".to_string()
        } else {
            cell(&traits.join("; "))
        }
    );
    let _ = writeln!(
        md,
        "| Feature | Mean | Median | All customers (mean / median) | vs all | {} |\n|---|---:|---:|---:|---|---:|",
        z_header(s)
    );
    for f in &s.features {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} / {} | {} | {:+.2}{} |",
            cell(&f.feature),
            human(f.mean),
            human(f.median),
            human(f.overall_mean),
            human(f.overall_median),
            vs_all(f),
            f.z,
            if f.z_scale == Transform::None {
                ""
            } else {
                " (log)"
            }
        );
    }
    if !s.columns.is_empty() {
        let _ = writeln!(
            md,
            "\n*Profile only (not clustered)*:\n\n| Column | Segment | All customers |\n|---|---:|---:|"
        );
        for c in &s.columns {
            let (mine, all) = if c.flag {
                (
                    format!("{:.1}% yes", c.mean * 100.0),
                    format!("{:.1}% yes", c.overall_mean * 100.0),
                )
            } else {
                (
                    format!("mean {}, median {}", human(c.mean), human(c.median)),
                    format!(
                        "mean {}, median {}",
                        human(c.overall_mean),
                        human(c.overall_median)
                    ),
                )
            };
            let _ = writeln!(md, "| {} | {mine} | {all} |", cell(&c.column));
        }
    }
    for (name, shares) in &s.categories {
        let text: Vec<String> = shares
            .iter()
            .map(|v| format!("{} {:.0}%", cell(&v.value), v.share * 100.0))
            .collect();
        let _ = writeln!(md, "\n*{}*: {}", cell(name), text.join(", "));
    }
    let _ = writeln!(md, "\n<sub>Label rule: {}</sub>", cell(&s.label_reason));
    md
}
