//! The Segment view: one segment in full — label, action and why, its
//! stability and rule, each feature against all customers, z-scores, profile-only columns, traits
//! and the shares of text columns. ↑↓ scroll.

use super::{InspectScreen, distinguishing};
use crate::pipeline::features::Transform;
use crate::pipeline::profile::{Direction, Profiles, SegmentProfile};
use crate::pipeline::trust::Trust;
use crate::tui::screens::DrawCtx;
use crate::tui::screens::trust::{band_mark, drawable, shown};
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{charts, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `label` then `value` wrapped to `width`, the wrapped lines indented
/// under the value.
fn labelled(
    label: &str,
    value: &str,
    width: usize,
    label_style: Style,
    value_style: Style,
) -> Vec<Line<'static>> {
    const LABEL_W: usize = 9;
    text::wrap(value, width.saturating_sub(LABEL_W))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Line::from(vec![
                Span::styled(
                    text::fit(if i == 0 { label } else { "" }, LABEL_W, ""),
                    label_style,
                ),
                Span::styled(l, value_style),
            ])
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl InspectScreen {
    pub(super) fn draw_segment(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let Some(s) = p.segments.get(self.selected) else {
            return;
        };
        let title = format!(
            " Segment {} of {} {} {} customers ({:.1}%) ",
            s.id,
            p.segments.len(),
            t.glyphs.sep,
            text::thousands(s.size),
            s.share * 100.0
        );
        let width = area.width.saturating_sub(4) as usize;
        let yours = super::saved_edit(v, s.id).is_some_and(|o| o.label.is_some());
        let mut lines = head_lines(t, s, yours, width);
        if let Some(trust) = shown(v.data) {
            lines.extend(trust_lines(t, trust, s.id as usize, width));
        }
        lines.extend(feature_lines(t, s, width));
        lines.extend(z_and_profile_lines(t, s, width));
        lines.extend(labelled(
            "Traits",
            &distinguishing(s, 4),
            width,
            t.dim(),
            t.text(),
        ));
        for (name, shares) in &s.categories {
            let parts: Vec<String> = shares
                .iter()
                .map(|c| format!("{} {:.0}%", c.value, c.share * 100.0))
                .collect();
            lines.extend(labelled(
                &capitalise(name),
                &parts.join(&format!(" {} ", t.glyphs.sep)),
                width,
                t.dim(),
                t.text(),
            ));
        }
        let visible = area.height.saturating_sub(2);
        let max_scroll = (lines.len() as u16).saturating_sub(visible);
        self.max_scroll.set(max_scroll);
        let scroll = self.scroll.min(max_scroll);
        let mut block = pane_block(t, &title, true);
        if max_scroll > 0 {
            let more = match (scroll > 0, scroll < max_scroll) {
                (true, true) => format!(" {} more ", t.glyphs.up_down),
                (false, _) => format!(" {} more ", t.glyphs.down),
                (true, false) => format!(" {} more ", t.glyphs.up),
            };
            block = block.title_bottom(Line::styled(more, t.dim()).right_aligned());
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), padded);
    }
}

/// The label (yours or the rules'), the action and why the label.
fn head_lines(t: &Theme, s: &SegmentProfile, yours: bool, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(text::fit("Label", 9, ""), t.dim()),
        Span::styled(s.label.clone(), t.title().patch(t.segment(s.id))),
        Span::styled(
            if yours {
                "  (yours; e renames)"
            } else {
                "  (e renames)"
            },
            t.dim(),
        ),
    ])];
    lines.extend(labelled("Action", &s.action, width, t.dim(), t.text()));
    lines.extend(labelled("Why", &s.label_reason, width, t.dim(), t.dim()));
    lines
}

