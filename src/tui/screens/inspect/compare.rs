//! `c`: two segments side by side. Their size, label and action, then
//! each feature's mean in both with the difference, largest first: in
//! original units (B − A) and as a bar of how far apart their centres are
//! in standard deviations on the scale K-Means used (B's side of the rule
//! when B is higher), with the words "B higher" / "B lower" so the
//! direction reads without colour.

use super::InspectScreen;
use crate::pipeline::profile::{FeatureStat, Profiles, SegmentProfile};
use crate::tui::screens::DrawCtx;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{charts, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Features whose centres are closer than this (in standard deviations)
/// count as alike.
const ALIKE_Z: f64 = 0.1;

/// The features of `a` and `b` (same order), most different first.
pub fn by_difference<'a>(
    a: &'a SegmentProfile,
    b: &'a SegmentProfile,
) -> Vec<(&'a FeatureStat, &'a FeatureStat)> {
    let mut pairs: Vec<_> = a.features.iter().zip(&b.features).collect();
    pairs.sort_by(|x, y| {
        let dx = (x.1.z - x.0.z).abs();
        let dy = (y.1.z - y.0.z).abs();
        dy.total_cmp(&dx)
    });
    pairs
}

/// "B higher", "B lower", "alike".
fn which_way(fa: &FeatureStat, fb: &FeatureStat) -> &'static str {
    let dz = fb.z - fa.z;
    if dz.abs() < ALIKE_Z {
        "alike"
    } else if dz > 0.0 {
        "B higher"
    } else {
        "B lower"
    }
}

fn segment_line(t: &Theme, tag: &str, s: &SegmentProfile, width: usize) -> Line<'static> {
    let text = format!(
        "{tag}: segment {} {} {} {} customers ({:.1}%)",
        s.id,
        s.label,
        t.glyphs.sep,
        text::thousands(s.size),
        s.share * 100.0
    );
    Line::from(vec![Span::styled(
        text::truncate(&text, width, t.glyphs.ellipsis),
        t.segment(s.id),
    )])
}

/// The lines of the comparison of `a` with `b`.
pub fn lines(
    t: &Theme,
    a: &SegmentProfile,
    b: &SegmentProfile,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        segment_line(t, "A", a, width),
        segment_line(t, "B", b, width),
        Line::from(vec![
            Span::styled("A's action: ", t.dim()),
            Span::styled(
                text::truncate(&a.action, width.saturating_sub(12), t.glyphs.ellipsis),
                t.text(),
            ),
        ]),
        Line::from(vec![
            Span::styled("B's action: ", t.dim()),
            Span::styled(
                text::truncate(&b.action, width.saturating_sub(12), t.glyphs.ellipsis),
                t.text(),
            ),
        ]),
        Line::default(),
    ];
    let (name_w, num_w, way_w) = (16, 11, 9);
    let bar_w = width.saturating_sub(name_w + 3 * num_w + way_w + 2).min(31);
    lines.push(Line::from(vec![
        Span::styled(text::fit("Feature", name_w, ""), t.title()),
        Span::styled(text::fit_right("A mean", num_w, ""), t.title()),
        Span::styled(text::fit_right("B mean", num_w, ""), t.title()),
        Span::styled(text::fit_right("B - A", num_w, ""), t.title()),
        Span::raw("  "),
        Span::styled(text::fit("B vs A (sd)", bar_w, ""), t.title()),
        Span::styled(text::fit(" ", way_w, ""), t.title()),
    ]));
    for (fa, fb) in by_difference(a, b) {
        let dz = fb.z - fa.z;
        let (pad, left, rule, right) = charts::zbar(dz, bar_w.saturating_sub(1), 2.0, &t.glyphs);
        let number = |x: f64| text::fit_right(&charts::number(x, num_w - 1), num_w, "");
        let diff = fb.mean - fa.mean;
        let diff_text = if diff > 0.0 {
            format!("+{}", charts::number(diff, num_w - 2))
        } else {
            charts::number(diff, num_w - 1)
        };
        let way = which_way(fa, fb);
        let style = match way {
            "B higher" => t.ok(),
            "B lower" => t.warn(),
            _ => t.dim(),
        };
        lines.push(Line::from(vec![
            Span::styled(text::fit(&fa.feature, name_w, t.glyphs.ellipsis), t.text()),
            Span::styled(number(fa.mean), t.segment(a.id)),
            Span::styled(number(fb.mean), t.segment(b.id)),
            Span::styled(text::fit_right(&diff_text, num_w, ""), style),
            Span::raw("  "),
            Span::raw(pad),
            Span::styled(left, t.warn()),
            Span::styled(rule, t.dim()),
            Span::styled(right, t.ok()),
            Span::styled(format!(" {way}"), style),
        ]));
    }
    lines
}

impl InspectScreen {
    pub(super) fn draw_compare(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let Some((a, b)) = self
            .compared
            .and_then(|(a, b)| Some((p.segments.get(a)?, p.segments.get(b)?)))
        else {
            return;
        };
        let title = format!(
            " Compare A: segment {} with B: segment {} {} {} B ",
            a.id, b.id, t.glyphs.sep, t.glyphs.left_right
        );
        let block = pane_block(
            t,
            &text::truncate(
                &title,
                area.width.saturating_sub(2) as usize,
                t.glyphs.ellipsis,
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let lines = lines(t, a, b, padded.width as usize);
        let max = (lines.len() as u16).saturating_sub(padded.height);
        self.max_scroll.set(max);
        let scroll = self.scroll.min(max);
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), padded);
    }
}
