//! The Segments view: the table of segments (label, size, share, the
//! stability with its band's mark, the key averages marked high / low),
//! bars of the sizes and of one feature's mean, and the selected segment
//! in a few lines (its stability, rule, action and traits). The table's
//! title gives the structure verdict, its foot the rules' fidelity.

use super::order::{self, SortBy, SortColumn};
use super::{InspectScreen, distinguishing};
use crate::pipeline::profile::{Direction, Profiles, SegmentProfile};
use crate::pipeline::trust::Trust;
use crate::pipeline::trust::stability::SegmentStability;
use crate::tui::screens::DrawCtx;
use crate::tui::screens::trust::{
    band_legend, band_mark, drawable, rules_fidelity, shown, verdict_gist, verdict_mark,
};
use crate::tui::screens::words::k_reason;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, charts, pane_block, pane_block_with};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use std::cell::Cell;

/// Features shown as key averages, most telling first.
pub(super) fn key_features(names: &[String]) -> Vec<usize> {
    use crate::pipeline::profile::names as n;
    let preferred = [
        n::BALANCE,
        n::MONETARY,
        n::FREQUENCY,
        n::RECENCY,
        n::TENURE,
        n::AGE,
        n::PRODUCT_DEPTH,
    ];
    let mut out: Vec<usize> = preferred
        .iter()
        .filter_map(|p| names.iter().position(|x| x == p))
        .collect();
    for j in 0..names.len() {
        if !out.contains(&j) {
            out.push(j);
        }
    }
    out
}

/// The widths of the table: #, Label, Size, Share, Stability (when
/// measured) and as many key averages as fit beside a label of at least
/// 28 cells; the averages that do not fit scroll sideways (←/→ moves the
/// column in focus), marked in the header.
struct TableLayout {
    label: usize,
    /// The features shown, by index, in the table's order.
    shown: Vec<usize>,
    /// Key averages hidden to the left and to the right.
    hidden_left: usize,
    hidden_right: usize,
    stability: bool,
    sort: SortBy,
    /// The feature in focus (the mean bars show it).
    focus: Option<usize>,
}

const ID_W: usize = 3;
const SIZE_W: usize = 8;
const SHARE_W: usize = 6;
const STAB_W: usize = 8;
const FEAT_W: usize = 10;
/// The right-hand marker of hidden columns: "▶12".
const MORE_W: usize = 4;
const MIN_LABEL_W: usize = 28;

/// A mean's mark: above or below everyone's in original units, so the
/// direction reads without colour (words in ASCII mode).
pub(super) fn direction_mark(t: &Theme, d: Direction) -> &'static str {
    match (d, t.ascii) {
        (Direction::High, false) => "▲",
        (Direction::High, true) => "hi",
        (Direction::Low, false) => "▼",
        (Direction::Low, true) => "lo",
        (Direction::Typical, false) => " ",
        (Direction::Typical, true) => "  ",
    }
}

/// The cells a direction mark takes.
fn mark_w(t: &Theme) -> usize {
    if t.ascii { 2 } else { 1 }
}

/// The sort column's mark in the header.
fn sort_mark(t: &Theme, descending: bool) -> &'static str {
    match (descending, t.ascii) {
        (true, false) => "▼",
        (false, false) => "▲",
        (true, true) => "v",
        (false, true) => "^",
    }
}

/// "0.93 ✓✓": a segment's stability and its band's mark.
fn stability_cell(t: &Theme, st: Option<&SegmentStability>) -> Span<'static> {
    match st {
        Some(st) => {
            let (mark, style) = band_mark(t, st.band);
            let cell = format!(
                "{} {mark:<2}",
                crate::pipeline::trust::Band::shown(st.jaccard)
            );
            Span::styled(text::fit_right(&cell, STAB_W, ""), style)
        }
        None => Span::styled(text::fit_right("-   ", STAB_W, ""), t.dim()),
    }
}

/// How the table is drawn besides its width: the order, the column in
/// focus, where the columns scrolled to last time.
pub(super) struct TableView<'a> {
    pub sort: SortBy,
    pub focus: Option<usize>,
    pub column_offset: &'a Cell<usize>,
}