/// The segment's stability (number, band mark and words, how often it
/// dissolved) and its rule in original units with the rules' fidelity.
fn trust_lines(t: &Theme, trust: &Trust, id: usize, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(st) = trust.stability_of(id) {
        let (mark, style) = band_mark(t, st.band);
        let dissolved = if st.dissolved > 0 {
            format!(
                "; dissolved in {} of {} resamples",
                st.dissolved, st.resamples
            )
        } else {
            format!("; kept together in all {} resamples", st.resamples)
        };
        let text = drawable(
            t,
            &format!(
                "{} ±{:.2} {mark} {}{dissolved}",
                crate::pipeline::trust::Band::shown(st.jaccard),
                st.margin,
                st.band.words()
            ),
        );
        lines.extend(labelled("Stable?", &text, width, t.dim(), style));
    }
    if let Some(rule) = trust.rule_of(id) {
        let text = drawable(t, &rule.text);
        lines.extend(labelled("Rule", &text, width, t.dim(), t.text()));
        if let Some(r) = &trust.rules {
            let note = format!(
                "(the {} rules put {:.1}% of the customers in their segment; their spread is \
                 {:.2}x K-Means')",
                trust.k,
                r.agreement * 100.0,
                r.cost_ratio
            );
            lines.extend(labelled("", &note, width, t.dim(), t.dim()));
        }
    }
    lines
}

/// Each feature: mean, median, all customers' median, and a bar of where
/// the segment sits among all customers.
pub(super) fn feature_lines(t: &Theme, s: &SegmentProfile, width: usize) -> Vec<Line<'static>> {
    let (name_w, num_w) = (15, 10);
    let bar_w = width.saturating_sub(name_w + 3 * (num_w + 1) + 2).min(31);
    let mut lines = vec![Line::from(vec![
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::styled(text::fit_right("Mean", num_w + 1, ""), t.title()),
        Span::styled(text::fit_right("Median", num_w + 1, ""), t.title()),
        Span::styled(text::fit_right("All med.", num_w + 1, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("vs all customers", bar_w, ""), t.title()),
    ])];
    for f in s.features.iter() {
        // The bar is the percentile effect in original units (0 when the
        // raw mean and median disagree), so it agrees with the numbers.
        let (pad, left, rule, right) =
            charts::zbar(4.0 * f.signal, bar_w.saturating_sub(6), 2.0, &t.glyphs);
        let number = |x: f64| text::fit_right(&charts::number(x, num_w), num_w + 1, "");
        lines.push(Line::from(vec![
            Span::styled(text::fit(&f.feature, name_w, t.glyphs.ellipsis), t.text()),
            Span::styled(number(f.mean), t.text()),
            Span::styled(number(f.median), t.dim()),
            Span::styled(number(f.overall_median), t.dim()),
            Span::raw("  "),
            Span::raw(pad),
            Span::styled(left, t.warn()),
            Span::styled(rule, t.dim()),
            Span::styled(right, t.ok()),
            Span::styled(
                match f.direction {
                    Direction::Typical => String::new(),
                    d => format!(" {}", d.word()),
                },
                t.dim(),
            ),
        ]));
    }
    lines
}

/// The z-scores (saying which are on a log scale) and the profile-only
/// columns of a segment, for its drill-down.
fn z_and_profile_lines(t: &Theme, s: &SegmentProfile, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let logged: Vec<&str> = s
        .features
        .iter()
        .filter(|f| f.z_scale != Transform::None)
        .map(|f| f.feature.as_str())
        .collect();
    let z_line: Vec<String> = s
        .features
        .iter()
        .map(|f| format!("{} {:+.1}", f.feature, f.z))
        .collect();
    lines.extend(labelled(
        "z",
        &format!(
            "{}{}",
            z_line.join(", "),
            if logged.is_empty() {
                String::new()
            } else {
                format!(" (on the log scale K-Means used for {})", logged.join(", "))
            }
        ),
        width,
        t.dim(),
        t.dim(),
    ));
    if !s.columns.is_empty() {
        let parts: Vec<String> = s
            .columns
            .iter()
            .map(|c| {
                if c.flag {
                    format!(
                        "{} {:.0}% (all {:.0}%)",
                        c.column,
                        c.mean * 100.0,
                        c.overall_mean * 100.0
                    )
                } else {
                    format!(
                        "{} {} (all {})",
                        c.column,
                        charts::number(c.median, 9),
                        charts::number(c.overall_median, 9)
                    )
                }
            })
            .collect();
        lines.extend(labelled(
            "Profile",
            &parts.join(&format!(" {} ", t.glyphs.sep)),
            width,
            t.dim(),
            t.text(),
        ));
    }
    lines
}
