//! The trust checks as the screens show them (Cluster's Structure pane,
//! Inspect's stability column and rules): the structure verdict and each
//! segment's stability band as a mark and a word, so their meaning
//! survives `NO_COLOR` and ASCII mode; the colour only repeats it.

use crate::pipeline::trust::{Band, Trust, Verdict};
use crate::tui::data::PipelineData;
use crate::tui::theme::Theme;
use ratatui::style::Style;

/// The checks of the segments shown, once made for the K shown.
pub fn shown(data: &PipelineData) -> Option<&Trust> {
    let trust = data.profiles()?.trust.as_ref()?;
    (Some(trust.k) == data.k()).then_some(trust)
}

/// The verdict's mark and style: ✓ clear, ~ weak, ✗ none.
pub fn verdict_mark(t: &Theme, v: Verdict) -> (&'static str, Style) {
    match v {
        Verdict::Clear => (if t.ascii { "+" } else { "✓" }, t.ok()),
        Verdict::Weak => ("~", t.warn()),
        Verdict::None => (if t.ascii { "x" } else { "✗" }, t.error()),
    }
}

/// What the verdict makes of the segments, in a few words (for a title).
pub fn verdict_gist(v: Verdict) -> &'static str {
    match v {
        Verdict::Clear => "natural groups",
        Verdict::Weak | Verdict::None => "a convenient partition, not natural groups",
    }
}

/// The verdict's headline: "CLEAR: natural groups", "NONE: no natural groups".
pub fn verdict_headline(v: Verdict) -> &'static str {
    match v {
        Verdict::Clear => "CLEAR: natural groups",
        Verdict::Weak => "WEAK: groups that overlap",
        Verdict::None => "NONE: no natural groups",
    }
}

/// The verdict in a sentence an analyst can act on (what the `k`
/// segments are, and what to do with them).
pub fn verdict_sentence(v: Verdict, k: usize) -> String {
    match v {
        Verdict::Clear => format!(
            "The {k} segments are natural groups: separated, stable under resampling, and \
             beyond what structureless data give."
        ),
        Verdict::Weak => format!(
            "The {k} segments are a convenient partition, not natural groups: customers near \
             a boundary could as well be in the next one. Use them to organise customers, not \
             as facts about them."
        ),
        Verdict::None => format!(
            "The {k} segments are a convenient partition, not natural groups: the customers \
             form one continuum. Use them as bands to work with."
        ),
    }
}

/// A stability band's mark and style: ✓✓ highly stable (≥ 0.85), ✓ stable
/// (≥ 0.75), ? a pattern with doubtful membership (0.6–0.75), ✗ do not
/// trust (< 0.6).
pub fn band_mark(t: &Theme, band: Band) -> (&'static str, Style) {
    match (band, t.ascii) {
        (Band::HighlyStable, false) => ("✓✓", t.ok()),
        (Band::HighlyStable, true) => ("++", t.ok()),
        (Band::Stable, false) => ("✓", t.ok()),
        (Band::Stable, true) => ("+", t.ok()),
        (Band::Pattern, _) => ("?", t.warn()),
        (Band::DoNotTrust, false) => ("✗", t.error()),
        (Band::DoNotTrust, true) => ("x", t.error()),
    }
}

/// The bands' marks in one line, for a legend: "✓✓ ≥0.85 ✓ ≥0.75 ? ≥0.6 ✗ <0.6".
pub fn band_legend(t: &Theme) -> String {
    let mark = |b| band_mark(t, b).0;
    format!(
        "{} {}0.85 {} {}0.75 {} {}0.6 {} <0.6",
        mark(Band::HighlyStable),
        ge(t),
        mark(Band::Stable),
        ge(t),
        mark(Band::Pattern),
        ge(t),
        mark(Band::DoNotTrust)
    )
}

/// "≥", or ">=" in ASCII mode.
pub fn ge(t: &Theme) -> &'static str {
    if t.ascii { ">=" } else { "≥" }
}

/// A rule or reason as this terminal can draw it: in ASCII mode the
/// comparison signs the pipeline writes (≥ ≤) become >= <=.
pub fn drawable(t: &Theme, s: &str) -> String {
    if t.ascii {
        s.replace('≥', ">=").replace('≤', "<=").replace('±', "+/-")
    } else {
        s.to_string()
    }
}

/// A bullet in front of a list item.
pub fn bullet(t: &Theme) -> &'static str {
    if t.ascii { "-" } else { "•" }
}

/// The rules' fidelity in a few words: "rules agree 98.7% · cost 1.02x".
pub fn rules_fidelity(t: &Theme, trust: &Trust) -> Option<String> {
    let r = trust.rules.as_ref()?;
    Some(format!(
        "rules agree {:.1}% {} cost {:.2}x",
        r.agreement * 100.0,
        t.glyphs.sep,
        r.cost_ratio
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::UiOptions;

    #[test]
    fn marks_tell_the_bands_apart_without_colour() {
        for ascii in [false, true] {
            let t = Theme::new(UiOptions {
                ascii,
                no_color: true,
            });
            let bands = [
                Band::HighlyStable,
                Band::Stable,
                Band::Pattern,
                Band::DoNotTrust,
            ];
            let marks: Vec<&str> = bands.iter().map(|&b| band_mark(&t, b).0).collect();
            for (i, m) in marks.iter().enumerate() {
                assert!(!marks[..i].contains(m), "{marks:?}");
                assert!(m.is_ascii() || !ascii, "{m}");
            }
            let verdicts = [Verdict::Clear, Verdict::Weak, Verdict::None];
            let marks: Vec<&str> = verdicts.iter().map(|&v| verdict_mark(&t, v).0).collect();
            assert!(marks[0] != marks[1] && marks[1] != marks[2] && marks[0] != marks[2]);
        }
    }

    #[test]
    fn weak_and_none_say_the_segments_are_a_convenient_partition() {
        for v in [Verdict::Weak, Verdict::None] {
            assert!(verdict_sentence(v, 4).contains("a convenient partition"));
            assert!(verdict_sentence(v, 4).contains("not natural groups"));
        }
        assert!(!verdict_sentence(Verdict::Clear, 4).contains("convenient"));
    }
}