impl TableLayout {
    fn new(width: usize, names: &[String], stability: bool, view: &TableView) -> Self {
        let stab_w = if stability { STAB_W } else { 0 };
        let fixed = 2 + ID_W + SIZE_W + SHARE_W + 3 + stab_w;
        let keys = key_features(names);
        let room = width.saturating_sub(fixed + MIN_LABEL_W);
        let mut n_feat = (room / (FEAT_W + 1)).min(keys.len());
        if n_feat < keys.len() {
            n_feat = (room.saturating_sub(MORE_W) / (FEAT_W + 1)).min(keys.len());
        }
        let pos = view
            .focus
            .and_then(|j| keys.iter().position(|&k| k == j))
            .unwrap_or(0);
        let start = if n_feat == 0 {
            0
        } else {
            order::window(view.column_offset.get(), pos, n_feat, keys.len())
        };
        view.column_offset.set(start);
        let hidden_right = keys.len().saturating_sub(start + n_feat);
        let more = if n_feat < keys.len() { MORE_W } else { 0 };
        TableLayout {
            label: width.saturating_sub(fixed + n_feat * (FEAT_W + 1) + more),
            shown: keys[start..start + n_feat].to_vec(),
            hidden_left: start,
            hidden_right,
            stability,
            sort: view.sort,
            focus: view.focus,
        }
    }

    /// A header cell, with the sort mark when the table is sorted by it.
    fn head(&self, t: &Theme, name: &str, column: SortColumn, width: usize) -> String {
        let mark = if self.sort.column == column {
            sort_mark(t, self.sort.descending)
        } else {
            ""
        };
        text::fit_right(&format!("{name}{mark}"), width, t.glyphs.ellipsis)
    }

    fn header(&self, t: &Theme, names: &[String]) -> Line<'static> {
        let label_mark = if self.sort.column == SortColumn::Label {
            sort_mark(t, self.sort.descending)
        } else {
            ""
        };
        let left_more = if self.hidden_left > 0 {
            format!("{}{} ", if t.ascii { "<" } else { "◀" }, self.hidden_left)
        } else {
            String::new()
        };
        let label_head = format!("Label{label_mark}");
        let gap = self
            .label
            .saturating_sub(text::width(&label_head) + text::width(&left_more));
        let id_mark = if self.sort.column == SortColumn::Id {
            sort_mark(t, self.sort.descending)
        } else {
            ""
        };
        let mut header = vec![
            Span::raw("  "),
            Span::styled(text::fit(&format!("#{id_mark}"), ID_W, ""), t.title()),
            Span::styled(
                text::fit(
                    &format!("{label_head}{}{left_more}", " ".repeat(gap)),
                    self.label,
                    "",
                ),
                t.title(),
            ),
            Span::styled(self.head(t, "Size", SortColumn::Size, SIZE_W), t.title()),
            Span::styled(text::fit_right("Share", SHARE_W + 1, ""), t.title()),
        ];
        if self.stability {
            let sorted = self.sort.column == SortColumn::Stability;
            let name = if sorted { "Stab" } else { "Stab." };
            let cell = self.head(t, name, SortColumn::Stability, STAB_W - 2);
            header.push(Span::styled(format!("{cell}  "), t.title()));
        }
        for &j in &self.shown {
            header.push(Span::raw(" "));
            let style = if self.focus == Some(j) {
                t.title().add_modifier(Modifier::UNDERLINED)
            } else {
                t.title()
            };
            let cell = self.head(t, &names[j], SortColumn::Feature(j), FEAT_W - mark_w(t));
            header.push(Span::styled(
                format!("{cell}{}", " ".repeat(mark_w(t))),
                style,
            ));
        }
        if self.hidden_right > 0 {
            let more = format!("{}{}", if t.ascii { ">" } else { "▶" }, self.hidden_right);
            header.push(Span::styled(text::fit_right(&more, MORE_W, ""), t.title()));
        }
        Line::from(header)
    }

    /// A segment: id, label (yours in the input colour, a tiny one
    /// warned), size, share, stability and the key averages marked (and
    /// coloured) by direction.
    fn row(&self, t: &Theme, s: &SegmentProfile, row: RowFacts) -> Line<'static> {
        let label = if s.tiny {
            format!("{} {}", t.glyphs.warn, s.label)
        } else {
            s.label.clone()
        };
        let label_style = if s.tiny {
            t.warn()
        } else if row.renamed {
            t.input()
        } else {
            t.text()
        };
        let lead = match (row.selected, row.marked) {
            (true, _) => t.glyphs.pointer,
            (false, true) => "A ",
            (false, false) => "  ",
        };
        let mut spans = vec![
            Span::raw(lead),
            Span::styled(text::fit(&s.id.to_string(), ID_W, ""), t.segment(s.id)),
            Span::styled(
                text::fit(&label, self.label, t.glyphs.ellipsis),
                label_style,
            ),
            Span::styled(
                text::fit_right(&text::thousands(s.size), SIZE_W, ""),
                t.text(),
            ),
            Span::styled(
                text::fit_right(&format!("{:.1}%", s.share * 100.0), SHARE_W + 1, ""),
                t.text(),
            ),
        ];
        if self.stability {
            spans.push(stability_cell(t, row.stability));
        }
        let number_w = FEAT_W - mark_w(t);
        for &j in &self.shown {
            spans.push(Span::raw(" "));
            let f = &s.features[j];
            // Decided by the comparison in original units, as the traits.
            let style = match f.direction {
                Direction::High => t.ok(),
                Direction::Low => t.warn(),
                Direction::Typical => t.text(),
            };
            let number = charts::number(f.mean, number_w);
            spans.push(Span::styled(text::fit_right(&number, number_w, ""), style));
            spans.push(Span::styled(direction_mark(t, f.direction), style));
        }
        Line::from(spans)
    }
}

