//! The Structure pane of the Cluster screen: the verdict on the segments
//! (clear / weak / none) with its evidence in words, and why the K shown
//! was chosen — with the keys that widen the range when K sits at its top.
//! Everything comes from the pipeline's typed results (`Trust`, `KPick`);
//! nothing here reads a message's text.

use crate::pipeline::analysis::{KPick, k_choice};
use crate::pipeline::cluster::Choice;
use crate::pipeline::trust::Trust;
use crate::tui::jobs::JobKind;
use crate::tui::screens::DrawCtx;
use crate::tui::screens::trust::{
    bullet, drawable, shown, verdict_gist, verdict_headline, verdict_mark, verdict_sentence,
};
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `s` wrapped to `width`, the first line after `head` (in `head_style`),
/// the others indented as deep as `head`.
fn hanging(
    head: &str,
    s: &str,
    width: usize,
    head_style: Style,
    style: Style,
) -> Vec<Line<'static>> {
    let indent = text::width(head);
    text::wrap(s, width.saturating_sub(indent).max(8))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 {
                Span::styled(head.to_string(), head_style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![lead, Span::styled(l, style)])
        })
        .collect()
}

/// The pane's lines for a pane `width` cells wide (inside its border):
/// the verdict and what it means, why K, then the evidence (cut first
/// when the pane is short).
pub(super) fn lines(v: &DrawCtx, width: usize) -> Vec<Line<'static>> {
    let t = v.theme;
    let Some(sweep) = v.data.sweep() else {
        let msg = "The verdict on the segments comes after the sweep (r runs it).";
        return hanging("", msg, width, t.dim(), t.dim());
    };
    let pick = v.data.k_pick();
    let trust = shown(v.data);
    let mut out = match trust {
        Some(trust) => verdict_lines(t, trust, width),
        None => checking_lines(v, pick.as_ref(), width),
    };
    if let Some(pick) = &pick {
        out.extend(why_k_lines(t, pick, sweep, width));
    }
    let dot = format!("{} ", bullet(t));
    // Which earlier run the numbers follow, what is new, what vanished.
    let continuity = v.data.k().and_then(|k| sweep.get(k)?.continuity.as_ref());
    for line in continuity.iter().flat_map(|c| c.lines()) {
        out.extend(hanging(&dot, &drawable(t, &line), width, t.dim(), t.text()));
    }
    for reason in trust.iter().flat_map(|x| &x.structure.reasons) {
        out.extend(hanging(
            &dot,
            &drawable(t, reason),
            width,
            t.dim(),
            t.text(),
        ));
    }
    out
}

/// The verdict and what it means.
fn verdict_lines(t: &Theme, trust: &Trust, width: usize) -> Vec<Line<'static>> {
    let verdict = trust.structure.verdict;
    let (mark, style) = verdict_mark(t, verdict);
    let head = format!("{mark} {}", verdict_headline(verdict));
    let mut out = hanging("", &head, width, style, style.patch(t.title()));
    out.extend(hanging(
        "",
        &verdict_sentence(verdict, trust.k),
        width,
        t.text(),
        t.text(),
    ));
    out
}

/// While the segments of the K shown are being checked (or before).
fn checking_lines(v: &DrawCtx, pick: Option<&KPick>, width: usize) -> Vec<Line<'static>> {
    let t = v.theme;
    let k = pick.map_or(0, |p| p.k);
    let msg = if v.job(JobKind::Profile).is_some() {
        format!(
            "Checking the {k} segments: stability over bootstrap resamples, rules in \
             original units..."
        )
    } else {
        format!("The {k} segments have not been checked yet.")
    };
    hanging("", &msg, width, t.dim(), t.dim())
}

/// Why K is what it is, from the typed choice (the sweep's own words for
/// a clear step); at the top of the range, the keys that widen it.
fn why_k_lines(
    t: &Theme,
    pick: &KPick,
    sweep: &crate::pipeline::cluster::SweepResult,
    width: usize,
) -> Vec<Line<'static>> {
    let head = format!("Why K={}: ", pick.k);
    let (lo, hi) = (sweep.k_min, sweep.k_max);
    let at_edge = pick.at_edge && pick.choice != Choice::Fixed;
    let reason = match pick.choice {
        Choice::Fixed => format!(
            "fixed by you; a lets the sweep choose again (it would take K={}).",
            k_choice::auto_pick(sweep).k
        ),
        _ if at_edge => format!(
            "segments still separate clearly at K={hi}, the top of the range {lo}..{hi}; a \
             wider range may find more."
        ),
        Choice::Smallest if sweep.gap.is_some() => format!(
            "no clear step, so the smallest K of the range; {} picks another.",
            t.glyphs.left_right
        ),
        _ => drawable(t, &pick.reason),
    };
    let mut out = hanging(&head, &reason, width, t.title(), t.text());
    if at_edge {
        let widen = format!(
            "w widens it to {lo}..{} and runs the sweep (or Tab: K to).",
            k_choice::wider_top(hi)
        );
        let (mark, style) = (t.glyphs.warn, t.warn());
        out.extend(hanging(&format!("{mark} "), &widen, width, style, style));
    }
    out
}

/// The pane with its border, the text from the top (cut when it does not
/// fit: the footer's `v` and a bigger window show more).
pub(super) fn draw(frame: &mut Frame, area: Rect, v: &DrawCtx) {
    let t = v.theme;
    let block = pane_block(t, " Can these segments be trusted? ", false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    let mut lines = lines(v, padded.width as usize);
    let rows = padded.height as usize;
    if lines.len() > rows && rows > 0 {
        lines.truncate(rows - 1);
        let more = format!("{} more in a taller window", t.glyphs.ellipsis);
        lines.push(Line::styled(more, t.dim()));
    }
    frame.render_widget(Paragraph::new(lines), padded);
}

/// Rows the pane needs at `width` cells (border included).
pub(super) fn height(v: &DrawCtx, width: u16) -> u16 {
    lines(v, width.saturating_sub(3) as usize).len() as u16 + 2
}

/// The verdict in a few words, for a title when the pane does not fit:
/// " ✗ structure none: a convenient partition… ".
pub(super) fn brief(v: &DrawCtx) -> Option<Line<'static>> {
    let t = v.theme;
    let trust = shown(v.data)?;
    let verdict = trust.structure.verdict;
    let (mark, style) = verdict_mark(t, verdict);
    Some(Line::styled(
        format!(
            " {mark} structure {}: {} ",
            verdict.name(),
            verdict_gist(verdict)
        ),
        style,
    ))
}