/// What a row shows besides the segment's profile.
struct RowFacts<'a> {
    renamed: bool,
    selected: bool,
    /// The first segment of a comparison being picked.
    marked: bool,
    stability: Option<&'a SegmentStability>,
}

impl InspectScreen {
    pub(super) fn draw_segments(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let k = p.segments.len() as u16;
        let table_h = (k + 3).min(area.height.saturating_sub(6)).max(4);
        let bars_h = (k + 2).min(area.height.saturating_sub(table_h + 3)).max(3);
        let [table_area, bars_area, detail_area] = Layout::vertical([
            Constraint::Length(table_h),
            Constraint::Length(bars_h),
            Constraint::Min(0),
        ])
        .areas(area);
        let order = order::order(p, self.sort, shown(v.data));
        let offset = self.draw_table(frame, table_area, v, p, &order);
        self.draw_bar_charts(frame, bars_area, v, p, &order, offset);
        if detail_area.height >= 3
            && let Some(s) = p.segments.get(self.selected)
        {
            draw_brief(frame, detail_area, v.theme, s, shown(v.data));
        }
    }

    /// The table of segments in `order`; returns the first row shown (the
    /// bars start there when they can).
    fn draw_table(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        p: &Profiles,
        order: &[usize],
    ) -> usize {
        let t = v.theme;
        let segs = &p.segments;
        let trust = shown(v.data);
        let block = table_block(v, p, trust, area.width as usize);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let names = feature_names(p);
        let stability = trust.and_then(|x| x.stability.as_ref()).is_some();
        let view = TableView {
            sort: self.sort,
            focus: self.focus(&names),
            column_offset: &self.column_offset,
        };
        let layout = TableLayout::new(inner.width as usize, &names, stability, &view);
        let height = (inner.height as usize).saturating_sub(1);
        let pos = order.iter().position(|&i| i == self.selected).unwrap_or(0);
        let offset = widgets::scroll_offset(&self.offset, pos, height, segs.len());
        let mut lines = vec![layout.header(t, &names)];
        for &i in order.iter().skip(offset).take(height) {
            let s = &segs[i];
            let selected = i == self.selected;
            let renamed = super::saved_edit(v, s.id).is_some_and(|o| o.label.is_some());
            let facts = RowFacts {
                renamed,
                selected,
                marked: self.compare_first == Some(i),
                stability: trust.and_then(|x| x.stability_of(s.id as usize)),
            };
            let line = layout.row(t, s, facts);
            lines.push(if selected {
                widgets::highlight(line, t.selected())
            } else {
                line
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
        offset
    }

    /// The sizes, and the mean of the feature in focus (←/→), in the
    /// table's order, the selected segment always in sight.
    fn draw_bar_charts(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        p: &Profiles,
        order: &[usize],
        offset: usize,
    ) {
        let t = v.theme;
        let segs = &p.segments;
        let [sizes_area, means_area] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(area);
        let max_size = segs.iter().map(|s| s.size).max().unwrap_or(1).max(1);
        let sizes = order
            .iter()
            .map(|&i| {
                let s = &segs[i];
                let frac = s.size as f64 / max_size as f64;
                (s.id, frac, text::thousands(s.size))
            })
            .collect();
        let bars = Bars { offset, t };
        bars.draw(self, frame, sizes_area, " Segment sizes ", sizes);
        let names = feature_names(p);
        let Some(j) = self.focus(&names) else {
            return;
        };
        let Some(name) = names.get(j) else {
            return;
        };
        let values: Vec<f64> = order.iter().map(|&i| segs[i].features[j].mean).collect();
        let max = values
            .iter()
            .copied()
            .fold(0.0f64, |a, v| a.max(v.abs()))
            .max(1e-12);
        let means = order
            .iter()
            .zip(&values)
            .map(|(&i, &v)| (segs[i].id, v / max, charts::number(v, 9)))
            .collect();
        let title = format!(" Mean {name} {} ", t.glyphs.left_right);
        bars.draw(self, frame, means_area, &title, means);
    }
}

/// A pane of bars, one per segment in the table's order.
struct Bars<'a> {
    /// The table's first row shown.
    offset: usize,
    t: &'a Theme,
}

impl Bars<'_> {
    fn draw(
        &self,
        screen: &InspectScreen,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        rows: Vec<(u32, f64, String)>,
    ) {
        let t = self.t;
        let height = area.height.saturating_sub(2) as usize;
        let pos = rows
            .iter()
            .position(|r| r.0 as usize == screen.selected)
            .unwrap_or(0);
        let start = order::window(self.offset, pos, height, rows.len());
        let (above, below) = (start, rows.len().saturating_sub(start + height));
        let mut block = pane_block(t, title, false);
        if above + below > 0 {
            let more = [(above, t.glyphs.up), (below, t.glyphs.down)]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, g)| format!("{g} {n} more"))
                .collect::<Vec<_>>()
                .join(", ");
            block = block.title_bottom(Line::styled(format!(" {more} "), t.dim()).right_aligned());
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let id_w = rows
            .iter()
            .map(|r| r.0.to_string().len())
            .max()
            .unwrap_or(1);
        let value_w = rows.iter().map(|r| text::width(&r.2)).max().unwrap_or(1);
        let bar_w = width.saturating_sub(2 + id_w + value_w + 1);
        // Negative values draw to the left of a rule, positive to the right.
        let signed = rows.iter().any(|r| r.1 < 0.0);
        let lines: Vec<Line> = rows
            .iter()
            .skip(start)
            .take(height)
            .map(|(id, frac, value)| {
                let selected = *id as usize == screen.selected;
                let mut spans = vec![Span::styled(
                    format!("{}{id:<id_w$} ", if selected { ">" } else { " " }),
                    if selected { t.title() } else { t.dim() },
                )];
                spans.extend(bar_spans(t, *id, *frac, bar_w, signed));
                spans.push(Span::styled(text::fit_right(value, value_w, ""), t.text()));
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// One bar of `bar_w` cells and a space: from a rule at the middle when
/// some values are negative, else from the left.
fn bar_spans(t: &Theme, id: u32, frac: f64, bar_w: usize, signed: bool) -> Vec<Span<'static>> {
    if signed {
        let (pad, left, rule, right) = charts::zbar(frac, bar_w, 1.0, &t.glyphs);
        let used =
            text::width(&pad) + text::width(&left) + text::width(&rule) + text::width(&right);
        vec![
            Span::raw(pad),
            Span::styled(left, t.segment(id)),
            Span::styled(rule, t.dim()),
            Span::styled(right, t.segment(id)),
            Span::raw(" ".repeat(bar_w.saturating_sub(used) + 1)),
        ]
    } else {
        let bar = charts::hbar(frac, bar_w, &t.glyphs);
        let pad = bar_w.saturating_sub(text::width(&bar));
        vec![
            Span::styled(bar, t.segment(id)),
            Span::raw(" ".repeat(pad + 1)),
        ]
    }
}

/// The table's border: K, customers, the structure verdict and why K on
/// top; the stability bands' legend and the rules' fidelity below.
fn table_block<'a>(v: &DrawCtx, p: &Profiles, trust: Option<&Trust>, width: usize) -> Block<'a> {
    let t = v.theme;
    let n = v.data.cleaned().map_or(0, |c| c.table.n_rows);
    let pick = v.data.k_pick();
    let head = format!(
        " K={} segments of {} customers {} ",
        pick.as_ref().map_or(p.segments.len(), |p| p.k),
        text::thousands(n),
        t.glyphs.sep,
    );
    let title_style = t.focus_border();
    let mut parts = vec![Span::styled(head, title_style)];
    if let Some(x) = trust {
        let verdict = x.structure.verdict;
        let (mark, style) = verdict_mark(t, verdict);
        parts.push(Span::styled(
            format!(
                "{mark} structure {}: {}",
                verdict.name(),
                verdict_gist(verdict)
            ),
            style.patch(t.title()),
        ));
        parts.push(Span::styled(format!(" {} ", t.glyphs.sep), title_style));
    }
    let reason = pick.as_ref().map(k_reason).unwrap_or_default();
    parts.push(Span::styled(format!("{reason} "), title_style));
    let title = fit_spans(parts, width.saturating_sub(2), t.glyphs.ellipsis);
    let mut block = pane_block_with(t, Line::from(title), true);
    let fidelity = trust
        .and_then(|x| rules_fidelity(t, x))
        .map(|f| format!(" {f} "));
    let legend = trust
        .and_then(|x| x.stability.as_ref())
        .map(|_| format!(" stability {} ", band_legend(t)));
    let used = |s: &Option<String>| s.as_deref().map_or(0, text::width);
    if let Some(legend) = &legend
        && used(&fidelity) + text::width(legend) + 4 <= width
    {
        block = block.title_bottom(Line::styled(legend.clone(), t.dim()).left_aligned());
    }
    if let Some(f) = fidelity {
        block = block.title_bottom(Line::styled(f, t.dim()).right_aligned());
    }
    block
}

/// `spans` cut to `width` cells, the last one shown ending in `ellipsis`.
fn fit_spans(spans: Vec<Span<'static>>, width: usize, ellipsis: &str) -> Vec<Span<'static>> {
    let mut left = width;
    let mut out = Vec::new();
    for span in spans {
        if left == 0 {
            break;
        }
        let w = text::width(&span.content);
        if w <= left {
            left -= w;
            out.push(span);
        } else {
            let cut = text::truncate(&span.content, left, ellipsis);
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    out
}

/// The names of the features the segments are described by.
pub(super) fn feature_names(p: &Profiles) -> Vec<String> {
    p.segments
        .first()
        .map(|s| s.features.iter().map(|f| f.feature.clone()).collect())
        .unwrap_or_default()
}

/// The selected segment in a few lines: its stability (in the title),
/// its rule, its action and what it stands out by.
fn draw_brief(frame: &mut Frame, area: Rect, t: &Theme, s: &SegmentProfile, trust: Option<&Trust>) {
    let id = s.id as usize;
    let mut title = vec![Span::styled(format!(" {} ", s.label), t.title())];
    if let Some(st) = trust.and_then(|x| x.stability_of(id)) {
        let (mark, style) = band_mark(t, st.band);
        title.push(Span::styled(
            format!(
                "{} stability {} {mark} {} ",
                t.glyphs.sep,
                crate::pipeline::trust::Band::shown(st.jaccard),
                st.band.words()
            ),
            style,
        ));
    }
    let block = pane_block_with(t, Line::from(title), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    if let Some(rule) = trust.and_then(|x| x.rule_of(id)) {
        lines.push(Line::from(vec![
            Span::styled("Rule: ", t.dim()),
            Span::styled(drawable(t, &rule.text), t.text()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("Action: ", t.dim()),
        Span::styled(s.action.clone(), t.text()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Stands out by: ", t.dim()),
        Span::styled(distinguishing(s, 3), t.text()),
    ]));
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    // With room to spare (a tall terminal), every feature of the segment
    // against all customers follows, as in the drill-down.
    let wrapped: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(padded.width.max(1) as usize).max(1))
        .sum();
    let features = super::segment::feature_lines(t, s, padded.width as usize);
    if wrapped + 1 + features.len() <= padded.height as usize {
        let [top, bottom] =
            Layout::vertical([Constraint::Length(wrapped as u16 + 1), Constraint::Min(0)])
                .areas(padded);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), top);
        frame.render_widget(Paragraph::new(features), bottom);
    } else {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), padded);
    }
}
